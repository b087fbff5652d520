import { Hono } from "hono";
import { problem } from "../api/problem";
import { beforeParam, cursorParam, pageSize } from "../api/params";
import { sha256Hex } from "../digest";
import type { AppContext, AppEnv } from "../app-env";
import type { ChangeListItem, VersionRecord } from "../storage/records";
import { diffVersions } from "../diffing";
import { renderRedlineFragment, versionLabel } from "../diffing/render";
import type { RedlineStore } from "../storage/store";
import { buildFeed } from "./build";
import { matchesFilter, parseKinds, parseMinSignificance, type ChangeFilter } from "./filter";
import type { Feed, FeedEntry, FeedFormat } from "./model";
import { quoteInput } from "../quote";

/** Readers poll; five minutes keeps them fresh without re-listing KV on every poll. */
const CACHE_CONTROL = "public, max-age=300";
/** A feed entry shows each change with one paragraph either side, not the whole article. */
const FEED_CONTEXT_PARAGRAPHS = 1;
const EMPTY_FEED_UPDATED = "1970-01-01T00:00:00.000Z";

/** Where a reader sees the change: the redline for an edit, the capture for a first version, the article otherwise. */
function changeLink(origin: string, change: ChangeListItem): string {
  const article = `${origin}/api/articles/${change.articleId}`;
  if (change.from !== null && change.to !== null && change.from !== change.to) return `${article}/diff?from=${change.from}&to=${change.to}&format=html`;
  if (change.to !== null) return `${article}/versions/${change.to}`;
  return article;
}

const toEntry = (origin: string, change: ChangeListItem, contentHtml: string | null): FeedEntry => ({
  id: `urn:redline:change:${change.id}`,
  title: change.title,
  summary: change.summary,
  detectedAt: change.detectedAt,
  link: changeLink(origin, change),
  articleUrl: change.url,
  kinds: change.kinds,
  significance: change.significance ?? null,
  contentHtml,
});

/**
 * The redline fragment of each version-to-version change. Consecutive changes of one article
 * share a version, so each version is read once per feed page.
 */
async function redlinesOf(store: RedlineStore, changes: ChangeListItem[]): Promise<Array<string | null>> {
  const versions = new Map<string, Promise<VersionRecord | null>>();
  const version = (articleId: string, n: number): Promise<VersionRecord | null> => {
    const key = `${articleId}:${n}`;
    if (!versions.has(key)) versions.set(key, store.getVersion(articleId, n));
    return versions.get(key)!;
  };
  return Promise.all(
    changes.map(async (change) => {
      if (change.from === null || change.to === null || change.from === change.to) return null;
      const [before, after] = await Promise.all([version(change.articleId, change.from), version(change.articleId, change.to)]);
      if (!before || !after) return null;
      const document = { articleUrl: change.url, from: versionLabel(before), to: versionLabel(after), diff: diffVersions(before, after) };
      return renderRedlineFragment(document, { context: FEED_CONTEXT_PARAGRAPHS });
    }),
  );
}

/** A weak validator over the body: two polls that would get the same bytes get a 304. */
async function etagOf(body: string): Promise<string> {
  return `W/"${(await sha256Hex(body)).slice(0, 24)}"`;
}

const matchesEtag = (ifNoneMatch: string | undefined, etag: string): boolean =>
  ifNoneMatch !== undefined && ifNoneMatch.split(",").some((candidate) => candidate.trim() === etag || candidate.trim() === "*");

/** What a feed route decides; the rest (entries, paging links, format, validators) is shared. */
interface FeedPage {
  id: string;
  title: string;
  description: string;
  homePath: string;
  changes: ChangeListItem[];
  /** Query parameters that fetch the next (older) page, or null on the last page. */
  next: Record<string, string> | null;
}

/** The feed's `kinds` and `min_significance`, applied in the SQL query of the page. */
function feedFilter(c: AppContext): ChangeFilter {
  return { kinds: parseKinds(c.req.query("kinds")), minSignificance: parseMinSignificance(c.req.query("min_significance")) };
}

async function feedResponse(c: AppContext, format: FeedFormat, page: FeedPage): Promise<Response> {
  const filter = feedFilter(c);
  const requestUrl = new URL(c.req.url);
  const origin = requestUrl.origin;
  const shown = page.changes.filter((change) => matchesFilter(change, filter));
  const redlines = await redlinesOf(c.var.tracker.store, shown);
  const entries = shown.map((change, index) => toEntry(origin, change, redlines[index]!));
  const feed: Feed = {
    id: `${origin}${page.id}`,
    title: page.title,
    description: page.description,
    selfUrl: requestUrl.toString(),
    nextUrl: page.next === null ? null : withParams(requestUrl, page.next),
    homeUrl: `${origin}${page.homePath}`,
    updated: entries[0]?.detectedAt ?? EMPTY_FEED_UPDATED,
    entries,
  };
  const { body, contentType } = buildFeed(feed, format);
  const etag = await etagOf(body);
  const headers = { ETag: etag, "Cache-Control": CACHE_CONTROL };
  if (matchesEtag(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, "Content-Type": contentType });
}

