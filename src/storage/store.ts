/**
 * The storage port and its one implementation: D1 for every mutable value and every index, KV
 * for write-once content-addressed values (version snapshots and raw bodies). The questions the
 * rest of Redline asks are the methods; each is one D1 statement (or one batch) plus, where a
 * version's content is needed, one KV read. docs/storage.md lists the tables, keys and costs.
 */
import { gunzip, gzip } from "../archive/gzip";
import { recordDigest } from "../archive/chain";
import type { VersionDiff } from "../model";
import { changeText } from "../search/changes";
import { CHECKS_DEAD_LETTERED, CRON_RUN, DISPATCH_RUN, keys, legacyKeys } from "./keys";
import { changeSearchInsert, comparesVersions, SearchIndex, versionSearchInsert } from "./search";
import { DELIVERIES_PRUNE_LIMIT } from "./subscriptions";
import type {
  ArticleRecord,
  ArticleStatus,
  ChangeFilter,
  ChangeListItem,
  ChangeRecord,
  CronRunRecord,
  DispatchRecord,
  SubscriptionRecord,
  VersionRecord,
  VersionSummary,
} from "./records";

/** KV refuses values over 25 MiB. */
const KV_VALUE_LIMIT = 25 * 1024 * 1024;

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

/**
 * An article as its next writer sees it: the row, the revision a commit must still find, and
 * the latest version's index row (no KV read: an unchanged check needs none).
 */
export interface ArticleHead {
  article: ArticleRecord;
  revision: number;
  latest: (VersionSummary & { recordSha256: string }) | null;
  /** The article's host row (robots.txt cache, politeness), read by the same query; null when the host has none yet. */
  host: HostRow | null;
}

/** One planned check message of a dispatcher tick. */
export interface DispatchSlot {
  articleId: string;
  host: string;
  nextCheckAt: number;
  /** From the tick's time to this message's slot: its host's start plus its place × the host's interval. */
  delayMs: number;
  intervalMs: number;
}

/** What to list of the change index; every filter is applied in SQL, one query per page. */
export interface ChangeQuery extends Partial<ChangeFilter> {
  limit: number;
  cursor?: string | null;
  sinceMs?: number | null;
  site?: string | null;
  /** Only changes of the articles this source found (article_sources; a deleted source's rows stay). */
  source?: string | null;
}

/**
 * One state change of one article, committed atomically or not at all. `expect` is the head's
 * revision the writer read, or "absent" for a first capture. `owner` says which columns the
 * writer owns: a check writes `tracking` only to retire the article (it commits the value it read
 * otherwise, and the compare-and-set makes a DELETE in between win); DELETE and resume write only
 * `tracking` and `nextCheckAt`, and a resume also clears `retireAt` and a `retired` status. Only
 * the first capture writes `retireAt`. A check's `diff` is the one its change records (null unless
 * the change compares two versions): the change's search row is made of what it added and removed.
 */
export type Commit =
  | { owner: "create"; article: ArticleRecord; version: VersionRecord; change: ChangeRecord }
  | { owner: "check"; expect: number; article: ArticleRecord; version: VersionRecord | null; change: ChangeRecord | null; diff: VersionDiff | null }
  | { owner: "tracking"; expect: number; id: string; tracking: boolean; nextCheckAt: string };

/** A cursor names the last item shown: (detected_at_ms, article_id, seq), base64url. */
function encodeCursor(ms: number, articleId: string, seq: number): string {
  return btoa(`${ms}.${articleId}.${seq}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeCursor(cursor: string): [number, string, number] | null {
  try {
    const match = /^(\d{1,16})\.([0-9a-f]{16})\.(\d{1,9})$/.exec(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    return match ? [Number(match[1]), match[2]!, Number(match[3])] : null;
  } catch {
    return null;
  }
}

type Row = Record<string, unknown>;

/** A condition every statement of one batch shares (`WHERE <sql>`). */
export interface Guard {
  sql: string;
  params: unknown[];
}

/** The guard of a first capture and of the migration: no article row yet. */
const absent = (id: string): Guard => ({ sql: "NOT EXISTS (SELECT 1 FROM articles WHERE id = ?)", params: [id] });

const HEAD_SELECT = `SELECT a.*, v.captured_at AS v_captured_at, v.content_hash AS v_content_hash, v.record_sha256 AS v_record_sha256,
  v.title AS v_title, v.modified_at AS v_modified_at, h.host AS h_host, h.next_allowed_at AS h_next_allowed_at, h.booked_until AS h_booked_until, h.min_interval_ms AS h_min_interval_ms,
  h.robots_status AS h_robots_status, h.robots_body AS h_robots_body, h.robots_fetched_at AS h_robots_fetched_at, h.crawl_delay_ms AS h_crawl_delay_ms
  FROM articles a LEFT JOIN versions v ON v.article_id = a.id AND v.n = a.version_count LEFT JOIN hosts h ON h.host = a.site`;

/**
 * The host claim every request to a host goes through — a queued check, an immediate check, a
 * first capture: a compare-and-set that moves the host's `next_allowed_at` from ≤ now to now +
 * its interval (its own `min_interval_ms` or the deployment's, widened by its Crawl-delay), and
 * inserts the row when the host has none. Of two claims of one slot one wins (`meta.changes`).
 * `source` yields `(host, ?2 + ?3)` when the claim applies at all; binds ?2 now, ?3 the
 * deployment's interval (MIN_HOST_INTERVAL_MS; 0 spaces nothing).
 */
/** Books each host up to `until` (never earlier than it was booked): one statement for every host, via `json_each`. */
export function hostBookings(db: D1Database, bookings: Array<{ host: string; until: number }>): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO hosts (host, booked_until)
       SELECT json_extract(value, '$.host'), json_extract(value, '$.until') FROM json_each(?) WHERE 1
       ON CONFLICT (host) DO UPDATE SET booked_until = MAX(hosts.booked_until, excluded.booked_until)`,
    )
    .bind(JSON.stringify(bookings));
}

