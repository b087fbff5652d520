/**
 * `/api/sources`: the sources (feeds, sitemaps, section pages) that find articles, their OPML
 * import and export. Adding a source fetches it once, politely (host rules, robots.txt, the
 * host's slot), to learn its type and title; its entries are read by its first scheduled check.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { checkSourceNow } from "../discovery/check-source";
import { FilterError, parseFilter } from "../discovery/filter";
import { SOURCE_TYPES, type SourceFilter, type SourceType } from "../discovery/model";
import { parseOpml, parseSource, renderOpml } from "../discovery/parse";
import { fetchSource } from "../fetching/fetch-source";
import { articleIdFor, InvalidUrlError, normalizeArticleUrl, refusalReason } from "../fetching/url";
import { quoteInput } from "../quote";
import type { SourceRecord } from "../storage/records";
import type { SourceCheckResult } from "../discovery/check-source";
import { DEFAULT_SOURCE_INTERVAL_MS, type NewSource, type SourceCatalog, type SourceSettings } from "../storage/sources";
import { scaleSettings } from "../tracking";
import type { Tracker } from "../tracking/check";
import type { Env } from "../env";
import { hostNotFree } from "./articles";
import { requireAdmin } from "./auth";
import { cursorParam, pageSize, readJsonObject, SOURCE_ID } from "./params";
import { fieldProblem, problem } from "./problem";

const MINUTE_MS = 60_000;
/** A schedule from every minute to once a week. */
const MAX_INTERVAL_MINUTES = 7 * 24 * 60;
/** Ten years: longer is "never", which is `trackDays` left out. */
const MAX_TRACK_DAYS = 3650;
/** Outlines one OPML import adds at most: one D1 batch of two statements holds them all. */
export const MAX_OPML_OUTLINES = 500;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The public shape of a source; validators, leases and the WebSub secret stay out. */
export function sourceView(source: SourceRecord) {
  return {
    id: source.id,
    url: source.url,
    type: source.type,
    title: source.title,
    status: source.status,
    filter: source.filter,
    trackDays: source.trackDays,
    intervalMinutes: source.intervalMs / MINUTE_MS,
    lastCheckedAt: source.lastCheckedAt,
    nextCheckAt: source.status === "paused" ? null : iso(source.nextCheckAt),
    entriesSeen: source.entriesSeen,
    articlesTracked: source.articlesTracked,
    lastError: source.lastError,
    ...(source.websubHub || source.websubState
      ? {
          websub: {
            hub: source.websubHub,
            topic: source.websubTopic,
            state: source.websubState,
            leaseUntil: iso(source.websubLeaseUntil),
            error: source.websubError,
            ignoredNotifications: source.websubIgnored,
          },
        }
      : {}),
  };
}

const FILTER_FIELDS = ["include", "exclude", "keywords", "maxAgeDays"] as const;
const CREATE_FIELDS = ["url", "type", ...FILTER_FIELDS, "trackDays", "intervalMinutes"] as const;
const PATCH_FIELDS = ["status", ...FILTER_FIELDS, "trackDays", "intervalMinutes"] as const;

function refuseUnknownFields(body: Record<string, unknown>, fields: readonly string[]): void {
  const unknown = Object.keys(body).find((key) => !fields.includes(key));
  if (unknown !== undefined) throw fieldProblem(400, unknown, "unknown field", `Unknown field ${quoteInput(unknown)}; the fields are ${fields.join(", ")}.`);
}

/** The filter fields of a body (`base` for those it leaves out; null removes one), checked by parseFilter. */
function filterOf(body: Record<string, unknown>, base: SourceFilter = {}): SourceFilter {
  const merged: Record<string, unknown> = { ...base };
  for (const field of FILTER_FIELDS) {
    if (!(field in body)) continue;
    if (body[field] === null) delete merged[field];
    else merged[field] = body[field];
  }
  try {
    return parseFilter(merged);
  } catch (error) {
    if (error instanceof FilterError) {
      const detail = `Invalid filter: ${error.message}.`;
      throw error.field ? fieldProblem(400, error.field, error.message, detail) : problem(400, detail);
    }
    throw error;
  }
}

