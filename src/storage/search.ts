/**
 * The search index's port (migrations/0005_search.sql: version_search, 0006_change_search.sql:
 * change_search): the statements that write a version's and a change's row (in the commit batch,
 * src/storage/store.ts), the two searches (ONE statement each), and the reads and writes of the
 * rebuild for history stored before the tables existed (src/search/reindex.ts).
 * docs/storage.md lists the columns and what each of these costs.
 */
import type { ChangeText } from "../search/changes";
import { indexedText, SearchSyntaxError } from "../search/text";
import type { ChangeRecord, VersionRecord } from "./records";
import type { Guard, Page } from "./store";

type Row = Record<string, unknown>;

/** The filters, sort and page of a search, shared by both indexes (`match` is an FTS5 expression, src/search/text.ts). */
export interface SearchQueryOptions {
  match: string;
  sort: "relevance" | "time";
  limit: number;
  cursor: string | null;
  site: string | null;
  source: string | null;
  fromMs: number | null;
  toMs: number | null;
}

/** A matching version; `marked` is its indexed body with FTS5's matches between U+E000 and U+E001. */
export interface SearchRow {
  articleId: string;
  url: string;
  title: string;
  n: number;
  capturedAt: string;
  marked: string;
}

/** A change whose added or removed text matches; `marked` is that side's indexed text, marked as in {@link SearchRow}. */
export interface ChangeSearchRow {
  articleId: string;
  url: string;
  title: string;
  changeId: string;
  seq: number;
  from: number;
  to: number;
  detectedAt: string;
  marked: string;
}

/** A search cursor this sort did not make. */
export class SearchCursorError extends Error {}

/** A search cursor: "r.<offset>" by relevance (bm25 moves as rows are added), "t.<ms>.<rowid>" by time (keyset), base64url. */
function encodeSearchCursor(values: number[]): string {
  const text = values.length === 1 ? `r.${values[0]}` : `t.${values[0]}.${values[1]}`;
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeSearchCursor(cursor: string, sort: "relevance" | "time"): number[] | null {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const match = sort === "time" ? /^t\.(\d{1,16})\.(\d{1,16})$/.exec(text) : /^r\.(\d{1,9})$/.exec(text);
    return match ? match.slice(1).map(Number) : null;
  } catch {
    return null;
  }
}

/** How one FTS5 table is searched: its name, the column whose matches the snippet shows, and the time and row columns. */
interface IndexShape {
  table: "version_search" | "change_search";
  /** The 0-based column of highlight(). */
  markedColumn: number;
  timeColumn: string;
  /** The joins naming the row's article (`a`, for the site filter) and what a hit shows. */
  joins: string;
  select: string;
}

const VERSION_INDEX: IndexShape = {
  table: "version_search",
  markedColumn: 3,
  timeColumn: "captured_at_ms",
  joins: `JOIN articles a ON a.id = version_search.article_id
    JOIN versions v ON v.article_id = version_search.article_id AND v.n = version_search.n`,
  select: "version_search.n AS n, a.url AS url, v.title AS title, v.captured_at AS captured_at",
};

/** change_search's columns: article_id 0, seq 1, detected_at_ms 2, removed 3, added 4, removed_grams 5, added_grams 6. */
const changeIndex = (side: "added" | "removed"): IndexShape => ({
  table: "change_search",
  markedColumn: side === "removed" ? 3 : 4,
  timeColumn: "detected_at_ms",
  joins: `JOIN changes c ON c.article_id = change_search.article_id AND c.seq = change_search.seq
    JOIN articles a ON a.id = change_search.article_id`,
  select: "change_search.seq AS seq, c.id AS change_id, c.url AS url, c.title AS title, c.from_n AS from_n, c.to_n AS to_n",
});

/** The version's search row, under the same guard as its version row, in the same batch. */
export function versionSearchInsert(db: D1Database, articleId: string, version: VersionRecord, guard: Guard): D1PreparedStatement {
  const { body, grams } = indexedText(version);
  return db
    .prepare(`INSERT INTO version_search (article_id, n, captured_at_ms, body, grams) SELECT ?, ?, ?, ?, ? WHERE ${guard.sql}`)
    .bind(articleId, version.n, Date.parse(version.capturedAt), body, grams, ...guard.params);
}

/** Whether a change compares two versions, and so has a change_search row (created, removed, relocated and restored-as-was do not). */
export const comparesVersions = (change: Pick<ChangeRecord, "from" | "to">): boolean => change.from !== null && change.to !== null && change.from !== change.to;