export const hostClaim = (source: string) => `INSERT INTO hosts (host, next_allowed_at) ${source}
  ON CONFLICT (host) DO UPDATE SET next_allowed_at = ?2 + MAX(COALESCE(hosts.min_interval_ms, ?3), COALESCE(hosts.crawl_delay_ms, 0))
  WHERE hosts.next_allowed_at <= ?2`;

export function articleFromRow(row: Record<string, unknown>): ArticleRecord {
  return {
    id: row.id as string,
    url: row.url as string,
    site: row.site as string,
    title: row.title as string,
    tracking: row.tracking === 1,
    status: row.status as ArticleStatus,
    firstSeenAt: row.first_seen_at as string,
    lastCheckedAt: (row.last_checked_at as string | null) ?? null,
    lastChangedAt: row.last_changed_at as string,
    nextCheckAt: new Date(row.next_check_at as number).toISOString(),
    versionCount: row.version_count as number,
    changeCount: row.change_count as number,
    latestHash: (row.latest_hash as string | null) ?? null,
    finalUrl: (row.final_url as string | null) ?? null,
    etag: (row.etag as string | null) ?? null,
    lastModified: (row.last_modified as string | null) ?? null,
    consecutiveFailures: row.consecutive_failures as number,
    consecutiveMissing: row.consecutive_missing as number,
    lastError: (row.last_error as string | null) ?? null,
    retireAt: row.retire_at == null ? null : new Date(row.retire_at as number).toISOString(),
  };
}

/** A `hosts` row: politeness and the robots.txt cache of one host (docs/storage.md). */
export interface HostRow {
  host: string;
  nextAllowedAt: number;
  bookedUntil: number;
  minIntervalMs: number | null;
  robotsStatus: number | null;
  robotsBody: string | null;
  robotsFetchedAt: number | null;
  crawlDelayMs: number | null;
}

export function hostFromRow(row: Record<string, unknown>, prefix = ""): HostRow {
  const get = (name: string) => row[`${prefix}${name}`];
  return {
    host: get("host") as string,
    nextAllowedAt: (get("next_allowed_at") as number | null) ?? 0,
    bookedUntil: (get("booked_until") as number | null) ?? 0,
    minIntervalMs: (get("min_interval_ms") as number | null) ?? null,
    robotsStatus: (get("robots_status") as number | null) ?? null,
    robotsBody: (get("robots_body") as string | null) ?? null,
    robotsFetchedAt: (get("robots_fetched_at") as number | null) ?? null,
    crawlDelayMs: (get("crawl_delay_ms") as number | null) ?? null,
  };
}

function headFromRow(row: Row): ArticleHead {
  const article = articleFromRow(row);
  const latest =
    row.v_record_sha256 == null
      ? null
      : { ...summaryFromRow({ ...row, n: article.versionCount }, "v_"), recordSha256: row.v_record_sha256 as string };
  return { article, revision: row.revision as number, latest, host: row.h_host == null ? null : hostFromRow(row, "h_") };
}

/** A version-list item from a `versions` row, or from the head query's `v_`-prefixed columns. */
function summaryFromRow(row: Row, prefix = ""): VersionSummary {
  return {
    n: row.n as number,
    capturedAt: row[`${prefix}captured_at`] as string,
    contentHash: row[`${prefix}content_hash`] as string,
    title: row[`${prefix}title`] as string,
    modifiedAt: (row[`${prefix}modified_at`] as string | null) ?? null,
  };
}

export function toListItem({ id, articleId, url, title, from, to, detectedAt, kinds, summary, significance }: ChangeRecord): ChangeListItem {
  return { id, articleId, url, title, from, to, detectedAt, kinds, summary, ...(significance === undefined ? {} : { significance }) };
}

/** The SQL conditions of a change filter, appended to a WHERE clause. */
function filterSql(filter: Partial<ChangeFilter>): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.kinds && filter.kinds.length > 0) {
    parts.push(`EXISTS (SELECT 1 FROM json_each(c.kinds) WHERE json_each.value IN (${filter.kinds.map(() => "?").join(", ")}))`);
    params.push(...filter.kinds);
  }
  if (filter.minSignificance) {
    // Changes recorded before significance was scored count as significant (src/feeds/filter.ts).
    parts.push("COALESCE(c.significance, 1) >= ?");
    params.push(filter.minSignificance);
  }
  return { sql: parts.map((part) => ` AND ${part}`).join(""), params };
}

