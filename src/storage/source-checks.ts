/**
 * The storage port of source checks: the questions the dispatcher, a source check and a first
 * capture of a discovered entry ask D1, each one statement or one batch (one round trip). Lists
 * of entries travel as ONE JSON bind read with `json_each`, so a statement's binds stay few
 * whatever the number of entries (D1 allows 100 per statement). docs/storage.md lists the costs.
 */
import type { SourceType } from "../discovery/model";
import type { KnownEntry } from "../discovery/plan";
import { hostBookings, hostClaim, hostFromRow, type HostRow } from "./store";

type Row = Record<string, unknown>;

/** A source as its next check needs it: the row's checked columns and the revision its commit must still find. */
export interface SourceHead {
  id: string;
  url: string;
  site: string;
  /** null: detected from the body at the first check. */
  type: SourceType | null;
  title: string;
  status: "active" | "failing" | "paused";
  filter: string;
  trackDays: number | null;
  intervalMs: number;
  nextCheckAt: number;
  etag: string | null;
  lastModified: string | null;
  consecutiveFailures: number;
  revision: number;
}

export function headFromRow(row: Row): SourceHead {
  return {
    id: row.id as string,
    url: row.url as string,
    site: row.site as string,
    type: (row.type as SourceType | null) ?? null,
    title: row.title as string,
    status: row.status as SourceHead["status"],
    filter: row.filter as string,
    trackDays: (row.track_days as number | null) ?? null,
    intervalMs: row.interval_ms as number,
    nextCheckAt: row.next_check_at as number,
    etag: (row.etag as string | null) ?? null,
    lastModified: (row.last_modified as string | null) ?? null,
    consecutiveFailures: row.consecutive_failures as number,
    revision: row.revision as number,
  };
}

/** One planned source check of a dispatcher tick (as `DispatchSlot` for articles). */
export interface SourceSlot {
  sourceId: string;
  host: string;
  delayMs: number;
  intervalMs: number;
}

/** An entry row the check's commit writes: new, `queued` or, for an existing article, `tracked`. */
export interface EntryWrite {
  url: string;
  articleId: string;
  entryTitle: string | null;
  /** `queued`: when the dispatcher sends it again if still queued (its slot plus QUEUED_RESEND_AFTER_MS). */
  retryAt: number | null;
}

/**
 * An entry the dispatcher sends again: `queued` past its `retry_at` (its message lost,
 * dead-lettered, or never sent) or `failed` past it (its first capture is retried), of a source
 * that exists and is not paused.
 */
export interface DueEntry {
  sourceId: string;
  url: string;
  /** The URL's hostname, as the check's `discover` message names it. */
  host: string;
  state: "queued" | "failed";
  foundAt: number;
  entryTitle: string | null;
  /** The row's `retry_at` as read: the compare-and-set of `resendEntries`. */
  retryAt: number;
}

/** A due entry moved by the dispatcher: `queued`, sent again at `retryAt` if still queued then. */
export interface EntryResend {
  sourceId: string;
  url: string;
  expect: number;
  retryAt: number;
}

/** Everything one source check commits, or nothing (compare-and-set on `sources.revision`). */
export interface SourceCheckCommit {
  sourceId: string;
  sourceUrl: string;
  expect: number;
  nowMs: number;
  status: "active" | "failing";
  nextCheckAt: number;
  consecutiveFailures: number;
  lastError: string | null;
  /** Set after a read (200): its validators, entry count, detected type and the source's own title; null after a 304 or a failure. */
  read: { etag: string | null; lastModified: string | null; entriesSeen: number; type: SourceType; title: string | null } | null;
  queued: EntryWrite[];
  /** Entries whose article exists: stored `tracked` and linked (`article_sources`) at once. */
  linked: EntryWrite[];
  /** Hosts booked up to the end of their last first-capture slot. */
  bookings: Array<{ host: string; until: number }>;
}

/** What D1 holds of a check's candidates: this source's entries, which articles exist, and the entries' hosts. */
export interface EntryLookup {
  known: Map<string, KnownEntry>;
  existing: Set<string>;
  hosts: Map<string, HostRow>;
}

/**
 * The entries the dispatcher sends again, on the partial index `source_entries_due` (ordered as
 * it is, so the pick reads only the rows it returns, and nothing when none is due); ?1 the tick.
 */
const dueEntries = `source_entries e JOIN sources s ON s.id = e.source_id
  WHERE e.state IN ('queued', 'failed') AND e.retry_at IS NOT NULL AND e.retry_at <= ?1 AND s.status != 'paused'`;

