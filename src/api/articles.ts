import { Hono } from "hono";
import type { HTTPException } from "hono/http-exception";
import { verifyChain } from "../archive/chain";
import { diffInHistory } from "../diffing";
import { REDLINE_PAGE_STYLE, renderRedlinePage, renderUnified, versionLabel, type DiffDocument } from "../diffing/render";
import type { AppEnv } from "../app-env";
import { articleIdFor, InvalidUrlError, normalizeArticleUrl, refusalReason } from "../fetching/url";
import { RENDERING_HEADERS, selfContainedRenderingHeaders } from "../security-headers";
import type { ArticleRecord, VersionRecord } from "../storage/records";
import { checkArticle, FirstCaptureError, RobotsRefusal, scaleSettings, setTracking, trackNewArticle, type CheckResult } from "../tracking";
import type { Tracker } from "../tracking/check";
import type { Env } from "../env";
import type { ArticleHead, RedlineStore } from "../storage/store";
import { requireAdmin } from "./auth";
import { waybackCaptureView } from "../channels/wayback";
import { rawCaptureResponse } from "./raw";
import { cursorParam, pageSize, readJsonObject, sourceIdParam, versionNumber } from "./params";
import { fieldProblem, problem } from "./problem";
import { quoteInput } from "../quote";

/** The public shape of an article; internal bookkeeping (validators, hashes) stays out. */
export function articleView(article: ArticleRecord) {
  return {
    id: article.id,
    url: article.url,
    site: article.site,
    title: article.title,
    status: article.status,
    tracking: article.tracking,
    firstSeenAt: article.firstSeenAt,
    lastCheckedAt: article.lastCheckedAt,
    lastChangedAt: article.lastChangedAt,
    nextCheckAt: article.tracking ? article.nextCheckAt : null,
    versionCount: article.versionCount,
    finalUrl: article.finalUrl,
    lastError: article.lastError,
    retireAt: article.retireAt,
  };
}

/** A URL to track, normalized and allowed by the host rules, or a 400 naming the `url` field. */
function trackableUrl(raw: unknown, allowLoopback: boolean): string {
  let url: string;
  try {
    url = normalizeArticleUrl(raw);
  } catch (error) {
    if (error instanceof InvalidUrlError) throw fieldProblem(400, "url", error.message, `Invalid \`url\`: ${error.message}.`);
    throw error;
  }
  const refusal = refusalReason(url, allowLoopback);
  if (refusal) throw fieldProblem(400, "url", refusal, `This URL cannot be tracked: ${refusal}.`);
  return url;
}

/**
 * A request to a host whose next slot is not free yet (a queued check, another immediate check,
 * a first capture, or the host's Retry-After holds it): answered at once with when, not waited for.
 */
export function hostNotFree(host: string, nextAllowedAtMs: number, nowMs: number, nothingDone: string): HTTPException {
  const seconds = Math.max(1, Math.ceil((nextAllowedAtMs - nowMs) / 1000));
  const nextAllowedAt = new Date(nextAllowedAtMs).toISOString();
  return problem(
    429,
    `${host} is not free until ${nextAllowedAt}: Redline spaces its requests to one host (its minimum interval, Crawl-delay or Retry-After), and an earlier request holds the host until then. ${nothingDone}; try again in ${seconds} s.`,
    { "Retry-After": String(seconds) },
    { host, nextAllowedAt },
  );
}

/** A tracked article, and whether this request created it (201) or found it (200, resumed if it was stopped). */
export interface Tracked {
  article: ArticleRecord;
  created: boolean;
}

/**
 * Tracks a URL, as `POST /api/articles` and the admin page's form both do: an article already
 * stored is resumed if stopped; a new one is captured at once (version 1), its host's slot
 * claimed first. Every refusal is a problem: 400 (the `url` field), 422, 429.
 */
export async function trackUrl(tracker: Tracker, env: Env, rawUrl: unknown): Promise<Tracked> {
  const url = trackableUrl(rawUrl, env.ALLOW_LOOPBACK === "true");
  const id = await articleIdFor(url);
  const existing = await tracker.store.getArticle(id);
  if (existing) {
    if (existing.tracking) return { article: existing, created: false };
    const resumed = await setTracking(tracker.store, id, true, Date.now());
    return { article: resumed ?? existing, created: false };
  }
  // The first capture is a request to the host like any check: it claims the host's slot first.
  const nowMs = Date.now();
  const site = new URL(url).hostname;
  const claim = await tracker.store.claimHost(site, nowMs, scaleSettings(env).minHostIntervalMs);
  if (!claim.claimed) throw hostNotFree(site, claim.host.nextAllowedAt, nowMs, "Nothing was fetched or stored");
  try {
    const result = await trackNewArticle(tracker, { id, url }, nowMs, claim.host);
    // Another request may have created the article first; this capture was then checked against it.
    return { article: result.article, created: result.outcome === "created" };
  } catch (error) {
    if (error instanceof RobotsRefusal) throw problem(422, `This URL cannot be tracked: ${error.message}. Nothing was fetched or stored.`);
    if (error instanceof FirstCaptureError) throw problem(422, `${error.message.replace(/\.+$/, "")}. Nothing was stored; try again later.`);
    throw error;
  }
}

