/**
 * The source catalog: the questions `/api/sources`, OPML and the articles' `sources` ask D1 of
 * the sources (feeds, sitemaps, section pages) and of what each found. Each method is one
 * statement or one batch (one round trip). The checks of sources (their state, entries and
 * first captures) are src/storage/source-checks.ts. docs/storage.md lists the tables and costs.
 */
import type { SourceFilter, SourceStatus, SourceType } from "../discovery/model";
import { tables } from "./keys";
import type { ArticleRecord, ArticleSource, SourceRecord } from "./records";
import { headFromRow } from "./source-checks";
import { articleFromRow, type Page } from "./store";

type Row = Record<string, unknown>;

/** Every 15 minutes unless the source says otherwise (`intervalMinutes`). */
export const DEFAULT_SOURCE_INTERVAL_MS = 15 * 60 * 1000;

/** A source to add: `id` is `articleIdFor(url)`, so one canonical URL is one source. */
export interface NewSource {
  id: string;
  url: string;
  /** null: detected at its first check. */
  type: SourceType | null;
  title: string;
  filter: SourceFilter;
  trackDays: number | null;
  intervalMs: number;
}

/** What `PATCH /api/sources/:id` may change; absent fields stay. */
export interface SourceSettings {
  status?: "active" | "paused";
  filter?: SourceFilter;
  trackDays?: number | null;
  intervalMs?: number;
}

/** A source that found an article (its `article_sources` row), with the source as it is now. */
export interface FoundBySource extends ArticleSource {
  /** The source's row now (title, URL, type, status); null once the source was deleted. */
  source: Pick<SourceRecord, "title" | "url" | "type" | "status"> | null;
}

/** An article a source found, with when and under which entry title. */
export interface FoundArticle {
  article: ArticleRecord;
  foundAt: string;
  entryTitle: string | null;
}