function sourceType(raw: unknown): SourceType | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "string" && (SOURCE_TYPES as readonly string[]).includes(raw)) return raw as SourceType;
  const reason = `must be one of ${SOURCE_TYPES.join(", ")}, not ${quoteInput(raw)}`;
  throw fieldProblem(400, "type", reason, `\`type\` ${reason}.`);
}

/** `trackDays`: a whole number of days from 1 to 3650, or null (never retire). */
function trackDaysOf(raw: unknown): number | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 1 && raw <= MAX_TRACK_DAYS) return raw;
  const reason = `must be a whole number of days from 1 to ${MAX_TRACK_DAYS}, or null, not ${quoteInput(raw)}`;
  throw fieldProblem(400, "trackDays", reason, `\`trackDays\` ${reason}.`);
}

function intervalMsOf(raw: unknown): number {
  if (raw === undefined) return DEFAULT_SOURCE_INTERVAL_MS;
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 1 && raw <= MAX_INTERVAL_MINUTES) return raw * MINUTE_MS;
  const reason = `must be a whole number of minutes from 1 to ${MAX_INTERVAL_MINUTES}, not ${quoteInput(raw)}`;
  throw fieldProblem(400, "intervalMinutes", reason, `\`intervalMinutes\` ${reason}.`);
}

function sourceUrl(raw: unknown, allowLoopback: boolean): string {
  let url: string;
  try {
    url = normalizeArticleUrl(raw);
  } catch (error) {
    if (error instanceof InvalidUrlError) throw fieldProblem(400, "url", error.message, `Invalid \`url\`: ${error.message}.`);
    throw error;
  }
  const refusal = refusalReason(url, allowLoopback);
  if (refusal) throw fieldProblem(400, "url", refusal, `This URL cannot be a source: ${refusal}.`);
  return url;
}

export async function loadSource(catalog: SourceCatalog, id: string): Promise<SourceRecord> {
  const source = SOURCE_ID.test(id) ? await catalog.get(id) : null;
  if (!source) throw problem(404, `No source with id ${quoteInput(id)}.`);
  return source;
}

export const sources = new Hono<AppEnv>();

/** A source, and whether this request added it (201) or found it already there (200). */
export interface AddedSource {
  source: SourceRecord;
  created: boolean;
}

/**
 * Adds a source from the fields of a `POST /api/sources` body, for the API and the admin page's
 * form alike: every field checked first (a 400 names the field in `invalid-params`), then one
 * request to the source's host, as a first capture makes: its slot, its robots.txt, then the fetch.
 */
export async function addSource(tracker: Tracker, env: Env, body: Record<string, unknown>): Promise<AddedSource> {
  refuseUnknownFields(body, CREATE_FIELDS);
  const url = sourceUrl(body.url, env.ALLOW_LOOPBACK === "true");
  const type = sourceType(body.type);
  const filter = filterOf(body);
  const trackDays = trackDaysOf(body.trackDays);
  const intervalMs = intervalMsOf(body.intervalMinutes);
  const id = await articleIdFor(url);
  const existing = await tracker.sources.get(id);
  if (existing) return { source: existing, created: false };

  const nowMs = Date.now();
  const site = new URL(url).hostname;
  const claim = await tracker.store.claimHost(site, nowMs, scaleSettings(env).minHostIntervalMs);
  if (!claim.claimed) throw hostNotFree(site, claim.host.nextAllowedAt, nowMs, "Nothing was fetched or stored");
  const robots = await tracker.politeness?.robots(url, claim.host, nowMs);
  if (robots && !robots.allowed) throw problem(422, `This URL cannot be a source: ${robots.reason}. Nothing was fetched or stored.`);
  const fetched = await fetchSource(url, tracker.fetchOptions);
  if (fetched.kind !== "ok") {
    const reason = fetched.kind === "missing" ? `HTTP ${fetched.status}` : fetched.kind === "not-modified" ? "an unexpected 304" : fetched.reason;
    throw problem(422, `${quoteInput(url)} could not be read as a source: ${reason}. Nothing was stored.`);
  }
  const parsed = parseSource(fetched.body, { url: fetched.finalUrl, contentType: fetched.contentType, ...(type ? { type } : {}) });
  if (!parsed.ok) throw problem(422, `${quoteInput(url)} could not be read as a source: ${parsed.error}. Nothing was stored.`);

  // Another request may have added it meanwhile: that one stands.
  return tracker.sources.create({ id, url, type: parsed.type, title: parsed.title ?? "", filter, trackDays, intervalMs }, nowMs);
}