/** A source entry's key in `resendEntries`' answer. */
export const entryKey = (sourceId: string, url: string) => `${sourceId}\n${url}`;

/** URLs per `json_each` lookup statement: 500 URLs of ≤ 2,048 characters stay under D1's 2 MB per value. */
const LOOKUP_CHUNK = 500;

export class SourceChecks {
  constructor(private readonly db: D1Database) {}

  async getSource(id: string): Promise<SourceHead | null> {
    const row = await this.db.prepare("SELECT * FROM sources WHERE id = ?").bind(id).first<Row>();
    return row ? headFromRow(row) : null;
  }

  /**
   * The due sources one tick may send, most overdue first, each host within its budget (as
   * `RedlineStore.leaseDue` for articles), leased in the same batch; and, in that batch, the
   * entries due to be sent again (`retry_at` ≤ `atMs`, on `source_entries_due`), oldest first, at
   * most `entryLimit`, with how many are due. The caller books the hosts and reads the entries'
   * (`bookHosts`), spaces and moves the entries (`resendEntries`) before planning the articles,
   * so one host's sources, entries and articles share its budget and spacing.
   */
  async leaseDueSources(
    atMs: number,
    dueBeforeMs: number,
    settings: { limit: number; windowMs: number; defaultIntervalMs: number; leaseUntil: number },
    entryLimit = 0,
  ): Promise<{ due: number; leased: number; plan: SourceSlot[]; entries: { due: number; rows: DueEntry[] } }> {
    const planned = `WITH due AS (
        SELECT s.id, s.site, s.next_check_at, ROW_NUMBER() OVER (PARTITION BY s.site ORDER BY s.next_check_at, s.id) AS place
        FROM sources s WHERE s.status IN ('active', 'failing') AND s.next_check_at <= ?1 AND (s.lease_until IS NULL OR s.lease_until < ?2)
      ), paced AS (
        SELECT due.*, MAX(?2, COALESCE(h.next_allowed_at, 0), COALESCE(h.booked_until, 0)) AS start_at,
          MAX(COALESCE(h.min_interval_ms, ?3), COALESCE(h.crawl_delay_ms, 0), 1) AS interval_ms
        FROM due LEFT JOIN hosts h ON h.host = due.site
      )
      SELECT id, site, next_check_at, place, start_at, interval_ms FROM paced
      WHERE place <= (?2 + ?4 - start_at + interval_ms - 1) / interval_ms
      ORDER BY next_check_at, id LIMIT ?5`;
    const params = [dueBeforeMs, atMs, settings.defaultIntervalMs, settings.windowMs, settings.limit];
    const [counts, plan, lease, entries] = await this.db.batch<Row>([
      this.db
        .prepare(
          `SELECT COUNT(*) AS due, COALESCE(SUM(lease_until IS NOT NULL AND lease_until >= ?2), 0) AS leased
           FROM sources WHERE status IN ('active', 'failing') AND next_check_at <= ?1`,
        )
        .bind(dueBeforeMs, atMs),
      this.db.prepare(planned).bind(...params),
      this.db.prepare(`UPDATE sources SET lease_until = ?6 WHERE id IN (SELECT id FROM (${planned})) RETURNING id`).bind(...params, settings.leaseUntil),
      this.db
        .prepare(
          `SELECT e.source_id, e.url, e.state, e.found_at, e.entry_title, e.retry_at, (SELECT COUNT(*) FROM ${dueEntries}) AS due
           FROM ${dueEntries} ORDER BY e.retry_at, e.source_id, e.url LIMIT ?2`,
        )
        .bind(atMs, entryLimit),
    ]);
    const leasedNow = new Set(lease!.results.map((row) => row.id as string));
    return {
      due: (counts!.results[0]?.due as number) ?? 0,
      leased: (counts!.results[0]?.leased as number) ?? 0,
      entries: {
        due: (entries!.results[0]?.due as number | undefined) ?? 0,
        rows: entries!.results.map((row) => ({
          sourceId: row.source_id as string,
          url: row.url as string,
          host: new URL(row.url as string).hostname,
          state: row.state as DueEntry["state"],
          foundAt: row.found_at as number,
          entryTitle: (row.entry_title as string | null) ?? null,
          retryAt: row.retry_at as number,
        })),
      },
      plan: plan!.results
        .filter((row) => leasedNow.has(row.id as string))
        .map((row) => ({
          sourceId: row.id as string,
          host: row.site as string,
          delayMs: (row.start_at as number) - atMs + ((row.place as number) - 1) * (row.interval_ms as number),
          intervalMs: row.interval_ms as number,
        })),
    };
  }