export const articles = new Hono<AppEnv>();

articles.post("/", requireAdmin, async (c) => {
  const body = await readJsonObject(c.req.raw, '{"url": "https://…"}');
  if (!("url" in body)) throw fieldProblem(400, "url", "required", 'The request body must be a JSON object with a `url` field, e.g. {"url": "https://…"}.');
  const { article, created } = await trackUrl(c.var.tracker, c.env, body.url);
  if (!created) return c.json(articleView(article), 200);
  return c.json(articleView(article), 201, { Location: `/api/articles/${article.id}` });
});

const ARTICLE_ID = /^[0-9a-f]{16}$/;

articles.get("/", async (c) => {
  const limit = pageSize(c.req.query("limit"));
  const cursor = cursorParam(c.req.query("cursor"));
  const source = c.req.query("source");
  if (source === undefined) {
    const page = await c.var.tracker.store.listArticles(limit, cursor);
    return c.json({ items: page.items.map(articleView), cursor: page.cursor });
  }
  // The articles a source found, newest found first (a deleted source's articles included).
  const { sources } = c.var.tracker;
  const page = await sources.articlesFound(sourceIdParam(source), limit, cursor);
  if (page.items.length === 0 && cursor === null && !(await sources.get(source))) throw problem(404, `No source with id ${quoteInput(source)}.`);
  return c.json({ items: page.items.map(({ article, foundAt, entryTitle }) => ({ ...articleView(article), foundAt, entryTitle })), cursor: page.cursor });
});

/** The article's head (row, revision, latest version's index row), or a 404. */
export async function loadHead(store: RedlineStore, id: string): Promise<ArticleHead> {
  const head = ARTICLE_ID.test(id) ? await store.getHead(id) : null;
  if (!head) throw problem(404, `No article with id ${quoteInput(id)}.`);
  return head;
}

export async function loadArticle(store: RedlineStore, id: string): Promise<ArticleRecord> {
  return (await loadHead(store, id)).article;
}

export async function loadVersion(store: RedlineStore, article: ArticleRecord, n: number): Promise<VersionRecord> {
  const version = n <= article.versionCount ? await store.getVersion(article.id, n) : null;
  if (!version) throw problem(404, `Article ${article.id} has no version ${n}; it has ${article.versionCount}.`);
  return version;
}

/**
 * The diff of two stored versions, as the change between them reports it (a version repeating an
 * older one is a revert): two version reads and one query of the article's version index.
 */
export async function loadDiff(store: RedlineStore, article: ArticleRecord, from: number, to: number): Promise<DiffDocument> {
  const [before, after, history] = await Promise.all([
    loadVersion(store, article, from),
    loadVersion(store, article, to),
    store.listVersions(article.id),
  ]);
  return { articleUrl: article.url, from: versionLabel(before), to: versionLabel(after), diff: diffInHistory(before, after, history) };
}

articles.get("/:id", async (c) => {
  const { store, sources } = c.var.tracker;
  const id = c.req.param("id");
  // Both reads at once: the head, and the article's article_sources rows (its primary key) with their sources.
  const [article, foundBy] = await Promise.all([loadArticle(store, id), ARTICLE_ID.test(id) ? sources.sourcesOf(id) : []]);
  return c.json({
    ...articleView(article),
    sources: foundBy.map(({ id: sourceId, url, foundAt, entryTitle }) => ({ id: sourceId, url, foundAt, entryTitle })),
  });
});

/** Stops tracking an article (`DELETE /api/articles/:id`, the article page's Untrack button); its history stays. */
export async function untrack(store: RedlineStore, id: string): Promise<ArticleRecord> {
  const article = await loadArticle(store, id);
  return (await setTracking(store, article.id, false, Date.now())) ?? { ...article, tracking: false };
}

articles.delete("/:id", requireAdmin, async (c) => c.json(articleView(await untrack(c.var.tracker.store, c.req.param("id")))));

/**
 * Checks a tracked (or retired) article now, whatever its schedule, as `POST /api/articles/:id/check`
 * and the article page's Check now button do: 404, 409 when tracking was stopped, 429 when the host is not free.
 */