sources.post("/", requireAdmin, async (c) => {
  const body = await readJsonObject(c.req.raw, '{"url": "https://…/rss.xml"}');
  if (!("url" in body)) throw fieldProblem(400, "url", "required", 'The request body must be a JSON object with a `url` field, e.g. {"url": "https://…/rss.xml"}.');
  const { source, created } = await addSource(c.var.tracker, c.env, body);
  if (!created) return c.json(sourceView(source), 200);
  return c.json(sourceView(source), 201, { Location: `/api/sources/${source.id}` });
});

sources.get("/", async (c) => {
  const page = await c.var.tracker.sources.list(pageSize(c.req.query("limit")), cursorParam(c.req.query("cursor")));
  return c.json({ items: page.items.map(sourceView), cursor: page.cursor });
});

/**
 * Imports an OPML subscription list: every outline with an `xmlUrl` becomes a source, without
 * fetching it (its type, when the outline gives none, is detected at its first check). One D1
 * batch for the whole list.
 */
sources.post("/opml", requireAdmin, async (c) => {
  const opml = parseOpml(await c.req.text());
  if (!opml.ok) throw problem(400, `${opml.error.charAt(0).toUpperCase()}${opml.error.slice(1)}.`);
  if (opml.outlines.length > MAX_OPML_OUTLINES) {
    throw problem(413, `An import adds at most ${MAX_OPML_OUTLINES} sources; this list has ${opml.outlines.length}. Split it.`);
  }
  const allowLoopback = c.env.ALLOW_LOOPBACK === "true";
  const failed: Array<{ url: string; reason: string }> = [];
  const wanted = new Map<string, NewSource>();
  for (const outline of opml.outlines) {
    let url: string;
    try {
      url = normalizeArticleUrl(outline.url);
    } catch (error) {
      if (!(error instanceof InvalidUrlError)) throw error;
      failed.push({ url: outline.url, reason: error.message });
      continue;
    }
    const refusal = refusalReason(url, allowLoopback);
    if (refusal) {
      failed.push({ url: outline.url, reason: refusal });
      continue;
    }
    const id = await articleIdFor(url);
    // The same feed listed twice (two folders) is one source.
    if (!wanted.has(id)) wanted.set(id, { id, url, type: outline.type, title: outline.title ?? "", filter: {}, trackDays: null, intervalMs: DEFAULT_SOURCE_INTERVAL_MS });
  }
  const stored = await c.var.tracker.sources.createMany([...wanted.values()], Date.now());
  return c.json({
    created: stored.sources.filter((source) => stored.created.has(source.id)).map(sourceView),
    existing: stored.sources.filter((source) => !stored.created.has(source.id)).map(sourceView),
    failed,
  });
});

sources.get("/:id", async (c) => c.json(sourceView(await loadSource(c.var.tracker.sources, c.req.param("id")))));