  /**
   * Books each host up to `until` (never earlier than it was): later plans space after it; then
   * reads the rows of the hosts in `read`, as booked. One batch of one statement each (none when
   * both lists are empty).
   */
  async bookHosts(bookings: Array<{ host: string; until: number }>, read: string[] = []): Promise<Map<string, HostRow>> {
    const statements = bookings.length > 0 ? [this.bookingStatement(bookings)] : [];
    if (read.length > 0) statements.push(this.db.prepare("SELECT * FROM hosts WHERE host IN (SELECT value FROM json_each(?))").bind(JSON.stringify(read)));
    const hosts = new Map<string, HostRow>();
    if (statements.length === 0) return hosts;
    const results = await this.db.batch<Row>(statements);
    if (read.length > 0) for (const row of results.at(-1)!.results) hosts.set(row.host as string, hostFromRow(row));
    return hosts;
  }

  private bookingStatement(bookings: Array<{ host: string; until: number }>): D1PreparedStatement {
    return hostBookings(this.db, bookings);
  }


  /**
   * The dispatcher's lease of due entries, in ONE batch before it sends them: each still
   * `queued` or `failed` with the `retry_at` it read, of a source still there and not paused,
   * becomes `queued` with its new `retry_at` (its slot plus QUEUED_RESEND_AFTER_MS) and no error;
   * and their hosts are booked to the end of their slots. Returns the entries moved
   * (`source_id` and `url`, joined by a newline): only those are sent.
   */
  async resendEntries(moves: EntryResend[], bookings: Array<{ host: string; until: number }>): Promise<Set<string>> {
    if (moves.length === 0) return new Set();
    const [moved] = await this.db.batch<Row>([
      this.db
        .prepare(
          `UPDATE source_entries SET state = 'queued', last_error = NULL, retry_at = json_extract(m.value, '$.retryAt')
           FROM json_each(?1) m
           WHERE source_entries.source_id = json_extract(m.value, '$.sourceId') AND source_entries.url = json_extract(m.value, '$.url')
             AND source_entries.state IN ('queued', 'failed') AND source_entries.retry_at = json_extract(m.value, '$.expect')
             AND EXISTS (SELECT 1 FROM sources s WHERE s.id = source_entries.source_id AND s.status != 'paused')
           RETURNING source_id, url`,
        )
        .bind(JSON.stringify(moves)),
      ...(bookings.length > 0 ? [this.bookingStatement(bookings)] : []),
    ]);
    return new Set(moved!.results.map((row) => entryKey(row.source_id as string, row.url as string)));
  }

  /**
   * One round trip before a source check: the host claim (the articles' compare-and-set) if the
   * source exists and — `due`: is not paused and is due; `websub` (a hub's notification): is not
   * paused; `manual` (the API): in any state — then the source and its host row as the claim left them.
   */
  async claimHostAndReadSource(
    sourceId: string,
    nowMs: number,
    dueBeforeMs: number,
    defaultIntervalMs: number,
    mode: "due" | "websub" | "manual",
  ): Promise<{ claimed: boolean; source: SourceHead | null; host: HostRow | null }> {
    const [claim, read] = await this.db.batch<Row>([
      this.db
        .prepare(hostClaim("SELECT s.site, ?2 + ?3 FROM sources s WHERE s.id = ?1 AND (?5 = 'manual' OR (s.status != 'paused' AND (?5 = 'websub' OR s.next_check_at <= ?4)))"))
        .bind(sourceId, nowMs, defaultIntervalMs, dueBeforeMs, mode),
      this.db
        .prepare(
          `SELECT s.*, h.host AS h_host, h.next_allowed_at AS h_next_allowed_at, h.booked_until AS h_booked_until, h.min_interval_ms AS h_min_interval_ms,
             h.robots_status AS h_robots_status, h.robots_body AS h_robots_body, h.robots_fetched_at AS h_robots_fetched_at, h.crawl_delay_ms AS h_crawl_delay_ms
           FROM sources s LEFT JOIN hosts h ON h.host = s.site WHERE s.id = ?`,
        )
        .bind(sourceId),
    ]);
    const row = read!.results[0];
    return {
      claimed: (claim!.meta.changes ?? 0) > 0,
      source: row ? headFromRow(row) : null,
      host: row && row.h_host != null ? hostFromRow(row, "h_") : null,
    };
  }