function withParams(url: URL, params: Record<string, string>): string {
  const next = new URL(url);
  for (const [name, value] of Object.entries(params)) next.searchParams.set(name, value);
  return next.toString();
}

/** `changes.atom` → `atom`; the route patterns only let the three formats through. */
const formatOf = (file: string): FeedFormat => file.slice(file.lastIndexOf(".") + 1) as FeedFormat;

export const feeds = new Hono<AppEnv>();

feeds.get("/:file{changes\\.(atom|rss|json)}", async (c) => {
  const limit = pageSize(c.req.query("limit"));
  const page = await c.var.tracker.store.listChanges({ limit, cursor: cursorParam(c.req.query("cursor")), ...feedFilter(c) });
  return feedResponse(c, formatOf(c.req.param("file")), {
    id: "/feeds/changes",
    title: "Redline: changes to tracked articles",
    description: "Every edit Redline detected in the news articles it tracks, newest first.",
    homePath: "/api/changes",
    changes: page.items,
    next: page.cursor === null ? null : { cursor: page.cursor },
  });
});

feeds.get("/articles/:file{[0-9a-f]{16}\\.(atom|rss|json)}", async (c) => {
  const file = c.req.param("file");
  const id = file.slice(0, 16);
  const limit = pageSize(c.req.query("limit"));
  const before = beforeParam(c.req.query("before"));
  const { store } = c.var.tracker;
  const article = await store.getArticle(id);
  if (!article) throw problem(404, `No article with id ${quoteInput(id)}.`);
  const page = await store.listArticleChanges(id, limit, before, feedFilter(c));
  return feedResponse(c, formatOf(file), {
    id: `/feeds/articles/${id}`,
    title: `Redline: ${article.title || article.url}`,
    description: `Every edit Redline detected in ${article.url}, newest first.`,
    homePath: `/api/articles/${id}`,
    changes: page.items,
    next: page.nextBeforeSeq === null ? null : { before: String(page.nextBeforeSeq) },
  });
});

feeds.get("/sites/:file{[^/]+\\.(atom|rss|json)}", async (c) => {
  const file = c.req.param("file");
  const host = file.slice(0, file.lastIndexOf(".")).toLowerCase();
  const limit = pageSize(c.req.query("limit"));
  const cursor = cursorParam(c.req.query("cursor"));
  const filter = feedFilter(c);
  const { store } = c.var.tracker;
  const page = await store.listChanges({ limit, cursor, site: host, ...filter });
  const filtered = filter.kinds !== null || filter.minSignificance > 0;
  if (cursor === null && page.items.length === 0 && (!filtered || (await store.listChanges({ limit: 1, site: host })).items.length === 0)) throw problem(404, `Redline has recorded no change on ${quoteInput(host)}; site feeds are named by the host of tracked article URLs, e.g. /feeds/sites/english.hani.co.kr.atom.`);
  return feedResponse(c, formatOf(file), {
    id: `/feeds/sites/${host}`,
    title: `Redline: changes on ${host}`,
    description: `Every edit Redline detected in tracked articles on ${host}, newest first.`,
    homePath: "/api/changes",
    changes: page.items,
    next: page.cursor === null ? null : { cursor: page.cursor },
  });
});

/**
 * The changes of the articles one source found: one query over the change index limited to the
 * source's `article_sources` rows (plus the source's row for the title), newest first, paged
 * like the site feeds. A deleted source's feed stays while its articles' rows do.
 */
feeds.get("/sources/:file{[0-9a-f]{16}\\.(atom|rss|json)}", async (c) => {
  const file = c.req.param("file");
  const id = file.slice(0, 16);
  const limit = pageSize(c.req.query("limit"));
  const cursor = cursorParam(c.req.query("cursor"));
  const { store, sources } = c.var.tracker;
  const [source, page] = await Promise.all([sources.get(id), store.listChanges({ limit, cursor, source: id, ...feedFilter(c) })]);
  if (!source && page.items.length === 0 && !(await sources.foundAny(id))) throw problem(404, `No source with id ${quoteInput(id)}.`);
  const name = source ? source.title || source.url : `source ${id}`;
  return feedResponse(c, formatOf(file), {
    id: `/feeds/sources/${id}`,
    title: `Redline: articles found by ${name}`,
    description: `Every edit Redline detected in the articles ${source ? source.url : `source ${id}`} found, newest first.`,
    homePath: `/api/articles?source=${id}`,
    changes: page.items,
    next: page.cursor === null ? null : { cursor: page.cursor },
  });
});
