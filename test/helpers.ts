/** Shared by the end-to-end tests: calling the worker, and steering the fixture replay origin. */
import { applyD1Migrations, reset as resetBindings } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import timeline from "../fixtures/timeline.json";

export const SEED_URLS = {
  hankyoreh3rdRound: "https://english.hani.co.kr/arti/english_edition/e_international/917772.html",
  hankyoreh1stRound: "https://english.hani.co.kr/arti/english_edition/e_international/911048.html",
  yonhap: "https://en.yna.co.kr/view/AEN20191218010400325",
  globalSecurity: "https://www.globalsecurity.org/military/library/news/2019/11/mil-191119-presstv01.htm",
  theStandard: "https://www.thestandard.com.hk/section-news/section/6/214039/US-walks-out-of-South-Korea-defense-cost-sharing-talks",
} as const;

/**
 * Empties every binding. `reset()` from cloudflare:test deletes all Durable Objects, and D1
 * lives in one, so the schema goes too: the migrations are applied again.
 */
export async function reset(): Promise<void> {
  await resetBindings();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
}

export const ADMIN = { Authorization: `Bearer ${env.ADMIN_TOKEN}` };

export interface ApiResponse {
  status: number;
  headers: Headers;
  // Tests read whatever the endpoint returns.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A GET whose answer is not JSON (text and HTML renderings, raw bytes); redirects are returned, not followed. */
export async function getRaw(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://redline.test${path}`, { headers, redirect: "manual" }));
}

export async function api(method: string, path: string, options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
  const headers = options.headers ?? ADMIN;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await exports.default.fetch(new Request(`http://redline.test${path}`, { method, headers, body }));
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
}

interface TimelineVersion {
  at: string;
}
interface TimelineEntry {
  url: string;
  versions: TimelineVersion[];
}

const entries: TimelineEntry[] = (timeline as { articles: TimelineEntry[] }).articles;

export function versionTimes(url: string): string[] {
  const entry = entries.find((candidate) => candidate.url === url);
  if (!entry) throw new Error(`no fixture timeline for ${url}`);
  return entry.versions.map((version) => version.at);
}

/** Moves the replay clock so that `url` serves its k-th timeline entry (1-based). */
export async function serveTimelineEntry(url: string, k: number): Promise<void> {
  const at = versionTimes(url)[k - 1];
  if (!at) throw new Error(`${url} has no timeline entry ${k}`);
  await setReplayClock(at);
}

export async function setReplayClock(at: string): Promise<void> {
  const response = await fetch(`${env.REPLAY_ORIGIN}/__replay/clock`, { method: "POST", body: JSON.stringify({ at }) });
  if (!response.ok) throw new Error(`replay clock: ${response.status} ${await response.text()}`);
}

export async function track(url: string) {
  return api("POST", "/api/articles", { body: { url } });
}

/** A fresh store holding one seed article (The Hankyoreh, 1st round) with two versions; returns its id. */
export async function freshArticleWithTwoVersions(): Promise<string> {
  await reset();
  await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 1);
  const id: string = (await track(SEED_URLS.hankyoreh1stRound)).json.id;
  await serveTimelineEntry(SEED_URLS.hankyoreh1stRound, 2);
  const { json } = await check(id);
  if (json.version?.n !== 2) throw new Error(`expected version 2, got ${JSON.stringify(json)}`);
  return id;
}

export const HOSTILE_URL = "https://fixtures.redline.test/articles/hostile.html";

/** A fresh store holding the test article whose text is markup (fixtures' hostile.html) with its two versions; returns its id. */
export async function freshHostileArticle(): Promise<string> {
  await reset();
  await setReplayClock("2019-01-01T00:00:00Z");
  const id: string = (await track(HOSTILE_URL)).json.id;
  await setReplayClock("2019-01-02T00:00:00Z");
  const { json } = await check(id);
  if (json.version?.n !== 2) throw new Error(`expected version 2, got ${JSON.stringify(json)}`);
  return id;
}

export async function check(id: string) {
  return api("POST", `/api/articles/${id}/check`);
}

export interface TimelineStep {
  k: number;
  outcome: string;
  changed: boolean;
  status: string;
  kinds: string[];
  summary: string | null;
  significance: number | null;
  version: number | null;
  finalUrl: string | null;
}

/** Tracks `url` at timeline entry 1 and checks it once at every later entry. */
export async function walkTimeline(url: string): Promise<{ id: string; steps: TimelineStep[] }> {
  await serveTimelineEntry(url, 1);
  const created = await track(url);
  expect(created.status).toBe(201);
  const id: string = created.json.id;
  const steps: TimelineStep[] = [];
  for (let k = 2; k <= versionTimes(url).length; k++) {
    await serveTimelineEntry(url, k);
    const { json } = await check(id);
    steps.push({
      k,
      outcome: json.outcome,
      changed: json.changed,
      status: json.status,
      kinds: json.change?.kinds ?? [],
      summary: json.change?.summary ?? null,
      significance: json.change?.significance ?? null,
      version: json.version?.n ?? null,
      finalUrl: json.article.finalUrl,
    });
  }
  return { id, steps };
}