/** Changes a source from the fields of a `PATCH /api/sources/:id` body (the admin page's Pause and Resume send `status`). */
export async function updateSource(tracker: Tracker, source: SourceRecord, body: Record<string, unknown>): Promise<SourceRecord> {
  refuseUnknownFields(body, PATCH_FIELDS);
  const settings: SourceSettings = {};
  if ("status" in body) {
    if (body.status !== "active" && body.status !== "paused") {
      const reason = `must be "active" or "paused", not ${quoteInput(body.status)}`;
      throw fieldProblem(400, "status", reason, `\`status\` ${reason}.`);
    }
    settings.status = body.status;
  }
  if (FILTER_FIELDS.some((field) => field in body)) settings.filter = filterOf(body, source.filter);
  if ("trackDays" in body) settings.trackDays = trackDaysOf(body.trackDays);
  if ("intervalMinutes" in body) settings.intervalMs = intervalMsOf(body.intervalMinutes);
  const updated = await tracker.sources.update(source.id, settings, Date.now());
  if (!updated) throw problem(404, `No source with id ${quoteInput(source.id)}.`);
  return updated;
}

sources.patch("/:id", requireAdmin, async (c) => {
  // The source first: an unknown id is a 404 whatever the body.
  const source = await loadSource(c.var.tracker.sources, c.req.param("id"));
  const body = await readJsonObject(c.req.raw, '{"status": "paused"}');
  return c.json(sourceView(await updateSource(c.var.tracker, source, body)));
});

/** What a source check now did: the source's check result, and the source as it is after it. */
export interface SourceCheckNow {
  result: SourceCheckResult;
  source: SourceRecord;
}

/**
 * Checks a source now, whatever its schedule (paused too; it stays paused), as its scheduled
 * check would; for `POST /api/sources/:id/check` and the source page's Check now button.
 */
export async function checkSourceAt(tracker: Tracker, env: Env, id: string): Promise<SourceCheckNow> {
  const source = await loadSource(tracker.sources, id);
  const nowMs = Date.now();
  const answer = await checkSourceNow(tracker, source.id, nowMs, env);
  if (answer.kind === "not-found") throw problem(404, `No source with id ${quoteInput(source.id)}.`);
  if (answer.kind === "host-busy") throw hostNotFree(answer.host, answer.nextAllowedAt, nowMs, "Nothing was fetched");
  const { result } = answer;
  if (result.outcome === "gone") throw problem(404, `Source ${source.id} was deleted while it was being checked.`);
  return { result, source: (await tracker.sources.get(source.id)) ?? source };
}

/**
 * `tracked` lists the articles that are or will be tracked from it — existing ones linked at
 * once, new ones whose first capture is `queued` on `redline-checks`, spaced per host.
 */
sources.post("/:id/check", requireAdmin, async (c) => {
  const { result, source } = await checkSourceAt(c.var.tracker, c.env, c.req.param("id"));
  return c.json({
    outcome: result.outcome,
    found: result.found,
    tracked: [...result.linked, ...result.queued.map((entry) => entry.articleId)],
    linked: result.linked,
    queued: result.queued.map((entry) => ({ url: entry.url, articleId: entry.articleId, notBefore: iso(entry.notBefore) })),
    skipped: result.skipped,
    error: result.error,
    source: sourceView(source),
  });
});

/** Deletes a source (the API's DELETE, the source page's Delete button); the articles it found stay tracked and keep saying what found them. */
export async function deleteSource(tracker: Tracker, id: string): Promise<SourceRecord> {
  const source = await loadSource(tracker.sources, id);
  await tracker.sources.delete(source.id);
  return source;
}

sources.delete("/:id", requireAdmin, async (c) => c.json(sourceView(await deleteSource(c.var.tracker, c.req.param("id")))));

/** `GET /api/sources.opml`, outside the sub-app's `/:id` (mounted at `/api` in src/app.ts). */
export const sourcesOpml = new Hono<AppEnv>();

sourcesOpml.get("/sources.opml", async (c) => {
  const all = await c.var.tracker.sources.all();
  // An outline without a type means "a feed, detect which" to readers and to the import alike.
  const body = renderOpml(
    "Redline sources",
    all.map((source) => ({ url: source.url, title: source.title, type: source.type ?? "rss" })),
    new Date().toUTCString(),
  );
  return c.body(body, 200, { "Content-Type": "text/x-opml; charset=utf-8", "Content-Disposition": 'attachment; filename="redline-sources.opml"' });
});