export async function checkNow(tracker: Tracker, env: Env, id: string): Promise<CheckResult> {
  const nowMs = Date.now();
  const { minHostIntervalMs } = scaleSettings(env);
  // The claim a queued check makes (the same compare-and-set on the host's slot), and the head, in one round trip.
  const { claimed, head } = ARTICLE_ID.test(id) ? await tracker.store.claimHostForCheck(id, nowMs, minHostIntervalMs) : { claimed: false, head: null };
  if (!head) throw problem(404, `No article with id ${quoteInput(id)}.`);
  if (!head.article.tracking && head.article.status !== "retired") {
    throw problem(409, `Article ${head.article.id} is not tracked any more; POST its URL to /api/articles to resume.`);
  }
  // A retired article (its source's trackDays are over) is resumed by asking for a check: tracked
  // again until stopped, then checked like any other, the host's slot claimed first.
  const resumed = head.article.tracking ? { claimed, head } : await resumeForCheck(tracker.store, id, nowMs, minHostIntervalMs);
  const { article } = resumed.head;
  if (!resumed.claimed) throw hostNotFree(article.site, resumed.head.host?.nextAllowedAt ?? nowMs, nowMs, "Nothing was fetched");
  return checkArticle(tracker, resumed.head, nowMs);
}

articles.post("/:id/check", requireAdmin, async (c) => {
  const result = await checkNow(c.var.tracker, c.env, c.req.param("id"));
  return c.json({
    changed: result.changed,
    outcome: result.outcome,
    status: result.article.status,
    version: result.version,
    change: result.change,
    error: result.error,
    article: articleView(result.article),
  });
});

/** Tracking on again (`setTracking` clears `retireAt` and the `retired` status), then the claim and head read of any immediate check. */
async function resumeForCheck(store: RedlineStore, id: string, nowMs: number, minHostIntervalMs: number): Promise<{ claimed: boolean; head: ArticleHead }> {
  await setTracking(store, id, true, nowMs);
  const { claimed, head } = await store.claimHostForCheck(id, nowMs, minHostIntervalMs);
  if (!head) throw problem(404, `No article with id ${quoteInput(id)}.`);
  return { claimed, head };
}

articles.get("/:id/versions", async (c) => {
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  return c.json({ items: await store.listVersions(article.id) });
});

articles.get("/:id/versions/:n", async (c) => {
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  const n = versionNumber(c.req.param("n"), "n")!;
  const [version, wayback] = await Promise.all([loadVersion(store, article, n), c.var.tracker.wayback.captureOf(article.id, n)]);
  // The record exactly as stored, so its digest is the next version's prevRecordSha256; `wayback`
  // (once the wayback channel requested a capture of this version) is beside it, not part of it.
  return c.json(wayback ? { ...version, wayback: waybackCaptureView(wayback) } : version);
});

articles.get("/:id/versions/:n/raw", async (c) => {
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  const version = await loadVersion(store, article, versionNumber(c.req.param("n"), "n")!);
  return rawCaptureResponse(store, article.id, version);
});

articles.get("/:id/verify", async (c) => {
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  const versions: VersionRecord[] = [];
  for (let n = 1; n <= article.versionCount; n++) versions.push(await loadVersion(store, article, n));
  return c.json(await verifyChain(versions, (sha256) => store.getRaw(sha256)));
});

articles.get("/:id/diff", async (c) => {
  const format = diffFormat(c.req.query("format"), c.req.header("Accept"));
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  const to = versionNumber(c.req.query("to"), "to") ?? article.versionCount;
  const from = versionNumber(c.req.query("from"), "from") ?? to - 1;
  if (from < 1) throw problem(404, `Article ${article.id} has only ${article.versionCount} version; there is nothing to compare yet.`);
  if (from === to) throw problem(400, "`from` and `to` must name two different versions.");
  const document = await loadDiff(store, article, from, to);
  if (format === "json") return c.json({ from, to, ...document.diff });
  if (format === "unified") return c.text(renderUnified(document), 200, RENDERING_HEADERS);
  return c.html(renderRedlinePage(document), 200, await selfContainedRenderingHeaders(REDLINE_PAGE_STYLE));
});

const DIFF_FORMATS = ["json", "unified", "html"] as const;
type DiffFormat = (typeof DIFF_FORMATS)[number];
const FORMAT_BY_MEDIA_TYPE: Record<string, DiffFormat> = { "application/json": "json", "text/plain": "unified", "text/html": "html" };

/** `?format=` wins; otherwise the first media type in `Accept` that has a rendering; JSON by default. */
function diffFormat(requested: string | undefined, accept: string | undefined): DiffFormat {
  if (requested !== undefined) {
    if ((DIFF_FORMATS as readonly string[]).includes(requested)) return requested as DiffFormat;
    throw problem(400, `\`format\` must be one of ${DIFF_FORMATS.join(", ")}, not ${quoteInput(requested)}.`);
  }
  for (const range of (accept ?? "").split(",")) {
    const format = FORMAT_BY_MEDIA_TYPE[range.split(";")[0]!.trim().toLowerCase()];
    if (format) return format;
  }
  return "json";
}
