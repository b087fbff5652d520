import { Hono } from "hono";
import { problem } from "../api/problem";
import { cursorParam, pageSize } from "../api/params";
import type { Env } from "../env";
import { CHANGE_KINDS, type ChangeKind } from "../model";
import type { ChangeListItem } from "../storage/records";
import { trackerFor } from "../tracking";
import { buildFeed } from "./build";
import type { Feed, FeedEntry, FeedFormat } from "./model";

/** Readers poll; five minutes keeps them fresh without re-listing KV on every poll. */
const CACHE_CONTROL = "public, max-age=300";
const EMPTY_FEED_UPDATED = "1970-01-01T00:00:00.000Z";

function kindsFilter(raw: string | undefined): Set<ChangeKind> | null {
  if (raw === undefined || raw === "") return null;
  const kinds = raw.split(",").map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(CHANGE_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw problem(400, `\`kinds\` takes a comma-separated list of ${CHANGE_KINDS.join(", ")}; unknown: ${unknown.join(", ")}.`);
  return new Set(kinds as ChangeKind[]);
}

/** Where a reader sees the change: the redline for an edit, the capture for a first version, the article otherwise. */
function changeLink(origin: string, change: ChangeListItem): string {
  const article = `${origin}/api/articles/${change.articleId}`;
  if (change.from !== null && change.to !== null && change.from !== change.to) return `${article}/diff?from=${change.from}&to=${change.to}&format=html`;
  if (change.to !== null) return `${article}/versions/${change.to}`;
  return article;
}

const toEntry = (origin: string, change: ChangeListItem): FeedEntry => ({
  id: `urn:redline:change:${change.id}`,
  title: change.title,
  summary: change.summary,
  detectedAt: change.detectedAt,
  link: changeLink(origin, change),
  articleUrl: change.url,
  kinds: change.kinds,
});

/** A weak validator over the body: two polls that would get the same bytes get a 304. */
async function etagOf(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const hex = [...new Uint8Array(digest).slice(0, 12)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `W/"${hex}"`;
}

const matchesEtag = (ifNoneMatch: string | undefined, etag: string): boolean =>
  ifNoneMatch !== undefined && ifNoneMatch.split(",").some((candidate) => candidate.trim() === etag || candidate.trim() === "*");

export const feeds = new Hono<{ Bindings: Env }>();

feeds.get("/:file{changes\\.(atom|rss|json)}", async (c) => {
  const format = c.req.param("file").slice("changes.".length) as FeedFormat;
  const limit = pageSize(c.req.query("limit"));
  const kinds = kindsFilter(c.req.query("kinds"));
  const page = await trackerFor(c.env).store.listChanges(limit, cursorParam(c.req.query("cursor")), null);

  const requestUrl = new URL(c.req.url);
  const origin = requestUrl.origin;
  const entries = page.items.filter((change) => !kinds || change.kinds.some((kind) => kinds.has(kind))).map((change) => toEntry(origin, change));
  const nextUrl = page.cursor === null ? null : withParam(requestUrl, "cursor", page.cursor);
  const feed: Feed = {
    id: `${origin}/feeds/changes`,
    title: "Redline: changes to tracked articles",
    description: "Every edit Redline detected in the news articles it tracks, newest first.",
    selfUrl: requestUrl.toString(),
    nextUrl,
    homeUrl: `${origin}/api/changes`,
    updated: entries[0]?.detectedAt ?? EMPTY_FEED_UPDATED,
    entries,
  };
  const { body, contentType } = buildFeed(feed, format);
  const etag = await etagOf(body);
  const headers = { ETag: etag, "Cache-Control": CACHE_CONTROL };
  if (matchesEtag(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, "Content-Type": contentType });
});

function withParam(url: URL, name: string, value: string): string {
  const next = new URL(url);
  next.searchParams.set(name, value);
  return next.toString();
}