  /**
   * What D1 holds of a check's candidates, in one batch: this source's stored entries and the
   * existing articles among them (a statement per 500 URLs), and the rows of their hosts.
   */
  async lookupEntries(sourceId: string, candidates: Array<{ url: string; articleId: string; host: string }>): Promise<EntryLookup> {
    const lookup: EntryLookup = { known: new Map(), existing: new Set(), hosts: new Map() };
    if (candidates.length === 0) return lookup;
    const statements: D1PreparedStatement[] = [];
    for (let start = 0; start < candidates.length; start += LOOKUP_CHUNK) {
      const chunk = candidates.slice(start, start + LOOKUP_CHUNK).map(({ url, articleId }) => [url, articleId]);
      statements.push(
        this.db
          .prepare(
            `SELECT c.url, e.state, e.found_at, e.retry_at, e.last_error, EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id) AS article
             FROM (SELECT json_extract(value, '$[0]') AS url, json_extract(value, '$[1]') AS article_id FROM json_each(?1)) c
             LEFT JOIN source_entries e ON e.source_id = ?2 AND e.url = c.url
             WHERE e.url IS NOT NULL OR article`,
          )
          .bind(JSON.stringify(chunk), sourceId),
      );
    }
    const hosts = [...new Set(candidates.map((c) => c.host))];
    statements.push(this.db.prepare("SELECT * FROM hosts WHERE host IN (SELECT value FROM json_each(?))").bind(JSON.stringify(hosts)));
    const results = await this.db.batch<Row>(statements);
    for (const row of results.slice(0, -1).flatMap((result) => result.results)) {
      if (row.article) lookup.existing.add(row.url as string);
      if (row.state != null) {
        lookup.known.set(row.url as string, {
          state: row.state as KnownEntry["state"],
          foundAt: row.found_at as number,
          retryAt: (row.retry_at as number | null) ?? null,
          lastError: (row.last_error as string | null) ?? null,
        });
      }
    }
    for (const row of results.at(-1)!.results) lookup.hosts.set(row.host as string, hostFromRow(row));
    return lookup;
  }

  /**
   * One source check's outcome in ONE batch, or nothing: new entries stored, existing articles
   * linked (a trigger counts them in `articles_tracked`), hosts booked — each guarded by the
   * source's revision — and last the source row itself, moved with `revision = revision + 1`
   * and its lease cleared (a paused source, checked by hand, stays paused). True when this writer won.
   */
  async commitCheck(commit: SourceCheckCommit): Promise<boolean> {
    const guard = "EXISTS (SELECT 1 FROM sources WHERE id = ?2 AND revision = ?3)";
    const statements: D1PreparedStatement[] = [];
    const rows = (state: "queued" | "tracked", entries: EntryWrite[]) => entries.map((e) => ({ ...e, state }));
    const inserted = [...rows("queued", commit.queued), ...rows("tracked", commit.linked)];
    if (inserted.length > 0) {
      statements.push(
        this.db
          .prepare(
            `INSERT INTO source_entries (source_id, url, article_id, state, entry_title, found_at, retry_at)
             SELECT ?2, json_extract(value, '$.url'), json_extract(value, '$.articleId'), json_extract(value, '$.state'),
               json_extract(value, '$.entryTitle'), ?4, json_extract(value, '$.retryAt')
             FROM json_each(?1) WHERE ${guard}
             ON CONFLICT (source_id, url) DO NOTHING`,
          )
          .bind(JSON.stringify(inserted), commit.sourceId, commit.expect, commit.nowMs),
      );
    }
    if (commit.linked.length > 0) {
      statements.push(
        this.db
          .prepare(
            `INSERT INTO article_sources (article_id, source_id, source_url, found_at, entry_title)
             SELECT json_extract(value, '$.articleId'), ?2, ?4, ?5, json_extract(value, '$.entryTitle') FROM json_each(?1) WHERE ${guard}
             ON CONFLICT (article_id, source_id) DO NOTHING`,
          )
          .bind(JSON.stringify(commit.linked), commit.sourceId, commit.expect, commit.sourceUrl, new Date(commit.nowMs).toISOString()),
      );
    }
    if (commit.bookings.length > 0) {
      statements.push(
        this.db
          .prepare(
            `INSERT INTO hosts (host, booked_until)
             SELECT json_extract(value, '$.host'), json_extract(value, '$.until') FROM json_each(?1) WHERE ${guard}
             ON CONFLICT (host) DO UPDATE SET booked_until = MAX(hosts.booked_until, excluded.booked_until)`,
          )
          .bind(JSON.stringify(commit.bookings), commit.sourceId, commit.expect),
      );
    }
    const read = commit.read;
    statements.push(
      this.db
        .prepare(
          `UPDATE sources SET status = CASE WHEN status = 'paused' THEN status ELSE ?3 END, next_check_at = ?4, consecutive_failures = ?5, last_error = ?6, last_checked_at = ?7, lease_until = NULL,
             etag = CASE WHEN ?8 THEN ?9 ELSE etag END, last_modified = CASE WHEN ?8 THEN ?10 ELSE last_modified END,
             entries_seen = CASE WHEN ?8 THEN ?11 ELSE entries_seen END, type = COALESCE(?12, type),
             title = CASE WHEN title = '' AND ?13 IS NOT NULL THEN ?13 ELSE title END, revision = revision + 1
           WHERE id = ?1 AND revision = ?2`,
        )
        .bind(
          commit.sourceId,
          commit.expect,
          commit.status,
          commit.nextCheckAt,
          commit.consecutiveFailures,
          commit.lastError,
          new Date(commit.nowMs).toISOString(),
          read ? 1 : 0,
          read?.etag ?? null,
          read?.lastModified ?? null,
          read?.entriesSeen ?? 0,
          read?.type ?? null,
          read?.title ?? null,
        ),
    );
    const results = await this.db.batch(statements);
    return (results.at(-1)?.meta.changes ?? 0) > 0;
  }

