/** Shared by the end-to-end tests: calling the worker, and steering the fixture replay origin. */
import { applyD1Migrations, reset as resetBindings } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import timeline from "../fixtures/timeline.json";
import type { Env } from "../src/env";

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
  await resetRobots();
}

/** Every fixture host's robots.txt back to its default (allow all; fixtures.redline.test disallows /private/), fetch counts zeroed. */
export async function resetRobots(): Promise<void> {
  await fetch(`${env.REPLAY_ORIGIN}/__replay/robots`, { method: "POST", body: JSON.stringify({ reset: true }) });
}

/** Replaces `host`'s robots.txt on the replay origin. */
export async function serveRobots(host: string, body: string, status = 200): Promise<void> {
  const response = await fetch(`${env.REPLAY_ORIGIN}/__replay/robots`, { method: "POST", body: JSON.stringify({ host, body, status }) });
  if (!response.ok) throw new Error(`replay robots: ${response.status} ${await response.text()}`);
}

/** How often each host's robots.txt was fetched since the last reset. */
export async function robotsFetches(): Promise<Record<string, number>> {
  return ((await (await fetch(`${env.REPLAY_ORIGIN}/__replay/robots`)).json()) as { fetches: Record<string, number> }).fetches;
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

/** What a browser sends: the pages answer HTML to it (and problem+json to other clients). */
export const BROWSER = { Accept: "text/html,application/xhtml+xml" };

/** A page as a browser gets it, asserting it is a 200 HTML page under the pages' CSP. */
export async function page(path: string): Promise<string> {
  const response = await getRaw(path, BROWSER);
  expect(response.status, path).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
  expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
  return response.text();
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

/** Serves a seed article's first timeline entry and tracks it; returns its id. */
export async function trackFirst(url: string): Promise<string> {
  await serveTimelineEntry(url, 1);
  return (await track(url)).json.id;
}

/** Tracks a seed article at its first timeline entry and checks it at its second; returns its id. */
export async function trackTwoVersions(url: string): Promise<string> {
  const id = await trackFirst(url);
  await serveTimelineEntry(url, 2);
  const { json } = await check(id);
  if (json.version?.n !== 2) throw new Error(`expected version 2, got ${JSON.stringify(json)}`);
  return id;
}

/** A fresh store holding one seed article (The Hankyoreh, 1st round) with two versions; returns its id. */
export async function freshArticleWithTwoVersions(): Promise<string> {
  await reset();
  return trackTwoVersions(SEED_URLS.hankyoreh1stRound);
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

export interface Counts {
  kvReads: number;
  kvWrites: number;
  d1Statements: number;
}

/** What D1 was asked, beyond the statement count: each round trip's statements, and the rows D1 reported. */
export interface D1Tally {
  /** One entry per round trip (a batch is one), each listing its statements as `VERB table`. */
  trips: string[][];
  /** Sums of `meta.rows_read` / `meta.rows_written` over every result. */
  rowsRead: number;
  rowsWritten: number;
}

/** `SELECT … FROM versions …` → `SELECT versions`; `INSERT INTO changes …` → `INSERT changes`. */
function statementLabel(sql: string): string {
  const text = sql.replace(/\s+/g, " ").trim();
  const verb = /^\w+/.exec(text)?.[0]?.toUpperCase() ?? "?";
  const table =
    verb === "SELECT"
      ? /\bFROM (\w+)/i.exec(text)?.[1]
      : verb === "INSERT"
        ? /^INSERT INTO (\w+)/i.exec(text)?.[1]
        : verb === "UPDATE"
          ? /^UPDATE (\w+)/i.exec(text)?.[1]
          : /^DELETE FROM (\w+)/i.exec(text)?.[1];
  return `${verb} ${table ?? "?"}`;
}

/**
 * The bindings as a Worker sees them, except that the `crashAt`-th write (a KV put or a D1
 * batch, counted together in order) throws, like a Worker killed at that point. `counts` tallies
 * every KV and D1 operation; `d1` lists the round trips and sums the rows D1 reports
 * (`first()` is run as `all()`, whose result carries the meta, and its first row returned);
 * `messages` counts queue sends (webhook announcements).
 */
export function instrumented(crashAt = Number.POSITIVE_INFINITY): { env: Env; counts: Counts; d1: D1Tally; messages: { sent: number } } {
  const counts: Counts = { kvReads: 0, kvWrites: 0, d1Statements: 0 };
  const d1: D1Tally = { trips: [], rowsRead: 0, rowsWritten: 0 };
  const messages = { sent: 0 };
  const sqlOf = new WeakMap<object, string>();
  const tally = (meta: D1Meta | undefined) => {
    d1.rowsRead += meta?.rows_read ?? 0;
    d1.rowsWritten += meta?.rows_written ?? 0;
  };
  let writes = 0;
  const write = (what: string) => {
    writes++;
    if (writes === crashAt) throw new Error(`simulated crash at write ${writes} (${what})`);
  };
  const kv = new Proxy(env.REDLINE_KV, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property === "put" || property === "delete") {
          counts.kvWrites++;
          write(`KV ${String(property)} ${String(args[0])}`);
        } else if (property === "get" || property === "getWithMetadata" || property === "list") {
          counts.kvReads++;
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy: D1PreparedStatement = new Proxy(statement, {
      get(st, prop) {
        const v = Reflect.get(st, prop);
        if (typeof v !== "function") return v;
        if (prop === "bind") return (...args: unknown[]) => wrap((v as (...a: unknown[]) => D1PreparedStatement).apply(st, args), sql);
        if (prop === "first") {
          return async (column?: string) => {
            counts.d1Statements++;
            d1.trips.push([statementLabel(sql)]);
            const { results, meta } = await st.all<Record<string, unknown>>();
            tally(meta);
            const row = results[0] ?? null;
            return column === undefined || row === null ? row : (row[column] ?? null);
          };
        }
        if (prop === "all" || prop === "run" || prop === "raw") {
          return async (...args: unknown[]) => {
            counts.d1Statements++;
            d1.trips.push([statementLabel(sql)]);
            const result = await (v as (...a: unknown[]) => Promise<unknown>).apply(st, args);
            // raw() returns bare rows, without meta.
            if (prop !== "raw") tally((result as D1Result).meta);
            return result;
          };
        }
        return v.bind(st);
      },
    });
    sqlOf.set(proxy, sql);
    return proxy;
  };
  const db = new Proxy(env.DB, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          counts.d1Statements += statements.length;
          d1.trips.push(statements.map((s) => statementLabel(sqlOf.get(s) ?? "?")));
          write(`D1 batch of ${statements.length}`);
          const results = await target.batch(statements);
          for (const result of results) tally(result.meta);
          return results;
        };
      }
      if (property === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      return value.bind(target);
    },
  });
  const queue = env.WEBHOOKS
    ? new Proxy(env.WEBHOOKS, {
        get(target, property) {
          const value = Reflect.get(target, property);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (property === "send") messages.sent++;
            if (property === "sendBatch") messages.sent += (args[0] as unknown[]).length;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      })
    : undefined;
  return { env: { ...env, REDLINE_KV: kv, DB: db, ...(queue ? { WEBHOOKS: queue } : {}) } as Env, counts, d1, messages };
}
