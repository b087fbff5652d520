/**
 * The readable changelog: server-rendered HTML pages over the same store and diff model as the
 * API. Mounted at `/`; every path here is outside `/api`, `/feeds` and the Memento prefixes.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { loadArticle, loadDiff, loadVersion } from "../api/articles";
import { beforeParam, cursorParam, pageSize, sourceIdParam, versionNumber, versionRange } from "../api/params";
import { handleError, problem } from "../api/problem";
import { runSearch, SEARCH_FIELDS, SearchFieldError, searchRequest, type SearchResults } from "../api/search";
import { loadSource } from "../api/sources";
import type { AppContext, AppEnv } from "../app-env";
import { BadParameterError, parseKinds, parseMinSignificance } from "../feeds/filter";
import type { ChangeListItem, SourceRecord } from "../storage/records";
import { RENDERING_HEADERS } from "../security-headers";
import type { SourceCatalog } from "../storage/sources";
import type { Page, RedlineStore } from "../storage/store";
import { ASSETS } from "./assets";
import { sourceFeed, sourceName } from "./components";
import { ALL_CHANGES_FEED, type FeedRef } from "./layout";
import { ArticlePage, type FoundBy } from "./pages/article";
import { DIFF_VIEWS, DiffPage, type DiffView } from "./pages/diff";
import { ErrorPage } from "./pages/error";
import { filterParams, HomePage, type HomeFilter, type SourceChoice } from "./pages/home";
import { SearchPage, type SearchFormError, type SearchFormValues } from "./pages/search";
import { SourcePage, SourcesPage } from "./pages/sources";
import { VersionPage } from "./pages/version";
import { quoteInput } from "../quote";

/** Changes per article page: most articles have a handful, so one page nearly always shows all. */
const ARTICLE_CHANGES_PAGE_SIZE = 100;

type WebContext = AppContext;

const render = (c: WebContext, page: string | Promise<string>, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}) =>
  c.html(page, status, { ...RENDERING_HEADERS, ...headers });

const articleFeed = (articleId: string, title: string): FeedRef => ({ path: `/feeds/articles/${articleId}`, title: `Redline: changes to ${title}` });

/** Sources per page of `/sources`: sources are few, so one page nearly always shows all. */
const SOURCES_PAGE_SIZE = 100;
/** Found articles per page of a source's page. */
const FOUND_PAGE_SIZE = 50;

/** `?source=`: a source id, or null when absent or empty (the select's "any source"). */
const sourceParam = (raw: string | undefined): string | null => (raw ? sourceIdParam(raw) : null);

function homeFilter(c: WebContext): HomeFilter {
  const site = c.req.query("site")?.trim().toLowerCase();
  return {
    limit: c.req.query("limit") === undefined ? null : pageSize(c.req.query("limit")),
    // Checkboxes send `kinds` once per box; the feeds' comma-separated form works too.
    kinds: parseKinds(c.req.queries("kinds")?.join(",")),
    minSignificance: parseMinSignificance(c.req.query("min_significance")),
    site: site ? site : null,
    source: sourceParam(c.req.query("source")),
  };
}

/** The newest changes matching `filter`: one SQL query, filters included. */
function filteredChanges(store: RedlineStore, filter: HomeFilter, limit: number, cursor: string | null): Promise<Page<ChangeListItem>> {
  return store.listChanges({ limit, cursor, site: filter.site, source: filter.source, kinds: filter.kinds, minSignificance: filter.minSignificance });
}

const sourceChoice = (source: SourceRecord): SourceChoice => ({ id: source.id, name: sourceName(source) });

function diffView(raw: string | undefined): DiffView {
  if (raw === undefined || raw === "") return "inline";
  if ((DIFF_VIEWS as readonly string[]).includes(raw)) return raw as DiffView;
  throw problem(400, `\`view\` must be one of ${DIFF_VIEWS.join(", ")}, not ${quoteInput(raw)}.`);
}

export const web = new Hono<AppEnv>();

for (const { path, contentType, body } of ASSETS) {
  web.get(path, (c) => c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "public, max-age=31536000, immutable" }));
}

web.get("/", async (c) => {
  const filter = homeFilter(c);
  const cursor = cursorParam(c.req.query("cursor"));
  const { store, sources } = c.var.tracker;
  // The sources for the filter's choice, read beside the page of changes (sources are few).
  const [page, allSources] = await Promise.all([filteredChanges(store, filter, filter.limit ?? pageSize(undefined), cursor), sources.all()]);
  const choices = allSources.map(sourceChoice);
  const selectedSource = filter.source === null ? null : (choices.find((choice) => choice.id === filter.source) ?? null);
  if (filter.source !== null && selectedSource === null) throw problem(404, `No source with id ${quoteInput(filter.source)}.`);
  const olderQuery = page.cursor === null ? null : `${filterParams(filter)}&cursor=${encodeURIComponent(page.cursor)}`.replace(/^&/, "");
  const feedQuery = filterParams({ ...filter, site: null, source: null, limit: null }).toString();
  // The feed of what the page shows: the source's or the site's feed when filtered by one, with the same kind and significance filters.
  const feed: FeedRef = selectedSource
    ? { ...sourceFeed(selectedSource.id, selectedSource.name), query: feedQuery }
    : {
        path: filter.site ? `/feeds/sites/${filter.site}` : "/feeds/changes",
        title: filter.site ? `Redline: changes on ${filter.site}` : "Redline: all changes",
        query: feedQuery,
      };
  return render(
    c,
    <HomePage changes={page.items} filter={filter} olderQuery={olderQuery} isFirstPage={cursor === null} feed={feed} sources={choices} selectedSource={selectedSource} />,
  );
});