export function sourceFromRow(row: Row): SourceRecord {
  return {
    // The columns a check reads (its filter still JSON text), then the rest of the row.
    ...headFromRow(row),
    filter: JSON.parse(row.filter as string) as SourceFilter,
    createdAt: row.created_at as string,
    lastCheckedAt: (row.last_checked_at as string | null) ?? null,
    leaseUntil: (row.lease_until as number | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    entriesSeen: row.entries_seen as number,
    articlesTracked: row.articles_tracked as number,
    websubHub: (row.websub_hub as string | null) ?? null,
    websubTopic: (row.websub_topic as string | null) ?? null,
    websubSecret: (row.websub_secret as string | null) ?? null,
    websubState: (row.websub_state as string | null) ?? null,
    websubLeaseUntil: (row.websub_lease_until as number | null) ?? null,
    websubError: (row.websub_error as string | null) ?? null,
    websubIgnored: (row.websub_ignored as number | null) ?? 0,
  };
}

/** The keyset of `articlesFound`: (found_at, article_id) of the last article shown, base64url. */
function encodeFoundCursor(foundAt: string, articleId: string): string {
  return btoa(`${foundAt}|${articleId}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeFoundCursor(cursor: string): [string, string] | null {
  try {
    const match = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|([0-9a-f]{16})$/.exec(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    return match ? [match[1]!, match[2]!] : null;
  } catch {
    return null;
  }
}

export class SourceCatalog {
  constructor(private readonly db: D1Database) {}

  /**
   * Adds the sources not stored yet, in ONE batch of two statements whatever their number (the
   * list travels as one JSON bind): an INSERT that skips ids already present, and the read of
   * every listed row. `created` lists the ids this call inserted. Each starts due at `nowMs` with
   * no validators, so its first scheduled check reads every entry.
   */
  async createMany(sources: readonly NewSource[], nowMs: number): Promise<{ sources: SourceRecord[]; created: Set<string> }> {
    if (sources.length === 0) return { sources: [], created: new Set() };
    const rows = sources.map((s) => ({
      id: s.id,
      url: s.url,
      site: new URL(s.url).hostname,
      type: s.type,
      title: s.title,
      filter: JSON.stringify(s.filter),
      trackDays: s.trackDays,
      intervalMs: s.intervalMs,
    }));
    const [inserted, read] = await this.db.batch<Row>([
      this.db
        .prepare(
          `INSERT INTO ${tables.sources} (id, url, site, type, title, filter, track_days, interval_ms, created_at, next_check_at)
           SELECT json_extract(value, '$.id'), json_extract(value, '$.url'), json_extract(value, '$.site'), json_extract(value, '$.type'),
             json_extract(value, '$.title'), json_extract(value, '$.filter'), json_extract(value, '$.trackDays'),
             json_extract(value, '$.intervalMs'), ?2, ?3
           FROM json_each(?1) WHERE 1
           ON CONFLICT (id) DO NOTHING RETURNING id`,
        )
        .bind(JSON.stringify(rows), new Date(nowMs).toISOString(), nowMs),
      this.db.prepare(`SELECT * FROM ${tables.sources} WHERE id IN (SELECT value FROM json_each(?))`).bind(JSON.stringify(rows.map((row) => row.id))),
    ]);
    const byId = new Map(read!.results.map((row) => [row.id as string, sourceFromRow(row)]));
    return {
      sources: rows.map((row) => byId.get(row.id)).filter((source): source is SourceRecord => source !== undefined),
      created: new Set(inserted!.results.map((row) => row.id as string)),
    };
  }

  /** One source: the stored one when its canonical URL is already a source (`created` false). */
  async create(source: NewSource, nowMs: number): Promise<{ source: SourceRecord; created: boolean }> {
    const { sources, created } = await this.createMany([source], nowMs);
    return { source: sources[0]!, created: created.has(source.id) };
  }

  async get(id: string): Promise<SourceRecord | null> {
    const row = await this.db.prepare(`SELECT * FROM ${tables.sources} WHERE id = ?`).bind(id).first<Row>();
    return row ? sourceFromRow(row) : null;
  }

  /** In id order; the cursor is the last id shown (as `listArticles`). */
  async list(limit: number, cursor: string | null): Promise<Page<SourceRecord>> {
    const { results } = await this.db
      .prepare(`SELECT * FROM ${tables.sources} WHERE id > ? ORDER BY id LIMIT ?`)
      .bind(cursor ?? "", limit + 1)
      .all<Row>();
    const items = results.slice(0, limit).map(sourceFromRow);
    return { items, cursor: results.length > limit ? items.at(-1)!.id : null };
  }

  /** Every source, oldest first: the OPML export (sources are few: one row each). */
  async all(): Promise<SourceRecord[]> {
    const { results } = await this.db.prepare(`SELECT * FROM ${tables.sources} ORDER BY created_at, id`).all<Row>();
    return results.map(sourceFromRow);
  }

  /**
   * Stops discovery: the source's row and its entry bookkeeping go, in one batch. The articles
   * it found stay tracked, and their `article_sources` rows stay (with `source_url`), so each
   * still says what found it. True when there was a source.
   */
  async delete(id: string): Promise<boolean> {
    const [, removed] = await this.db.batch([
      this.db.prepare(`DELETE FROM ${tables.sourceEntries} WHERE source_id = ?`).bind(id),
      this.db.prepare(`DELETE FROM ${tables.sources} WHERE id = ?`).bind(id),
    ]);
    return (removed!.meta.changes ?? 0) > 0;
  }

  /**
   * Changes a source's settings, bumping its revision so a check that read the old row re-reads
   * it. Resuming a paused source makes it due at once; pausing leaves its schedule, which the
   * dispatcher skips. One statement; null when there is no such source.
   */
  async update(id: string, settings: SourceSettings, nowMs: number): Promise<SourceRecord | null> {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (settings.status !== undefined) {
      sets.push("next_check_at = IIF(status = 'paused' AND ? = 'active', ?, next_check_at)", "status = ?");
      params.push(settings.status, nowMs, settings.status);
    }
    if (settings.filter !== undefined) {
      sets.push("filter = ?");
      params.push(JSON.stringify(settings.filter));
    }
    if (settings.trackDays !== undefined) {
      sets.push("track_days = ?");
      params.push(settings.trackDays);
    }
    if (settings.intervalMs !== undefined) {
      sets.push("interval_ms = ?");
      params.push(settings.intervalMs);
    }
    const row = await this.db
      .prepare(`UPDATE ${tables.sources} SET ${[...sets, "revision = revision + 1"].join(", ")} WHERE id = ? RETURNING *`)
      .bind(...params, id)
      .first<Row>();
    return row ? sourceFromRow(row) : null;
  }

  /** `/api/status`'s sources block: one aggregate over the sources (a row each; sources are few). */
  async counts(): Promise<Record<"total" | SourceStatus, number>> {
    const row = await this.db
      .prepare(
        `SELECT COUNT(*) AS total, COALESCE(SUM(status = 'active'), 0) AS active, COALESCE(SUM(status = 'failing'), 0) AS failing,
           COALESCE(SUM(status = 'paused'), 0) AS paused FROM ${tables.sources}`,
      )
      .first<Record<string, number>>();
    return { total: row?.total ?? 0, active: row?.active ?? 0, failing: row?.failing ?? 0, paused: row?.paused ?? 0 };
  }

  // -- what found each article (article_sources) --------------------------------------------------

  /**
   * The sources that found an article, first found first, each with its `sources` row as it is
   * now: one query, on the article's `article_sources` rows (primary key) joined to `sources`
   * (primary key). A deleted source has no row (`source` null); its `url` stays.
   */
  async sourcesOf(articleId: string): Promise<FoundBySource[]> {
    const { results } = await this.db
      .prepare(
        `SELECT f.source_id, f.source_url, f.found_at, f.entry_title, s.id AS s_id, s.title AS s_title, s.url AS s_url, s.type AS s_type, s.status AS s_status
         FROM ${tables.articleSources} f LEFT JOIN ${tables.sources} s ON s.id = f.source_id
         WHERE f.article_id = ? ORDER BY f.found_at, f.source_id`,
      )
      .bind(articleId)
      .all<Row>();
    return results.map((row) => ({
      id: row.source_id as string,
      url: row.source_url as string,
      foundAt: row.found_at as string,
      entryTitle: (row.entry_title as string | null) ?? null,
      source:
        typeof row.s_id !== "string"
          ? null
          : {
              title: row.s_title as string,
              url: row.s_url as string,
              type: (row.s_type as SourceType | null) ?? null,
              status: row.s_status as SourceStatus,
            },
    }));
  }

  /**
   * The articles a source found, newest found first, keyset-paged on (found_at, article_id) by
   * the `article_sources_by_source` index: one query per page, reading `limit` + 1 index rows
   * and as many article rows. Works for a deleted source too (its rows stay).
   */
  async articlesFound(sourceId: string, limit: number, cursor: string | null): Promise<Page<FoundArticle>> {
    const after = cursor === null ? null : decodeFoundCursor(cursor);
    if (cursor !== null && after === null) return { items: [], cursor: null };
    const { results } = await this.db
      .prepare(
        `SELECT a.*, s.found_at AS s_found_at, s.entry_title AS s_entry_title
         FROM ${tables.articleSources} s JOIN ${tables.articles} a ON a.id = s.article_id
         WHERE s.source_id = ?1 AND (?2 IS NULL OR (s.found_at, s.article_id) < (?2, ?3))
         ORDER BY s.found_at DESC, s.article_id DESC LIMIT ?4`,
      )
      .bind(sourceId, after?.[0] ?? null, after?.[1] ?? null, limit + 1)
      .all<Row>();
    const items = results.slice(0, limit).map((row) => ({
      article: articleFromRow(row),
      foundAt: row.s_found_at as string,
      entryTitle: (row.s_entry_title as string | null) ?? null,
    }));
    const last = items.at(-1);
    return { items, cursor: results.length > limit && last ? encodeFoundCursor(last.foundAt, last.article.id) : null };
  }

  /** Whether any article was ever found by `sourceId` (a deleted source's articles stay listed). */
  async foundAny(sourceId: string): Promise<boolean> {
    const row = await this.db.prepare(`SELECT 1 AS found FROM ${tables.articleSources} WHERE source_id = ? LIMIT 1`).bind(sourceId).first<Row>();
    return row !== null;
  }
}