  /**
   * One round trip before the first capture of a discovered entry: the host claim, only if the
   * entry is still `queued` and its article does not exist; then the host row, the entry's state,
   * whether the article exists, and the source's URL and trackDays (null when it was deleted).
   */
  async claimHostForEntry(
    sourceId: string,
    url: string,
    articleId: string,
    host: string,
    nowMs: number,
    defaultIntervalMs: number,
  ): Promise<{ claimed: boolean; host: HostRow | null; entryState: KnownEntry["state"] | null; articleExists: boolean; source: { url: string; trackDays: number | null } | null }> {
    const [claim, hostRow, state] = await this.db.batch<Row>([
      this.db
        .prepare(
          hostClaim(`SELECT ?1, ?2 + ?3 WHERE EXISTS (SELECT 1 FROM source_entries WHERE source_id = ?4 AND url = ?5 AND state = 'queued')
            AND NOT EXISTS (SELECT 1 FROM articles WHERE id = ?6)`),
        )
        .bind(host, nowMs, defaultIntervalMs, sourceId, url, articleId),
      this.db.prepare("SELECT * FROM hosts WHERE host = ?").bind(host),
      this.db
        .prepare(
          `SELECT s.url, s.track_days, (SELECT state FROM source_entries WHERE source_id = ?1 AND url = ?2) AS entry_state,
             EXISTS (SELECT 1 FROM articles WHERE id = ?3) AS article
           FROM (SELECT 1) LEFT JOIN sources s ON s.id = ?1`,
        )
        .bind(sourceId, url, articleId),
    ]);
    const row = state!.results[0]!;
    const hostResult = hostRow!.results[0];
    return {
      claimed: (claim!.meta.changes ?? 0) > 0,
      host: hostResult ? hostFromRow(hostResult) : null,
      entryState: (row.entry_state as KnownEntry["state"] | null) ?? null,
      articleExists: row.article === 1,
      source: row.url == null ? null : { url: row.url as string, trackDays: (row.track_days as number | null) ?? null },
    };
  }

  /**
   * Links the entry's article to the source (`article_sources`, counted by its trigger) and marks
   * the entry `tracked`, in one batch; a second link of the same pair writes nothing.
   */
  async linkEntry(link: { sourceId: string; sourceUrl: string; url: string; articleId: string; foundAt: number; entryTitle: string | null }): Promise<void> {
    await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO article_sources (article_id, source_id, source_url, found_at, entry_title) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (article_id, source_id) DO NOTHING`,
        )
        .bind(link.articleId, link.sourceId, link.sourceUrl, new Date(link.foundAt).toISOString(), link.entryTitle),
      this.db
        .prepare("UPDATE source_entries SET state = 'tracked', retry_at = NULL, last_error = NULL WHERE source_id = ? AND url = ? AND state != 'tracked'")
        .bind(link.sourceId, link.url),
    ]);
  }

  /** The entry's first capture failed: `failed` with the reason, tried again after `retryAt` (null: never). */
  async failEntry(sourceId: string, url: string, error: string, retryAt: number | null): Promise<void> {
    await this.db.batch([
      this.db.prepare("UPDATE source_entries SET state = 'failed', last_error = ?, retry_at = ? WHERE source_id = ? AND url = ? AND state = 'queued'").bind(error, retryAt, sourceId, url),
    ]);
  }
}