/**
 * The search page: the API's parameters as form fields (src/api/search.ts reads both), one page
 * of hits, and a parameter it cannot use as a 400 page with the reason beside its field. Without
 * `q` it is the empty form.
 */
web.get("/search", async (c) => {
  const values = Object.fromEntries(SEARCH_FIELDS.map((field) => [field, c.req.query(field) ?? ""])) as SearchFormValues;
  const { store, sources } = c.var.tracker;
  const search = async (): Promise<SearchResults | SearchFormError | null> => {
    if (values.q.trim() === "") return null;
    try {
      return await runSearch(store, searchRequest((field) => values[field]));
    } catch (error) {
      if (error instanceof SearchFieldError) return { field: error.field, message: error.message };
      throw error;
    }
  };
  // The sources for the form's choice, read beside the search (sources are few).
  const [outcome, allSources] = await Promise.all([search(), sources.all()]);
  const error = outcome !== null && "field" in outcome ? outcome : null;
  const results = outcome !== null && "items" in outcome ? outcome : null;
  let nextQuery: string | null = null;
  if (results?.cursor) {
    const next = new URLSearchParams(Object.entries(values).filter(([field, value]) => value !== "" && field !== "cursor"));
    next.set("cursor", results.cursor);
    nextQuery = next.toString();
  }
  const page = <SearchPage values={values} sources={allSources.map(sourceChoice)} results={results} error={error} nextQuery={nextQuery} />;
  return render(c, page, error ? 400 : 200);
});

web.get("/sources", async (c) => {
  const page = await c.var.tracker.sources.list(SOURCES_PAGE_SIZE, cursorParam(c.req.query("cursor")));
  const moreQuery = page.cursor === null ? null : `cursor=${encodeURIComponent(page.cursor)}`;
  return render(c, <SourcesPage sources={page.items} moreQuery={moreQuery} origin={new URL(c.req.url).origin} feed={ALL_CHANGES_FEED} />);
});

web.get("/sources/:id", async (c) => {
  const { sources } = c.var.tracker;
  const id = c.req.param("id");
  const cursor = cursorParam(c.req.query("cursor"));
  // The source and its newest found articles at once: two queries in parallel.
  const [source, found] = await Promise.all([loadSource(sources, id), sources.articlesFound(id, FOUND_PAGE_SIZE, cursor)]);
  const olderQuery = found.cursor === null ? null : `cursor=${encodeURIComponent(found.cursor)}`;
  return render(c, <SourcePage source={source} found={found.items} olderQuery={olderQuery} feed={sourceFeed(source.id, sourceName(source))} />);
});

/**
 * What found an article, each source named by its title now (null once the source is deleted):
 * one query, `sourcesOf` joining each `article_sources` row to its source.
 */
async function foundBy(sources: SourceCatalog, articleId: string): Promise<FoundBy[]> {
  const rows = await sources.sourcesOf(articleId);
  return rows.map((row) => ({
    sourceId: row.id,
    name: row.source ? sourceName(row.source) : null,
    url: row.url,
    foundAt: row.foundAt,
    entryTitle: row.entryTitle,
  }));
}

web.get("/articles/:id", async (c) => {
  const { store, sources } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  const [versions, changes, found] = await Promise.all([
    store.listVersions(article.id),
    store.listArticleChanges(article.id, ARTICLE_CHANGES_PAGE_SIZE, beforeParam(c.req.query("before"))),
    foundBy(sources, article.id),
  ]);
  const feed = articleFeed(article.id, article.title || article.url);
  return render(
    c,
    <ArticlePage article={article} foundBy={found} versions={versions} changes={changes.items} olderChangesBefore={changes.nextBeforeSeq} feed={feed} />,
  );
});

web.get("/articles/:id/diff/:range", async (c) => {
  const view = diffView(c.req.query("view"));
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  const [from, to] = versionRange(c.req.param("range"));
  const document = await loadDiff(store, article, from, to);
  const feed = articleFeed(article.id, article.title || article.url);
  return render(c, <DiffPage articleId={article.id} document={document} view={view} feed={feed} />);
});

web.get("/articles/:id/versions/:n", async (c) => {
  const { store } = c.var.tracker;
  const article = await loadArticle(store, c.req.param("id"));
  const n = versionNumber(c.req.param("n"), "n")!;
  const [version, wayback] = await Promise.all([loadVersion(store, article, n), c.var.tracker.wayback.captureOf(article.id, n)]);
  const feed = articleFeed(article.id, article.title || article.url);
  return render(c, <VersionPage article={article} version={version} feed={feed} wayback={wayback} />);
});

/**
 * Browsers get the problem as a page; API clients (and anything not asking for HTML) get
 * problem+json, as everywhere else. Either way the problem's own headers (`Allow`, `Vary`) go with it.
 */
export function webErrorResponse(thrown: Error, c: WebContext): Response | Promise<Response> {
  const error = thrown instanceof BadParameterError ? problem(400, thrown.message) : thrown;
  const wantsHtml = c.req.header("Accept")?.includes("text/html") ?? false;
  if (!(error instanceof HTTPException) || !wantsHtml) return handleError(error, c);
  const headers = Object.fromEntries([...error.getResponse().headers].filter(([name]) => name !== "content-type"));
  return render(c, <ErrorPage status={error.status} detail={error.message} />, error.status as ContentfulStatusCode, headers);
}

web.onError(webErrorResponse);
