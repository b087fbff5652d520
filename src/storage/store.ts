/**
 * The storage port and its one implementation: D1 for every mutable value and every index, KV
 * for write-once content-addressed values (version snapshots and raw bodies). The questions the
 * rest of Redline asks are the methods; each is one D1 statement (or one batch) plus, where a
 * version's content is needed, one KV read. docs/storage.md lists the tables, keys and costs.
 */
import { gunzip, gzip } from "../archive/gzip";
import { recordDigest } from "../archive/chain";
import { CRON_RUN, keys, legacyKeys } from "./keys";
import type {
  ArticleRecord,
  ArticleStatus,
  ChangeFilter,
  ChangeListItem,
  ChangeRecord,
  CronRunRecord,
  SubscriptionFilter,
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
}

/** What to list of the change index; every filter is applied in SQL, one query per page. */
export interface ChangeQuery extends Partial<ChangeFilter> {
  limit: number;
  cursor?: string | null;
  sinceMs?: number | null;
  site?: string | null;
}

/**
 * One state change of one article, committed atomically or not at all. `expect` is the head's
 * revision the writer read, or "absent" for a first capture. `owner` says which columns the
 * writer owns: a check never writes `tracking`, DELETE and resume write only `tracking` and
 * `nextCheckAt`.
 */
export type Commit =
  | { owner: "create"; article: ArticleRecord; version: VersionRecord; change: ChangeRecord }
  | { owner: "check"; expect: number; article: ArticleRecord; version: VersionRecord | null; change: ChangeRecord | null }
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
interface Guard {
  sql: string;
  params: unknown[];
}

/** The guard of a first capture and of the migration: no article row yet. */
const absent = (id: string): Guard => ({ sql: "NOT EXISTS (SELECT 1 FROM articles WHERE id = ?)", params: [id] });

const HEAD_SELECT = `SELECT a.*, v.captured_at AS v_captured_at, v.content_hash AS v_content_hash, v.record_sha256 AS v_record_sha256,
  v.title AS v_title, v.modified_at AS v_modified_at
  FROM articles a LEFT JOIN versions v ON v.article_id = a.id AND v.n = a.version_count`;

function articleFromRow(row: Row): ArticleRecord {
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
  };
}

