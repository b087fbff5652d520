/**
 * The archive routes. Memento (RFC 7089) over HTTP: TimeMaps, a TimeGate and mementos for every
 * tracked URL. The original URL is the rest of the path, query included, exactly as archives'
 * URI schemes have it: `/timegate/https://english.hani.co.kr/arti/…/917772.html`. And WARC
 * exports: `/api/articles/:id/warc` and `/api/warc?since=`.
 */
import { Hono } from "hono";
import { loadArticle, loadVersion } from "../api/articles";
import { decodedPath, instantParam } from "../api/params";
import { problem } from "../api/problem";
import { rawCaptureResponse } from "../api/raw";
import { RENDERING_HEADERS } from "../security-headers";
import type { AppContext, AppEnv } from "../app-env";
import { articleIdFor, InvalidUrlError, normalizeArticleUrl } from "../fetching/url";
import type { ArticleRecord, VersionRecord } from "../storage/records";
import { articleCaptures, capturesSince } from "./export";
import {
  closestMemento,
  compactDatetime,
  httpDate,
  jsonTimeMap,
  linkFormatTimeMap,
  mementoLinkHeader,
  mementosOf,
  mementoUris,
  parseCompactDatetime,
  parseHttpDate,
  type AlternateMemento,
  type Memento,
} from "./memento";
import { WARC_MEDIA_TYPE, warcGzipStream, warcRecords, type WarcCapture } from "./warc";
import { quoteInput } from "../quote";

type RouteContext = AppContext;

/**
 * The original URL after `prefix`, without Redline's own query parameters (`ownParams`);
 * proxies sometimes fold `https://` to `https:/`, so that is undone.
 */
function originalUrlAfter(c: RouteContext, prefix: string, ownParams: string[] = []): string {
  const url = new URL(c.req.url);
  for (const name of ownParams) url.searchParams.delete(name);
  const rest = decodedPath(url.pathname).slice(prefix.length) + url.search;
  return rest.replace(/^(https?):\/+/i, "$1://");
}

interface TrackedUrl {
  article: ArticleRecord;
  mementos: Memento[];
  uris: ReturnType<typeof mementoUris>;
}

async function trackedUrl(c: RouteContext, original: string): Promise<TrackedUrl> {
  let canonical: string;
  try {
    canonical = normalizeArticleUrl(original);
  } catch (error) {
    if (error instanceof InvalidUrlError) throw problem(400, `Not an article URL (${error.message}): ${quoteInput(original)}.`);
    throw error;
  }
  const { store } = c.var.tracker;
  const article = await store.getArticle(await articleIdFor(canonical));
  if (!article) throw problem(404, `Redline does not track ${quoteInput(canonical)}, so it holds no mementos of it.`);
  const versions = await store.listVersions(article.id);
  return { article, mementos: mementosOf(versions), uris: mementoUris(new URL(c.req.url).origin, article.url) };
}

/** The extracted text of a capture, for `?view=text`. */
function textView(version: VersionRecord): string {
  const lines = [version.title, version.byline ?? "", `Published: ${version.publishedAt ?? "unknown"}`, `Modified: ${version.modifiedAt ?? "unknown"}`, "", ...version.paragraphs.flatMap((paragraph) => [paragraph, ""])];
  return lines.join("\n");
}

export const memento = new Hono<AppEnv>();

/** The Wayback Machine's captures of the article's versions (the wayback channel), the TimeMap's alternate mementos. */
const alternatesOf = (c: RouteContext, article: ArticleRecord): Promise<AlternateMemento[]> => c.var.tracker.wayback.mementosOf(article.id);

memento.get("/timemap/link/*", async (c) => {
  const { article, mementos, uris } = await trackedUrl(c, originalUrlAfter(c, "/timemap/link/"));
  return c.body(linkFormatTimeMap(uris, mementos, await alternatesOf(c, article)), 200, { "Content-Type": "application/link-format" });
});

