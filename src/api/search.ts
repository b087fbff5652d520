/**
 * GET /api/search: every stored version whose headline or paragraphs match `q` (FTS5,
 * migrations/0005_search.sql; the syntax and what Korean matches: src/search/text.ts, README).
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { quoteInput } from "../quote";
import { searchQuery, snippetOf } from "../search/text";
import { SearchCursorError, SearchSyntaxError } from "../storage/store";
import { cursorParam, instantParam, pageSize, sourceIdParam } from "./params";
import { problem } from "./problem";

export const search = new Hono<AppEnv>();

const MAX_QUERY_LENGTH = 500;

search.get("/", async (c) => {
  const q = (c.req.query("q") ?? "").trim();
  if (q === "") throw problem(400, "`q` is required: the words to search every stored version for, e.g. ?q=five-fold.");
  if (q.length > MAX_QUERY_LENGTH) throw problem(400, `\`q\` must be at most ${MAX_QUERY_LENGTH} characters, not ${q.length}.`);
  const sortRaw = c.req.query("sort") ?? "relevance";
  if (sortRaw !== "relevance" && sortRaw !== "time") throw problem(400, `\`sort\` must be relevance or time, not ${quoteInput(sortRaw)}.`);
  const rawSource = c.req.query("source");
  const query = searchQuery(q);
  try {
    const page = await c.var.tracker.store.search({
      match: query.match,
      sort: sortRaw,
      limit: pageSize(c.req.query("limit")),
      cursor: cursorParam(c.req.query("cursor")),
      site: c.req.query("site") || null,
      source: rawSource ? sourceIdParam(rawSource) : null,
      fromMs: instantParam(c.req.query("from"), "from"),
      toMs: instantParam(c.req.query("to"), "to"),
    });
    return c.json({
      items: page.items.map(({ marked, ...hit }) => ({ ...hit, snippet: snippetOf(marked, query.hangul) })),
      cursor: page.cursor,
    });
  } catch (error) {
    if (error instanceof SearchSyntaxError) {
      throw problem(400, `\`q\` is not a search FTS5 understands (${error.message}): ${quoteInput(q)}. Quote a phrase ("cost-sharing talks"), end a prefix with * (negotiat*), combine with AND, OR, NOT.`);
    }
    if (error instanceof SearchCursorError) throw problem(400, `\`cursor\` was not made by a search sorted by ${sortRaw}.`);
    throw error;
  }
});