export class RedlineStore {
  constructor(
    private readonly db: D1Database,
    private readonly kv: KVNamespace,
  ) {
    this.search = new SearchIndex(db);
  }

  // -- articles ------------------------------------------------------------------------------

  async getHead(id: string): Promise<ArticleHead | null> {
    const row = await this.db.prepare(`${HEAD_SELECT} WHERE a.id = ?`).bind(id).first<Row>();
    return row ? headFromRow(row) : null;
  }

  async getArticle(id: string): Promise<ArticleRecord | null> {
    return (await this.getHead(id))?.article ?? null;
  }

  /** In id order; the cursor is the last id shown. */
  async listArticles(limit: number, cursor: string | null): Promise<Page<ArticleRecord>> {
    const { results } = await this.db
      .prepare("SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?")
      .bind(cursor ?? "", limit + 1)
      .all<Row>();
    const items = results.slice(0, limit).map(articleFromRow);
    return { items, cursor: results.length > limit ? items.at(-1)!.id : null };
  }

  /** Tracked articles due at `atMs`, most overdue first, at most `limit`, and how many are due in all. */
  async dueArticles(atMs: number, limit: number): Promise<{ due: number; heads: ArticleHead[] }> {
    const [count, page] = await this.db.batch<Row>([
      this.db.prepare("SELECT COUNT(*) AS due FROM articles WHERE tracking = 1 AND next_check_at <= ?").bind(atMs),
      this.db.prepare(`${HEAD_SELECT} WHERE a.tracking = 1 AND a.next_check_at <= ? ORDER BY a.next_check_at LIMIT ?`).bind(atMs, limit),
    ]);
    return { due: (count!.results[0]?.due as number) ?? 0, heads: page!.results.map(headFromRow) };
  }

  /**
   * The counts `/api/status` shows: the one `article_stats` row, which triggers on `articles`
   * keep exact (migrations/0003_article_stats.sql), so this reads one row whatever the number of
   * articles.
   */
  async articleCounts(): Promise<{ articles: Record<"total" | "tracking" | ArticleStatus, number>; versions: number; changes: number }> {
    const row = await this.db
      .prepare("SELECT total, tracking, active, removed, failing, blocked, retired, versions, changes FROM article_stats WHERE id = 1")
      .first<Record<string, number>>();
    const count = (name: string) => row?.[name] ?? 0;
    return {
      articles: {
        total: count("total"),
        tracking: count("tracking"),
        active: count("active"),
        removed: count("removed"),
        failing: count("failing"),
        blocked: count("blocked"),
        retired: count("retired"),
      },
      versions: count("versions"),
      changes: count("changes"),
    };
  }

  // -- versions ------------------------------------------------------------------------------

  async listVersions(articleId: string): Promise<VersionSummary[]> {
    const { results } = await this.db
      .prepare("SELECT n, captured_at, content_hash, title, modified_at FROM versions WHERE article_id = ? ORDER BY n")
      .bind(articleId)
      .all<Row>();
    return results.map((row) => summaryFromRow(row));
  }

  /** Versions at or after `sinceMs`, oldest first (the WARC export). */
  async listVersionsSince(articleId: string, sinceMs: number | null): Promise<VersionSummary[]> {
    const all = await this.listVersions(articleId);
    return sinceMs === null ? all : all.filter((summary) => Date.parse(summary.capturedAt) >= sinceMs);
  }

  /** One D1 read for the snapshot's key, one KV read for the record. */
  async getVersion(articleId: string, n: number): Promise<VersionRecord | null> {
    const row = await this.db.prepare("SELECT record_sha256 FROM versions WHERE article_id = ? AND n = ?").bind(articleId, n).first<Row>();
    return row ? this.getSnapshot(row.record_sha256 as string) : null;
  }

  getSnapshot(recordSha256: string): Promise<VersionRecord | null> {
    return this.kv.get<VersionRecord>(keys.snapshot(recordSha256), "json");
  }

  /** The newest version below `belowN` with this content hash (a revert's target), or null. */
  async latestWithHash(articleId: string, contentHash: string, belowN: number): Promise<number | null> {
    const row = await this.db
      .prepare("SELECT MAX(n) AS n FROM versions WHERE article_id = ? AND content_hash = ? AND n < ?")
      .bind(articleId, contentHash, belowN)
      .first<Row>();
    return (row?.n as number | null) ?? null;
  }

  /**
   * Stores a raw body gzip-compressed under its digest. Identical bodies share the key, and a
   * rewrite puts the same bytes. Returns false (storing nothing) when the compressed body would
   * exceed KV's value limit.
   */
  async putRaw(sha256: string, body: Uint8Array): Promise<boolean> {
    const compressed = await gzip(body);
    if (compressed.byteLength > KV_VALUE_LIMIT) return false;
    await this.kv.put(keys.raw(sha256), compressed, { metadata: { size: body.byteLength, gzipSize: compressed.byteLength } });
    return true;
  }