memento.get("/timemap/json/*", async (c) => {
  const { article, mementos, uris } = await trackedUrl(c, originalUrlAfter(c, "/timemap/json/"));
  return c.json(jsonTimeMap(uris, mementos, await alternatesOf(c, article)));
});

memento.get("/timegate/*", async (c) => {
  const { mementos, uris } = await trackedUrl(c, originalUrlAfter(c, "/timegate/"));
  const requested = c.req.header("Accept-Datetime");
  const atMs = requested === undefined ? Number.POSITIVE_INFINITY : parseHttpDate(requested);
  if (atMs === null) throw problem(400, `\`Accept-Datetime\` must be an RFC 1123 date such as "Tue, 19 Nov 2019 08:44:00 GMT", not ${quoteInput(requested)}.`, { Vary: "accept-datetime" });
  const chosen = atMs === Number.POSITIVE_INFINITY ? mementos.at(-1)! : closestMemento(mementos, atMs)!;
  return c.body(null, 302, {
    Location: uris.memento(chosen),
    Vary: "accept-datetime",
    Link: `<${uris.original}>; rel="original", <${uris.timemapLink}>; rel="timemap"; type="application/link-format"`,
  });
});

memento.get("/memento/:datetime{\\d{4,14}}/*", async (c) => {
  const atMs = parseCompactDatetime(c.req.param("datetime"));
  if (atMs === null) throw problem(400, `A memento datetime is YYYYMMDDhhmmss (UTC), not ${quoteInput(c.req.param("datetime"))}.`);
  const prefix = `/memento/${c.req.param("datetime")}/`;
  const { article, mementos, uris } = await trackedUrl(c, originalUrlAfter(c, prefix, ["view"]));
  const chosen = closestMemento(mementos, atMs)!;
  // Like web archives, an inexact datetime redirects to the capture it resolves to.
  const view = c.req.query("view");
  if (chosen.atMs !== atMs) {
    const target = new URL(uris.memento(chosen));
    if (view !== undefined) target.searchParams.set("view", view);
    return c.body(null, 302, { Location: target.toString() });
  }

  const headers = { "Memento-Datetime": httpDate(chosen.atMs), Link: mementoLinkHeader(uris, mementos, chosen) };
  const { store } = c.var.tracker;
  const version = await loadVersion(store, article, chosen.n);
  if (view === "text") return c.text(textView(version), 200, { ...RENDERING_HEADERS, ...headers });
  return rawCaptureResponse(store, article.id, version, headers);
});

/** Streamed: the archive is written as the client reads it, one capture at a time. */
function warcResponse(filename: string, exportedAtMs: number, fields: Array<[string, string]>, captures: AsyncIterable<WarcCapture>): Response {
  const records = warcRecords({ filename, exportedAt: new Date(exportedAtMs).toISOString(), fields }, captures);
  return new Response(warcGzipStream(records), {
    headers: { "Content-Type": WARC_MEDIA_TYPE, "Content-Disposition": `attachment; filename="${filename}"` },
  });
}

export const warc = new Hono<AppEnv>();

warc.get("/articles/:id/warc", async (c) => {
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  const now = Date.now();
  const fields: Array<[string, string]> = [["redline-article-id", article.id], ["redline-article-url", article.url]];
  return warcResponse(`redline-${article.id}-${compactDatetime(now)}.warc.gz`, now, fields, articleCaptures(store, article, null));
});

warc.get("/warc", async (c) => {
  const sinceMs = instantParam(c.req.query("since"), "since");
  if (sinceMs === null) throw problem(400, "`since` is required: the earliest capture time to export, e.g. since=2019-11-20T00:00:00Z (since=1970-01-01 exports everything).");
  const now = Date.now();
  const fields: Array<[string, string]> = [["redline-since", new Date(sinceMs).toISOString()]];
  return warcResponse(`redline-since-${compactDatetime(sinceMs)}-${compactDatetime(now)}.warc.gz`, now, fields, capturesSince(c.var.tracker.store, sinceMs));
});
