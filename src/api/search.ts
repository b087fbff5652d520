/**
 * GET /api/search: every stored version whose headline or paragraphs match `q` (`in=text`,
 * migrations/0005_search.sql), or every change whose added or removed text does (`in=added`,
 * `in=removed`, 0006_change_search.sql); the syntax and what Korean matches: src/search/text.ts,
 * README. The page `/search` (src/web/pages/search.tsx) reads the same parameters through
 * {@link searchRequest} and runs the same {@link runSearch}.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env";
import { quoteInput } from "../quote";
import { changeQuery, SEARCH_SCOPES, searchQuery, SearchSyntaxError, snippetOf, type SearchScope, type SnippetPart } from "../search/text";
import { SearchCursorError, type ChangeSearchRow, type SearchQueryOptions, type SearchRow } from "../storage/search";
import type { RedlineStore } from "../storage/store";
import { cursorParam, instantParam, pageSize, sourceIdParam } from "./params";
import { problem } from "./problem";

const MAX_QUERY_LENGTH = 500;

/** The search's parameters, as the form's fields and the API's query share them. */
export const SEARCH_FIELDS = ["q", "in", "site", "source", "from", "to", "sort", "limit", "cursor"] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** A parameter the search cannot use, and why: the API answers it as a 400, the page shows it beside its field. */
export class SearchFieldError extends Error {
  constructor(
    readonly field: SearchField,
    message: string,
  ) {
    super(message);
  }
}

/** What a search asks for: the words and where to look, and the index's filters, sort and page (its `match` is made from `q` and `scope`). */
export interface SearchRequest extends Omit<SearchQueryOptions, "match"> {
  q: string;
  scope: SearchScope;
}

/** A parameter's shared parser, its 400 turned into the field's error. */
function parsed<T>(field: SearchField, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof HTTPException) throw new SearchFieldError(field, error.message);
    throw error;
  }
}

/** The search a request asks for, or the first parameter it cannot use. `get` reads one parameter ("" and absent alike mean unset). */
export function searchRequest(get: (field: SearchField) => string | undefined): SearchRequest {
  const q = (get("q") ?? "").trim();
  if (q === "") throw new SearchFieldError("q", "`q` is required: the words to search every stored version for, e.g. ?q=five-fold.");
  if (q.length > MAX_QUERY_LENGTH) throw new SearchFieldError("q", `\`q\` must be at most ${MAX_QUERY_LENGTH} characters, not ${q.length}.`);
  const scope = get("in") || "text";
  if (!(SEARCH_SCOPES as readonly string[]).includes(scope)) {
    throw new SearchFieldError("in", `\`in\` must be text (every version's text), added or removed (what each change added or removed), not ${quoteInput(scope)}.`);
  }
  const sort = get("sort") || "relevance";
  if (sort !== "relevance" && sort !== "time") throw new SearchFieldError("sort", `\`sort\` must be relevance or time, not ${quoteInput(sort)}.`);
  const source = get("source");
  return {
    q,
    scope: scope as SearchScope,
    sort,
    limit: parsed("limit", () => pageSize(get("limit") || undefined)),
    cursor: cursorParam(get("cursor")),
    site: get("site")?.trim().toLowerCase() || null,
    source: source ? parsed("source", () => sourceIdParam(source)) : null,
    fromMs: parsed("from", () => instantParam(get("from"), "from")),
    toMs: parsed("to", () => instantParam(get("to"), "to")),
  };
}

/** A version whose text matches (`in=text`): the index's row, its marked body made a snippet. */
export type VersionHit = Omit<SearchRow, "marked"> & { snippet: SnippetPart[] };

/** A change whose added or removed text matches (`in=added|removed`): the index's row, its marked text made a snippet; `redline` is the path of its diff page. */
export type ChangeHit = Omit<ChangeSearchRow, "marked"> & { redline: string; snippet: SnippetPart[] };

export type SearchResults =
  | { scope: "text"; items: VersionHit[]; cursor: string | null }
  | { scope: "added" | "removed"; items: ChangeHit[]; cursor: string | null };

/** One page of hits: ONE D1 statement. A query FTS5 rejects or a cursor of another sort is a {@link SearchFieldError}. */
export async function runSearch(store: RedlineStore, request: SearchRequest): Promise<SearchResults> {
  const { q, scope } = request;
  try {
    const query = scope === "text" ? searchQuery(q) : changeQuery(q, scope);
    const options: SearchQueryOptions = { ...request, match: query.match };
    if (scope === "text") {
      const page = await store.search.versions(options);
      return { scope, items: page.items.map(({ marked, ...hit }) => ({ ...hit, snippet: snippetOf(marked, query.hangul) })), cursor: page.cursor };
    }
    const page = await store.search.changes(scope, options);
    return {
      scope,
      items: page.items.map(({ marked, ...hit }) => ({
        ...hit,
        redline: `/articles/${hit.articleId}/diff/${hit.from}..${hit.to}`,
        snippet: snippetOf(marked, query.hangul),
      })),
      cursor: page.cursor,
    };
  } catch (error) {
    if (error instanceof SearchSyntaxError) {
      throw new SearchFieldError(
        "q",
        `\`q\` is not a search FTS5 understands (${error.message}): ${quoteInput(q)}. Quote a phrase ("cost-sharing talks"), end a prefix with * (negotiat*), combine with AND, OR, NOT.`,
      );
    }
    if (error instanceof SearchCursorError) throw new SearchFieldError("cursor", `\`cursor\` was not made by a search sorted by ${request.sort}.`);
    throw error;
  }
}

export const search = new Hono<AppEnv>();

search.get("/", async (c) => {
  try {
    const results = await runSearch(c.var.tracker.store, searchRequest((field) => c.req.query(field)));
    return c.json({ items: results.items, cursor: results.cursor });
  } catch (error) {
    if (error instanceof SearchFieldError) throw problem(400, error.message);
    throw error;
  }
});
