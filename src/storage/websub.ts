/**
 * The statements on the `sources.websub_*` columns (migrations/0004_sources.sql; docs/storage.md).
 * Only WebSub writes them, each write a compare-and-set on what its writer read, so a source
 * check, the renewal cron and a hub's verification never undo one another. They do not bump
 * `sources.revision`: the source check's own compare-and-set is about its columns, not these.
 */
import type { WebSubState, WebSubSubscription } from "../discovery/websub";

/** A source as WebSub sees it: its id, URL, host and status, and its subscription. */
export interface WebSubSource {
  id: string;
  url: string;
  site: string;
  status: string;
  subscription: WebSubSubscription;
}

type Row = Record<string, unknown>;

const COLUMNS = `id, url, site, status, websub_hub, websub_topic, websub_callback, websub_secret, websub_state,
  websub_lease_until, websub_renew_at, websub_error`;

function sourceFromRow(row: Row): WebSubSource {
  return {
    id: row.id as string,
    url: row.url as string,
    site: row.site as string,
    status: row.status as string,
    subscription: {
      hub: (row.websub_hub as string | null) ?? null,
      topic: (row.websub_topic as string | null) ?? null,
      callback: (row.websub_callback as string | null) ?? null,
      secret: (row.websub_secret as string | null) ?? null,
      state: (row.websub_state as WebSubState | null) ?? null,
      leaseUntil: (row.websub_lease_until as number | null) ?? null,
      renewAt: (row.websub_renew_at as number | null) ?? null,
      error: (row.websub_error as string | null) ?? null,
    },
  };
}

/** `AND` the subscription columns still hold what the writer read (`IS`: null-safe). */
const UNCHANGED = `websub_hub IS ? AND websub_topic IS ? AND websub_callback IS ? AND websub_secret IS ? AND websub_state IS ? AND websub_renew_at IS ?`;
const unchangedParams = (s: WebSubSubscription) => [s.hub, s.topic, s.callback, s.secret, s.state, s.renewAt];

export async function readWebSubSource(db: D1Database, id: string): Promise<WebSubSource | null> {
  const row = await db.prepare(`SELECT ${COLUMNS} FROM sources WHERE id = ?`).bind(id).first<Row>();
  return row ? sourceFromRow(row) : null;
}

/** Sources whose next subscription request is due, soonest first: one range of the `sources_websub_renewal` index. */
export async function dueWebSubSources(db: D1Database, nowMs: number, limit: number): Promise<WebSubSource[]> {
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM sources WHERE websub_renew_at <= ? ORDER BY websub_renew_at LIMIT ?`)
    .bind(nowMs, limit)
    .all<Row>();
  return results.map(sourceFromRow);
}

/**
 * Claims the next subscription request: `pending` with the hub, topic, callback and secret about
 * to be sent, due again at `retryAt` unless the hub verifies it first. Of two writers that read
 * the same subscription one claims it; false: someone else did, send nothing.
 */
export async function claimSubscriptionRequest(
  db: D1Database,
  id: string,
  read: WebSubSubscription,
  request: { hub: string; topic: string; callback: string; secret: string; retryAt: number },
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE sources SET websub_hub = ?, websub_topic = ?, websub_callback = ?, websub_secret = ?, websub_state = 'pending',
        websub_renew_at = ?, websub_error = NULL WHERE id = ? AND ${UNCHANGED}`,
    )
    .bind(request.hub, request.topic, request.callback, request.secret, request.retryAt, id, ...unchangedParams(read))
    .run();
  return result.meta.changes === 1;
}

/** The claimed request failed (refused hub URL, non-2xx, network): `failed` with why, retried at `retryAt`, unless the claim was overtaken. */
export async function recordSubscriptionFailure(db: D1Database, id: string, claim: { secret: string; renewAt: number }, error: string, retryAt: number): Promise<void> {
  await db
    .prepare(
      `UPDATE sources SET websub_state = 'failed', websub_error = ?, websub_renew_at = ?
        WHERE id = ? AND websub_state = 'pending' AND websub_secret = ? AND websub_renew_at = ?`,
    )
    .bind(error, retryAt, id, claim.secret, claim.renewAt)
    .run();
}

/** The feed advertises `hub`, but no callback can be given: `not-configured`, nothing to renew. */
export async function recordNotConfigured(db: D1Database, id: string, read: WebSubSubscription, hub: string, topic: string, error: string): Promise<void> {
  await db
    .prepare(
      `UPDATE sources SET websub_hub = ?, websub_topic = ?, websub_callback = NULL, websub_state = 'not-configured',
        websub_renew_at = NULL, websub_lease_until = NULL, websub_error = ? WHERE id = ? AND ${UNCHANGED}`,
    )
    .bind(hub, topic, error, id, ...unchangedParams(read))
    .run();
}

/** The hub confirmed the subscription to `topic`; false when it is no longer pending or verified for that topic. */
export async function recordVerified(db: D1Database, id: string, topic: string, leaseUntil: number, renewAt: number): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE sources SET websub_state = 'verified', websub_lease_until = ?, websub_renew_at = ?, websub_error = NULL
        WHERE id = ? AND websub_topic = ? AND websub_state IN ('pending', 'verified')`,
    )
    .bind(leaseUntil, renewAt, id, topic)
    .run();
  return result.meta.changes === 1;
}

/** The hub denied the subscription to `topic` (`hub.mode=denied`); asked again at `retryAt`. */
export async function recordDenied(db: D1Database, id: string, topic: string, reason: string, retryAt: number): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE sources SET websub_state = 'denied', websub_error = ?, websub_renew_at = ?, websub_lease_until = NULL
        WHERE id = ? AND websub_topic = ? AND websub_state IN ('pending', 'verified')`,
    )
    .bind(reason, retryAt, id, topic)
    .run();
  return result.meta.changes === 1;
}

/**
 * A paused source's subscription is dropped on Redline's side (the hub was answered 410 Gone, or
 * its lease is let lapse): no state, nothing to renew. Hub, topic and secret stay, so the first
 * check after a resume subscribes again.
 */
export async function forgetSubscription(db: D1Database, id: string): Promise<void> {
  await db.prepare("UPDATE sources SET websub_state = NULL, websub_renew_at = NULL, websub_lease_until = NULL WHERE id = ?").bind(id).run();
}

/** Counts a notification acknowledged but ignored (missing or wrong signature). */
export async function countIgnoredNotification(db: D1Database, id: string): Promise<void> {
  await db.prepare("UPDATE sources SET websub_ignored = websub_ignored + 1 WHERE id = ?").bind(id).run();
}