  async getRaw(sha256: string): Promise<Uint8Array | null> {
    const compressed = await this.kv.get(keys.raw(sha256), "arrayBuffer");
    return compressed ? gunzip(new Uint8Array(compressed)) : null;
  }

  // -- changes -------------------------------------------------------------------------------

  async getChange(articleId: string, seq: number): Promise<ChangeRecord | null> {
    const row = await this.db.prepare("SELECT record FROM changes WHERE article_id = ? AND seq = ?").bind(articleId, seq).first<Row>();
    return row ? (JSON.parse(row.record as string) as ChangeRecord) : null;
  }

  /**
   * Newest first, of every article, of one site's or of the articles one source found, filtered
   * by kind, significance and time in SQL: one query per page, keyset-paged on (detected_at_ms,
   * article_id, seq).
   */
  async listChanges(query: ChangeQuery): Promise<Page<ChangeListItem>> {
    const where: string[] = ["1 = 1"];
    const params: unknown[] = [];
    if (query.site) {
      where.push("c.site = ?");
      params.push(query.site);
    }
    if (query.source) {
      where.push("c.article_id IN (SELECT article_id FROM article_sources WHERE source_id = ?)");
      params.push(query.source);
    }
    if (query.sinceMs !== null && query.sinceMs !== undefined) {
      where.push("c.detected_at_ms >= ?");
      params.push(query.sinceMs);
    }
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      if (!after) return { items: [], cursor: null };
      where.push("(c.detected_at_ms, c.article_id, c.seq) < (?, ?, ?)");
      params.push(...after);
    }
    const filter = filterSql(query);
    const { results } = await this.db
      .prepare(
        `SELECT c.record, c.detected_at_ms, c.article_id, c.seq FROM changes c WHERE ${where.join(" AND ")}${filter.sql}
         ORDER BY c.detected_at_ms DESC, c.article_id DESC, c.seq DESC LIMIT ?`,
      )
      .bind(...params, ...filter.params, query.limit + 1)
      .all<Row>();
    const shown = results.slice(0, query.limit);
    const last = shown.at(-1);
    return {
      items: shown.map((row) => toListItem(JSON.parse(row.record as string) as ChangeRecord)),
      cursor: results.length > query.limit && last ? encodeCursor(last.detected_at_ms as number, last.article_id as string, last.seq as number) : null,
    };
  }

  /** One article's changes, newest first, `limit` at a time below sequence number `beforeSeq`. */
  async listArticleChanges(
    articleId: string,
    limit: number,
    beforeSeq: number | null,
    filter: Partial<ChangeFilter> = {},
  ): Promise<{ items: ChangeListItem[]; nextBeforeSeq: number | null }> {
    const conditions = filterSql(filter);
    const { results } = await this.db
      .prepare(`SELECT c.record, c.seq FROM changes c WHERE c.article_id = ? AND c.seq < ?${conditions.sql} ORDER BY c.seq DESC LIMIT ?`)
      .bind(articleId, beforeSeq ?? Number.MAX_SAFE_INTEGER, ...conditions.params, limit + 1)
      .all<Row>();
    const shown = results.slice(0, limit);
    return {
      items: shown.map((row) => toListItem(JSON.parse(row.record as string) as ChangeRecord)),
      nextBeforeSeq: results.length > limit ? (shown.at(-1)!.seq as number) : null,
    };
  }

  // -- search (migrations/0005_search.sql, 0006_change_search.sql: src/storage/search.ts) -----

  /** The search index: both searches and the rebuild's reads and writes; its rows are written by {@link commit}. */
  readonly search: SearchIndex;

  // -- the one writer per article --------------------------------------------------------------

  /**
   * Commits one state change of one article, or nothing: true when this writer won. The version
   * snapshot (KV, content-addressed) is written first, so no row ever names a missing snapshot;
   * then ONE batch (a D1 transaction) inserts the version and change rows only if the head is
   * still at the revision the writer read, and moves the head with `revision = revision + 1`.
   * The batch's last statement reports whether it matched.
   */
  async commit(commit: Commit): Promise<boolean> {
    const statements: D1PreparedStatement[] = [];
    if (commit.owner === "tracking") {
      // Resuming a retired article tracks it until it is stopped: a person asked for it.
      statements.push(
        this.db
          .prepare(
            `UPDATE articles SET tracking = ?1, next_check_at = ?2, retire_at = IIF(?1 = 1, NULL, retire_at),
               status = IIF(?1 = 1 AND status = 'retired', 'active', status), revision = revision + 1
             WHERE id = ?3 AND revision = ?4`,
          )
          .bind(commit.tracking ? 1 : 0, Date.parse(commit.nextCheckAt), commit.id, commit.expect),
      );
    } else {
      const { article, version, change } = commit;
      const guard = commit.owner === "create" ? absent(article.id) : { sql: "EXISTS (SELECT 1 FROM articles WHERE id = ? AND revision = ?)", params: [article.id, commit.expect] };
      if (version) statements.push(this.versionInsert("INSERT", article.id, version, await this.putSnapshot(version), guard), versionSearchInsert(this.db, article.id, version, guard));
      if (change) statements.push(this.changeInsert("INSERT", change, guard));
      // What the change added and removed, from the diff it records, beside its row (migrations/0006_change_search.sql).
      if (change && commit.owner === "check" && commit.diff && comparesVersions(change)) statements.push(changeSearchInsert(this.db, change, changeText(commit.diff), guard));
      const a = article;
      const owned = [
        a.title, a.status, a.lastCheckedAt, a.lastChangedAt, Date.parse(a.nextCheckAt), a.versionCount, a.changeCount,
        a.latestHash, a.finalUrl, a.etag, a.lastModified, a.consecutiveFailures, a.consecutiveMissing, a.lastError, a.tracking ? 1 : 0,
      ];
      statements.push(
        commit.owner === "create"
          ? this.db
              .prepare(
                `INSERT INTO articles (title, status, last_checked_at, last_changed_at, next_check_at, version_count, change_count,
                   latest_hash, final_url, etag, last_modified, consecutive_failures, consecutive_missing, last_error, tracking,
                   id, url, site, first_seen_at, retire_at, revision)
                 SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1 WHERE ${guard.sql}`,
              )
              .bind(...owned, a.id, a.url, a.site, a.firstSeenAt, a.retireAt === null ? null : Date.parse(a.retireAt), ...guard.params)
          : this.db
              .prepare(
                `UPDATE articles SET title = ?, status = ?, last_checked_at = ?, last_changed_at = ?, next_check_at = ?, version_count = ?,
                   change_count = ?, latest_hash = ?, final_url = ?, etag = ?, last_modified = ?, consecutive_failures = ?,
                   consecutive_missing = ?, last_error = ?, tracking = ?, lease_until = NULL, revision = revision + 1
                 WHERE id = ? AND revision = ?`,
              )
              .bind(...owned, a.id, commit.expect),
      );
    }
    const results = await this.db.batch(statements);
    return (results.at(-1)?.meta.changes ?? 0) > 0;
  }

  /** The version record, in KV under its digest (the hash-chain digest); returns the digest. A rewrite puts identical bytes. */
  async putSnapshot(version: VersionRecord): Promise<string> {
    const recordSha256 = await recordDigest(version);
    await this.kv.put(keys.snapshot(recordSha256), JSON.stringify(version));
    return recordSha256;
  }

  private versionInsert(verb: "INSERT" | "INSERT OR IGNORE", articleId: string, version: VersionRecord, recordSha256: string, guard: Guard): D1PreparedStatement {
    return this.db
      .prepare(
        `${verb} INTO versions (article_id, n, captured_at, content_hash, record_sha256, title, modified_at)
         SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql}`,
      )
      .bind(articleId, version.n, version.capturedAt, version.contentHash, recordSha256, version.title, version.modifiedAt ?? null, ...guard.params);
  }

  private changeInsert(verb: "INSERT" | "INSERT OR IGNORE", change: ChangeRecord, guard: Guard): D1PreparedStatement {
    return this.db
      .prepare(
        `${verb} INTO changes (article_id, seq, id, detected_at_ms, site, url, title, from_n, to_n, kinds, summary, significance, revert_of, record)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql}`,
      )
      .bind(
        change.articleId,
        change.seq,
        change.id,
        Date.parse(change.detectedAt),
        new URL(change.url).hostname,
        change.url,
        change.title,
        change.from,
        change.to,
        JSON.stringify(change.kinds),
        change.summary,
        change.significance ?? null,
        change.revertOf ?? null,
        JSON.stringify(change),
        ...guard.params,
      );
  }

  // -- the migration from the KV-only layout (src/storage/migrate.ts) ---------------------------

  /** What the migration needs to know of an article D1 may already hold: one query. */
  async importState(id: string): Promise<{ revision: number; versionCount: number; changeCount: number; firstSeenAt: string } | null> {
    const row = await this.db.prepare("SELECT revision, version_count, change_count, first_seen_at FROM articles WHERE id = ?").bind(id).first<Row>();
    return row
      ? { revision: row.revision as number, versionCount: row.version_count as number, changeCount: row.change_count as number, firstSeenAt: row.first_seen_at as string }
      : null;
  }

  /**
   * Version and change rows of an article D1 does not hold yet, in one batch, guarded like a
   * first capture: nothing is written once the article row exists, so the migration never
   * touches an article the new layout already tracks. INSERT OR IGNORE, so a rerun after a
   * crash writes nothing twice. No route shows the rows before {@link importArticle} writes the
   * head. The snapshots (`putSnapshot`) must be written first.
   */
  async importRows(articleId: string, versions: Array<{ version: VersionRecord; recordSha256: string }>, changes: ChangeRecord[]): Promise<void> {
    const guard = absent(articleId);
    const statements = [
      // Each search row before its version row, only while that row is missing: a rerun indexes nothing twice.
      ...versions.flatMap(({ version, recordSha256 }) => [
        versionSearchInsert(this.db, articleId, version, {
          sql: `${guard.sql} AND NOT EXISTS (SELECT 1 FROM versions WHERE article_id = ? AND n = ?)`,
          params: [...guard.params, articleId, version.n],
        }),
        this.versionInsert("INSERT OR IGNORE", articleId, version, recordSha256, guard),
      ]),
      ...changes.map((change) => this.changeInsert("INSERT OR IGNORE", change, guard)),
    ];
    if (statements.length > 0) await this.db.batch(statements);
  }

  /** The head of a migrated article, written after its rows, at revision 1; true when this call created it. */
  async importArticle(a: ArticleRecord): Promise<boolean> {
    const guard = absent(a.id);
    const [result] = await this.db.batch([
      this.db
        .prepare(
          `INSERT OR IGNORE INTO articles (id, url, site, title, tracking, status, first_seen_at, last_checked_at, last_changed_at, next_check_at,
             version_count, change_count, latest_hash, final_url, etag, last_modified, consecutive_failures, consecutive_missing, last_error, revision)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1 WHERE ${guard.sql}`,
        )
        .bind(
          a.id, a.url, a.site, a.title, a.tracking ? 1 : 0, a.status, a.firstSeenAt, a.lastCheckedAt, a.lastChangedAt, Date.parse(a.nextCheckAt),
          a.versionCount, a.changeCount, a.latestHash, a.finalUrl, a.etag, a.lastModified, a.consecutiveFailures, a.consecutiveMissing, a.lastError,
          ...guard.params,
        ),
    ]);
    return (result?.meta.changes ?? 0) > 0;
  }

  /** The snapshot digests of versions `from`..`to`, for re-verifying an article: one query. */
  async versionDigests(articleId: string, from: number, to: number): Promise<Array<{ n: number; recordSha256: string }>> {
    const { results } = await this.db
      .prepare("SELECT n, record_sha256 FROM versions WHERE article_id = ? AND n BETWEEN ? AND ? ORDER BY n")
      .bind(articleId, from, to)
      .all<Row>();
    return results.map((row) => ({ n: row.n as number, recordSha256: row.record_sha256 as string }));
  }

  /**
   * Inserts a KV-era subscription (a webhook) unless D1 holds one with its id already; true when
   * inserted. Its HMAC secret goes in as `plain_secret`, sealed by the next fan-out (src/channels/queue.ts).
   */
  async importSubscription(s: SubscriptionRecord): Promise<boolean> {
    const [result] = await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO subscriptions (id, type, config, filter, plain_secret, created_at, origin, dead_lettered, last_dead_letter) VALUES (?, 'webhook', ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO NOTHING`,
        )
        .bind(s.id, JSON.stringify({ url: s.url }), JSON.stringify(s.filter), s.secret, s.createdAt, s.origin, s.deadLettered ?? 0, s.lastDeadLetter ? JSON.stringify(s.lastDeadLetter) : null),
    ]);
    return (result?.meta.changes ?? 0) > 0;
  }

  /** Inserts the cron run unless D1 has recorded one already (any D1 run is newer); true when inserted. */
  async importCronRun(run: CronRunRecord): Promise<boolean> {
    const [result] = await this.db.batch([
      this.db.prepare("INSERT INTO runs (name, record, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING").bind(CRON_RUN, JSON.stringify(run), run.finishedAt),
    ]);
    return (result?.meta.changes ?? 0) > 0;
  }

  // -- hosts: politeness and the robots.txt cache ------------------------------------------------

  async getHost(host: string): Promise<HostRow | null> {
    const row = await this.db.prepare("SELECT * FROM hosts WHERE host = ?").bind(host).first<Row>();
    return row ? hostFromRow(row) : null;
  }

  /** Stores a host's robots.txt as fetched (`status` null: unreachable) and its Crawl-delay for Redline. */
  async putRobots(host: string, robots: { status: number | null; body: string | null; fetchedAt: number; crawlDelayMs: number | null }): Promise<void> {
    await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO hosts (host, robots_status, robots_body, robots_fetched_at, crawl_delay_ms) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (host) DO UPDATE SET robots_status = excluded.robots_status, robots_body = excluded.robots_body,
             robots_fetched_at = excluded.robots_fetched_at, crawl_delay_ms = excluded.crawl_delay_ms`,
        )
        .bind(host, robots.status, robots.body, robots.fetchedAt, robots.crawlDelayMs),
    ]);
  }

  /** No request to `host` before `untilMs` (a Retry-After): only ever moves the host's next allowed time later. */
  async pushHostBack(host: string, untilMs: number): Promise<void> {
    await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO hosts (host, next_allowed_at) VALUES (?, ?)
           ON CONFLICT (host) DO UPDATE SET next_allowed_at = MAX(hosts.next_allowed_at, excluded.next_allowed_at)`,
        )
        .bind(host, untilMs),
    ]);
  }

  /**
   * One round trip for a queued check: claim the host's next request slot with a compare-and-set
   * (`next_allowed_at <= now`, moved to now + the host's interval; only if the article is still
   * tracked and due) and read the article's head with its host row as the claim left it.
   */
  async claimHostAndReadHead(
    articleId: string,
    host: string,
    nowMs: number,
    dueBeforeMs: number,
    defaultIntervalMs: number,
  ): Promise<{ claimed: boolean; head: ArticleHead | null }> {
    const [claim, head] = await this.db.batch<Row>([
      this.db
        .prepare(hostClaim("SELECT ?1, ?2 + ?3 WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?4 AND tracking = 1 AND next_check_at <= ?5)"))
        .bind(host, nowMs, defaultIntervalMs, articleId, dueBeforeMs),
      this.db.prepare(`${HEAD_SELECT} WHERE a.id = ?`).bind(articleId),
    ]);
    const row = head!.results[0];
    return { claimed: (claim!.meta.changes ?? 0) > 0, head: row ? headFromRow(row) : null };
  }

  /**
   * One round trip for an immediate check (`POST /api/articles/:id/check`): the same claim of
   * the article's host as a queued check's — only if the article is tracked, due or not — and
   * the head with its host row as the claim left it.
   */
  async claimHostForCheck(articleId: string, nowMs: number, defaultIntervalMs: number): Promise<{ claimed: boolean; head: ArticleHead | null }> {
    const [claim, head] = await this.db.batch<Row>([
      this.db.prepare(hostClaim("SELECT a.site, ?2 + ?3 FROM articles a WHERE a.id = ?1 AND a.tracking = 1")).bind(articleId, nowMs, defaultIntervalMs),
      this.db.prepare(`${HEAD_SELECT} WHERE a.id = ?`).bind(articleId),
    ]);
    const row = head!.results[0];
    return { claimed: (claim!.meta.changes ?? 0) > 0, head: row ? headFromRow(row) : null };
  }

  /** One round trip before a first capture: the claim of `host`, and its row as the claim left it (robots.txt cache included). */
  async claimHost(host: string, nowMs: number, defaultIntervalMs: number): Promise<{ claimed: boolean; host: HostRow }> {
    const [claim, row] = await this.db.batch<Row>([
      this.db.prepare(hostClaim("VALUES (?1, ?2 + ?3)")).bind(host, nowMs, defaultIntervalMs),
      this.db.prepare("SELECT * FROM hosts WHERE host = ?").bind(host),
    ]);
    return { claimed: (claim!.meta.changes ?? 0) > 0, host: hostFromRow(row!.results[0]!) };
  }

  // -- the dispatcher (src/tracking/dispatch.ts) -------------------------------------------------

  /**
   * The due articles one tick may send, most overdue first: each host's first `budget` due,
   * unleased articles, where the budget is how many of its requests, spaced by its interval from
   * the later of now, its next allowed time and what earlier ticks booked, start within
   * `windowMs`. The rest keep their place (not leased, still due). ONE batch, one transaction:
   * the counts, the plan, and the lease of exactly the planned rows (`RETURNING`).
   */
  async leaseDue(
    atMs: number,
    dueBeforeMs: number,
    settings: { limit: number; windowMs: number; defaultIntervalMs: number; leaseUntil: number },
  ): Promise<{ due: number; leased: number; eligible: number; plan: DispatchSlot[] }> {
    const planned = `WITH due AS (
        SELECT a.id, a.site, a.next_check_at, ROW_NUMBER() OVER (PARTITION BY a.site ORDER BY a.next_check_at, a.id) AS place
        FROM articles a WHERE a.tracking = 1 AND a.next_check_at <= ?1 AND (a.lease_until IS NULL OR a.lease_until < ?2)
      ), paced AS (
        SELECT due.*, MAX(?2, COALESCE(h.next_allowed_at, 0), COALESCE(h.booked_until, 0)) AS start_at,
          MAX(COALESCE(h.min_interval_ms, ?3), COALESCE(h.crawl_delay_ms, 0), 1) AS interval_ms
        FROM due LEFT JOIN hosts h ON h.host = due.site
      )
      SELECT id, site, next_check_at, place, start_at, interval_ms, COUNT(*) OVER () AS eligible FROM paced
      WHERE place <= (?2 + ?4 - start_at + interval_ms - 1) / interval_ms
      ORDER BY next_check_at, id LIMIT ?5`;
    const params = [dueBeforeMs, atMs, settings.defaultIntervalMs, settings.windowMs, settings.limit];
    const [counts, plan, lease] = await this.db.batch<Row>([
      this.db
        .prepare("SELECT COUNT(*) AS due, COALESCE(SUM(lease_until IS NOT NULL AND lease_until >= ?2), 0) AS leased FROM articles WHERE tracking = 1 AND next_check_at <= ?1")
        .bind(dueBeforeMs, atMs),
      this.db.prepare(planned).bind(...params),
      this.db
        .prepare(`UPDATE articles SET lease_until = ?6 WHERE id IN (SELECT id FROM (${planned})) RETURNING id`)
        .bind(...params, settings.leaseUntil),
    ]);
    const leasedNow = new Set(lease!.results.map((row) => row.id as string));
    const rows = plan!.results.filter((row) => leasedNow.has(row.id as string));
    return {
      due: (counts!.results[0]?.due as number) ?? 0,
      leased: (counts!.results[0]?.leased as number) ?? 0,
      eligible: (plan!.results[0]?.eligible as number | undefined) ?? 0,
      plan: rows.map((row) => ({
        articleId: row.id as string,
        host: row.site as string,
        nextCheckAt: row.next_check_at as number,
        delayMs: (row.start_at as number) - atMs + ((row.place as number) - 1) * (row.interval_ms as number),
        intervalMs: row.interval_ms as number,
      })),
    };
  }

  /**
   * After a tick: each host is booked up to the end of the slots it was given (the next tick
   * spaces after them), the tick's record is kept, check counters older than a day are dropped,
   * and at most DELIVERIES_PRUNE_LIMIT delivery-ledger rows older than `pruneDeliveriesBeforeMs`
   * (the oldest first, by their index). One batch of four statements.
   */
  async finishDispatch(bookings: Array<{ host: string; until: number }>, record: DispatchRecord, pruneBeforeMinute: number, pruneDeliveriesBeforeMs: number): Promise<void> {
    await this.db.batch([
      hostBookings(this.db, bookings),
      this.db
        .prepare("INSERT INTO runs (name, record, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at")
        .bind(DISPATCH_RUN, JSON.stringify(record), record.finishedAt),
      this.db.prepare("DELETE FROM check_counts WHERE minute < ?").bind(pruneBeforeMinute),
      this.db
        .prepare("DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries WHERE delivered_at_ms < ? ORDER BY delivered_at_ms LIMIT ?)")
        .bind(pruneDeliveriesBeforeMs, DELIVERIES_PRUNE_LIMIT),
    ]);
  }

  async getDispatch(): Promise<DispatchRecord | null> {
    const row = await this.db.prepare("SELECT record FROM runs WHERE name = ?").bind(DISPATCH_RUN).first<Row>();
    return row ? (JSON.parse(row.record as string) as DispatchRecord) : null;
  }

  // -- queue counters ------------------------------------------------------------------------------

  /** Adds one consumer invocation's completed checks to the minute's counters: one batch, a statement per outcome. */
  async countChecks(minute: number, byOutcome: Map<string, number>): Promise<void> {
    if (byOutcome.size === 0) return;
    await this.db.batch(
      [...byOutcome].map(([outcome, n]) =>
        this.db
          .prepare("INSERT INTO check_counts (minute, outcome, n) VALUES (?, ?, ?) ON CONFLICT (minute, outcome) DO UPDATE SET n = n + excluded.n")
          .bind(minute, outcome, n),
      ),
    );
  }

  /**
   * What /api/status shows of the queues, in one batch of two statements whatever the traffic:
   * checks completed per outcome in the hour and the day before `nowMs` (at most 1,440 counter rows
   * per outcome), and the dead-letter counter.
   */
  async queueStats(nowMs: number): Promise<{ lastHour: Record<string, number>; last24h: Record<string, number>; deadLettered: number; lastDeadLetter: unknown }> {
    const minute = Math.floor(nowMs / 60_000);
    const [counts, dead] = await this.db.batch<Row>([
      this.db
        .prepare(
          `SELECT outcome, COALESCE(SUM(CASE WHEN minute > ?1 - 60 THEN n ELSE 0 END), 0) AS hour, SUM(n) AS day
           FROM check_counts WHERE minute > ?1 - 1440 GROUP BY outcome ORDER BY outcome`,
        )
        .bind(minute),
      this.db.prepare("SELECT value, last FROM counters WHERE name = ?").bind(CHECKS_DEAD_LETTERED),
    ]);
    const lastHour: Record<string, number> = {};
    const last24h: Record<string, number> = {};
    for (const row of counts!.results) {
      if ((row.hour as number) > 0) lastHour[row.outcome as string] = row.hour as number;
      last24h[row.outcome as string] = row.day as number;
    }
    const deadRow = dead!.results[0];
    return {
      lastHour,
      last24h,
      deadLettered: (deadRow?.value as number | undefined) ?? 0,
      lastDeadLetter: deadRow?.last == null ? null : JSON.parse(deadRow.last as string),
    };
  }

  /** A check message that exhausted its retries: counted in SQL, so concurrent dead letters all count. */
  async recordCheckDeadLetter(last: { type: string; articleId?: string; sourceId?: string; url?: string; attempts: number; at: string }): Promise<void> {
    await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO counters (name, value, last, updated_at) VALUES (?1, 1, ?2, ?3)
           ON CONFLICT (name) DO UPDATE SET value = value + 1, last = excluded.last, updated_at = excluded.updated_at`,
        )
        .bind(CHECKS_DEAD_LETTERED, JSON.stringify(last), last.at),
    ]);
  }

  // -- runs ----------------------------------------------------------------------------------

  async getCronRun(): Promise<CronRunRecord | null> {
    const row = await this.db.prepare("SELECT record FROM runs WHERE name = ?").bind(CRON_RUN).first<Row>();
    return row ? (JSON.parse(row.record as string) as CronRunRecord) : null;
  }

  async putCronRun(run: CronRunRecord): Promise<void> {
    await this.db.batch([
      this.db
        .prepare("INSERT INTO runs (name, record, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at")
        .bind(CRON_RUN, JSON.stringify(run), run.finishedAt),
    ]);
  }
}