/** The change's search row, under the same guard as its change row, in the same batch. */
export function changeSearchInsert(db: D1Database, change: ChangeRecord, text: ChangeText, guard: Guard): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO change_search (article_id, seq, detected_at_ms, removed, added, removed_grams, added_grams)
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql}`,
    )
    .bind(change.articleId, change.seq, Date.parse(change.detectedAt), text.removed, text.added, text.removedGrams, text.addedGrams, ...guard.params);
}

/** A version the index lacks, and the snapshot its text is in. */
export interface UnindexedVersion {
  articleId: string;
  n: number;
  recordSha256: string;
}

/** A change comparing two versions that the index lacks, and the snapshots of both. */
export interface UnindexedChange {
  articleId: string;
  seq: number;
  detectedAt: string;
  fromSha256: string;
  toSha256: string;
}

/** Where a rebuild pass has looked up to: the last (article id, number) it examined. */
export interface IndexPosition {
  articleId: string;
  n: number;
}

/**
 * Rows per reindex INSERT: each statement carries its rows as one JSON parameter, and D1 refuses
 * a value over 2 MB; 50 rows of news text (a long article is ~20 KB) stay well under it.
 */
const ROWS_PER_INSERT = 50;

export class SearchIndex {
  constructor(private readonly db: D1Database) {}

  /** One page of the versions whose headline or text matches. */
  versions(query: SearchQueryOptions): Promise<Page<SearchRow>> {
    return this.page(VERSION_INDEX, query, (row) => ({
      articleId: row.article_id as string,
      url: row.url as string,
      title: row.title as string,
      n: row.n as number,
      capturedAt: row.captured_at as string,
      marked: row.marked as string,
    }));
  }

  /** One page of the changes whose `side` text matches (`match` from changeQuery, which excludes the other side). */
  changes(side: "added" | "removed", query: SearchQueryOptions): Promise<Page<ChangeSearchRow>> {
    return this.page(changeIndex(side), query, (row) => ({
      articleId: row.article_id as string,
      url: row.url as string,
      title: row.title as string,
      changeId: row.change_id as string,
      seq: row.seq as number,
      from: row.from_n as number,
      to: row.to_n as number,
      detectedAt: new Date(row.time_ms as number).toISOString(),
      marked: row.marked as string,
    }));
  }

  /**
   * ONE statement: the FTS5 MATCH joined to what a hit shows, the filters in the same WHERE,
   * best first (bm25) or newest first. Throws {@link SearchSyntaxError} when FTS5 rejects the
   * expression, {@link SearchCursorError} for a cursor another sort made.
   */
  private async page<T>(shape: IndexShape, query: SearchQueryOptions, toHit: (row: Row) => T): Promise<Page<T>> {
    const { table, timeColumn } = shape;
    const time = `${table}.${timeColumn}`;
    const where = [`${table} MATCH ?`];
    const params: unknown[] = [query.match];
    if (query.site) {
      where.push("a.site = ?");
      params.push(query.site);
    }
    if (query.source) {
      where.push(`${table}.article_id IN (SELECT article_id FROM article_sources WHERE source_id = ?)`);
      params.push(query.source);
    }
    if (query.fromMs !== null) {
      where.push(`${time} >= ?`);
      params.push(query.fromMs);
    }
    if (query.toMs !== null) {
      where.push(`${time} <= ?`);
      params.push(query.toMs);
    }
    let offset = 0;
    if (query.cursor) {
      const after = decodeSearchCursor(query.cursor, query.sort);
      if (!after) throw new SearchCursorError();
      if (query.sort === "time") {
        where.push(`(${time}, ${table}.rowid) < (?, ?)`);
        params.push(after[0], after[1]);
      } else offset = after[0]!;
    }
    // The page is chosen first on the index alone (its rowid and sort key), and only its rows are
    // highlighted and joined to what a hit shows: the snippet's text and the joins are read for
    // 21 rows, not for every match (bench:search: a prefix in 9,000 of 10,000 versions). CROSS
    // JOIN keeps `hits` the outer loop, so each of its rows is one rowid look-up in the index.
    const key = query.sort === "time" ? time : `${table}.rank`;
    const direction = query.sort === "time" ? " DESC" : "";
    const pageOrder = `${key}${direction}, ${table}.rowid${direction}`;
    const siteJoin = query.site ? `JOIN articles a ON a.id = ${table}.article_id` : "";
    let results: Row[];
    try {
      ({ results } = await this.db
        .prepare(
          `WITH hits AS (
             SELECT ${table}.rowid AS id, ${key} AS sort_key FROM ${table} ${siteJoin}
             WHERE ${where.join(" AND ")} ORDER BY ${pageOrder} LIMIT ? OFFSET ?
           )
           SELECT hits.id AS rowid, ${table}.article_id AS article_id, ${time} AS time_ms,
             highlight(${table}, ${shape.markedColumn}, char(57344), char(57345)) AS marked, ${shape.select}
           FROM hits CROSS JOIN ${table} ON ${table}.rowid = hits.id ${shape.joins}
           WHERE ${table} MATCH ? ORDER BY hits.sort_key${direction}, hits.id${direction}`,
        )
        .bind(...params, query.limit + 1, offset, query.match)
        .all<Row>());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/fts5|unterminated string|no such column/i.test(message)) throw new SearchSyntaxError(message.replace(/^D1_ERROR: /, "").replace(/: SQLITE_ERROR$/, ""));
      throw error;
    }
    const shown = results.slice(0, query.limit);
    const last = shown.at(-1);
    const more = results.length > query.limit && last;
    return {
      items: shown.map(toHit),
      cursor: more ? encodeSearchCursor(query.sort === "time" ? [last.time_ms as number, last.rowid as number] : [offset + query.limit]) : null,
    };
  }

  // -- the rebuild (src/search/reindex.ts) -----------------------------------------------------

  /**
   * Up to `limit` versions after `after` (in (article id, n) order) without a version_search
   * row: ONE statement, reading version_search's (article_id, n) once (an anti-join, since its
   * UNINDEXED columns have no index) and the versions from `after` on.
   */
  async unindexedVersions(after: IndexPosition | null, limit: number): Promise<UnindexedVersion[]> {
    const { results } = await this.db
      .prepare(
        `SELECT article_id, n, record_sha256 FROM versions
         WHERE (article_id, n) > (?, ?) AND (article_id, n) NOT IN (SELECT article_id, n FROM version_search)
         ORDER BY article_id, n LIMIT ?`,
      )
      .bind(after?.articleId ?? "", after?.n ?? 0, limit)
      .all<Row>();
    return results.map((row) => ({ articleId: row.article_id as string, n: row.n as number, recordSha256: row.record_sha256 as string }));
  }

  /** Up to `limit` changes comparing two versions after `after` (in (article id, seq) order) without a change_search row, with both versions' snapshot digests: ONE statement. */
  async unindexedChanges(after: IndexPosition | null, limit: number): Promise<UnindexedChange[]> {
    const { results } = await this.db
      .prepare(
        `SELECT c.article_id, c.seq, c.detected_at_ms, f.record_sha256 AS from_sha256, t.record_sha256 AS to_sha256 FROM changes c
           JOIN versions f ON f.article_id = c.article_id AND f.n = c.from_n
           JOIN versions t ON t.article_id = c.article_id AND t.n = c.to_n
         WHERE (c.article_id, c.seq) > (?, ?) AND c.from_n <> c.to_n AND (c.article_id, c.seq) NOT IN (SELECT article_id, seq FROM change_search)
         ORDER BY c.article_id, c.seq LIMIT ?`,
      )
      .bind(after?.articleId ?? "", after?.n ?? 0, limit)
      .all<Row>();
    return results.map((row) => ({
      articleId: row.article_id as string,
      seq: row.seq as number,
      detectedAt: new Date(row.detected_at_ms as number).toISOString(),
      fromSha256: row.from_sha256 as string,
      toSha256: row.to_sha256 as string,
    }));
  }

  /**
   * Inserts the search rows of versions the index lacks, in one batch of a statement per
   * {@link ROWS_PER_INSERT} rows; each statement inserts only the rows still missing when it
   * runs (the same anti-join), so a rerun, or two rebuilds at once, adds no second row.
   * Returns the statements run.
   */
  async indexVersions(versions: Array<{ articleId: string; version: VersionRecord }>): Promise<number> {
    const rows = versions.map(({ articleId, version }) => ({ a: articleId, n: version.n, t: Date.parse(version.capturedAt), ...indexedText(version) }));
    return this.insertMissing(
      rows,
      `INSERT INTO version_search (article_id, n, captured_at_ms, body, grams)
       SELECT json_extract(value, '$.a'), json_extract(value, '$.n'), json_extract(value, '$.t'), json_extract(value, '$.body'), json_extract(value, '$.grams')
       FROM json_each(?) WHERE (json_extract(value, '$.a'), json_extract(value, '$.n')) NOT IN (SELECT article_id, n FROM version_search)`,
    );
  }

  /** As {@link indexVersions}, for changes: each with what it removed and added (changeText of its diff). */
  async indexChanges(changes: Array<{ articleId: string; seq: number; detectedAt: string; text: ChangeText }>): Promise<number> {
    const rows = changes.map(({ articleId, seq, detectedAt, text }) => ({ a: articleId, s: seq, t: Date.parse(detectedAt), ...text }));
    return this.insertMissing(
      rows,
      `INSERT INTO change_search (article_id, seq, detected_at_ms, removed, added, removed_grams, added_grams)
       SELECT json_extract(value, '$.a'), json_extract(value, '$.s'), json_extract(value, '$.t'), json_extract(value, '$.removed'), json_extract(value, '$.added'),
         json_extract(value, '$.removedGrams'), json_extract(value, '$.addedGrams')
       FROM json_each(?) WHERE (json_extract(value, '$.a'), json_extract(value, '$.s')) NOT IN (SELECT article_id, seq FROM change_search)`,
    );
  }

  private async insertMissing(rows: object[], sql: string): Promise<number> {
    const statements: D1PreparedStatement[] = [];
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      statements.push(this.db.prepare(sql).bind(JSON.stringify(rows.slice(start, start + ROWS_PER_INSERT))));
    }
    if (statements.length > 0) await this.db.batch(statements);
    return statements.length;
  }
}