function headFromRow(row: Row): ArticleHead {
  const article = articleFromRow(row);
  const latest =
    row.v_record_sha256 == null
      ? null
      : { ...summaryFromRow({ ...row, n: article.versionCount }, "v_"), recordSha256: row.v_record_sha256 as string };
  return { article, revision: row.revision as number, latest };
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

function subscriptionFromRow(row: Row): SubscriptionRecord {
  return {
    id: row.id as string,
    url: row.url as string,
    filter: JSON.parse(row.filter as string) as SubscriptionFilter,
    secret: row.secret as string,
    createdAt: row.created_at as string,
    origin: row.origin as string,
    deadLettered: row.dead_lettered as number,
    lastDeadLetter: row.last_dead_letter == null ? null : (JSON.parse(row.last_dead_letter as string) as SubscriptionRecord["lastDeadLetter"]),
  };
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
  ) {}

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

  /** The counts `/api/status` shows, in one aggregate query. */
  async articleCounts(): Promise<{ articles: Record<"total" | "tracking" | ArticleStatus, number>; versions: number; changes: number }> {
    const row = (await this.db
      .prepare(
        `SELECT COUNT(*) AS total, COALESCE(SUM(tracking), 0) AS tracking, COALESCE(SUM(status = 'active'), 0) AS active,
          COALESCE(SUM(status = 'removed'), 0) AS removed, COALESCE(SUM(status = 'failing'), 0) AS failing,
          COALESCE(SUM(version_count), 0) AS versions, COALESCE(SUM(change_count), 0) AS changes FROM articles`,
      )
      .first<Record<string, number>>())!;
    return {
      articles: { total: row.total!, tracking: row.tracking!, active: row.active!, removed: row.removed!, failing: row.failing! },
      versions: row.versions!,
      changes: row.changes!,
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
   * Newest first, of every article or of one site's, filtered by kind, significance and time in
   * SQL: one query per page, keyset-paged on (detected_at_ms, article_id, seq).
   */
  async listChanges(query: ChangeQuery): Promise<Page<ChangeListItem>> {
    const where: string[] = ["1 = 1"];
    const params: unknown[] = [];
    if (query.site) {
      where.push("c.site = ?");
      params.push(query.site);
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
      statements.push(
        this.db
          .prepare("UPDATE articles SET tracking = ?, next_check_at = ?, revision = revision + 1 WHERE id = ? AND revision = ?")
          .bind(commit.tracking ? 1 : 0, Date.parse(commit.nextCheckAt), commit.id, commit.expect),
      );
    } else {
      const { article, version, change } = commit;
      const guard = commit.owner === "create" ? absent(article.id) : { sql: "EXISTS (SELECT 1 FROM articles WHERE id = ? AND revision = ?)", params: [article.id, commit.expect] };
      if (version) statements.push(this.versionInsert("INSERT", article.id, version, await this.putSnapshot(version), guard));
      if (change) statements.push(this.changeInsert("INSERT", change, guard));
      const a = article;
      const owned = [
        a.title, a.status, a.lastCheckedAt, a.lastChangedAt, Date.parse(a.nextCheckAt), a.versionCount, a.changeCount,
        a.latestHash, a.finalUrl, a.etag, a.lastModified, a.consecutiveFailures, a.consecutiveMissing, a.lastError,
      ];
      statements.push(
        commit.owner === "create"
          ? this.db
              .prepare(
                `INSERT INTO articles (title, status, last_checked_at, last_changed_at, next_check_at, version_count, change_count,
                   latest_hash, final_url, etag, last_modified, consecutive_failures, consecutive_missing, last_error,
                   id, url, site, tracking, first_seen_at, revision)
                 SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1 WHERE ${guard.sql}`,
              )
              .bind(...owned, a.id, a.url, a.site, a.tracking ? 1 : 0, a.firstSeenAt, ...guard.params)
          : this.db
              .prepare(
                `UPDATE articles SET title = ?, status = ?, last_checked_at = ?, last_changed_at = ?, next_check_at = ?, version_count = ?,
                   change_count = ?, latest_hash = ?, final_url = ?, etag = ?, last_modified = ?, consecutive_failures = ?,
                   consecutive_missing = ?, last_error = ?, revision = revision + 1
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
      ...versions.map(({ version, recordSha256 }) => this.versionInsert("INSERT OR IGNORE", articleId, version, recordSha256, guard)),
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

  /** Inserts a subscription unless D1 holds one with its id already; true when inserted. */
  async importSubscription(s: SubscriptionRecord): Promise<boolean> {
    const [result] = await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO subscriptions (id, url, filter, secret, created_at, origin, dead_lettered, last_dead_letter) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO NOTHING`,
        )
        .bind(s.id, s.url, JSON.stringify(s.filter), s.secret, s.createdAt, s.origin, s.deadLettered ?? 0, s.lastDeadLetter ? JSON.stringify(s.lastDeadLetter) : null),
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

  // -- subscriptions -------------------------------------------------------------------------

  async getSubscription(id: string): Promise<SubscriptionRecord | null> {
    const row = await this.db.prepare("SELECT * FROM subscriptions WHERE id = ?").bind(id).first<Row>();
    return row ? subscriptionFromRow(row) : null;
  }

  async putSubscription(s: SubscriptionRecord): Promise<void> {
    await this.db.batch([
      this.db
        .prepare("INSERT INTO subscriptions (id, url, filter, secret, created_at, origin, dead_lettered, last_dead_letter) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(s.id, s.url, JSON.stringify(s.filter), s.secret, s.createdAt, s.origin, s.deadLettered, s.lastDeadLetter ? JSON.stringify(s.lastDeadLetter) : null),
    ]);
  }

  /** Counted in SQL, so two dead letters at once both count. */
  async recordDeadLetter(id: string, lastDeadLetter: { changeId: string; at: string }): Promise<void> {
    await this.db.batch([
      this.db.prepare("UPDATE subscriptions SET dead_lettered = dead_lettered + 1, last_dead_letter = ? WHERE id = ?").bind(JSON.stringify(lastDeadLetter), id),
    ]);
  }

  /**
   * Also deletes the subscription's key of the KV-only layout, if the deployment had one: a
   * rerun of the migration must not bring back a subscription deleted since.
   */
  async deleteSubscription(id: string): Promise<void> {
    await this.db.batch([this.db.prepare("DELETE FROM subscriptions WHERE id = ?").bind(id)]);
    await this.kv.delete(legacyKeys.subscription(id));
  }

  /** Every subscription, oldest first; fan-out matches them with the pure `wantsChange`. */
  async listSubscriptions(): Promise<SubscriptionRecord[]> {
    const { results } = await this.db.prepare("SELECT * FROM subscriptions ORDER BY created_at, id").all<Row>();
    return results.map(subscriptionFromRow);
  }
}
