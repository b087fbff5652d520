/**
 * The storage port of channel subscriptions (the `subscriptions` table, migrations/0008): the
 * questions the channel framework asks, each one D1 statement, and the delivery ledger
 * (`deliveries`, migrations/0011). docs/storage.md ("Channels", "deliveries") lists the columns
 * and what each method costs.
 */
import { legacyKeys } from "./keys";
import type { SubscriptionFilter } from "./records";

/** The shared filters of every channel: the webhook's, plus the source that found the article. */
export interface ChannelFilter extends SubscriptionFilter {
  /** Only changes of articles this source found (an article_sources row); null for any. */
  source: string | null;
}

export interface DeadLetter {
  changeId: string;
  at: string;
  /** Why the delivery failed for good (the service's answer), when it did not merely run out of retries. */
  reason?: string;
}

/** A `subscriptions` row, camelCase, config and filter parsed. */
export interface StoredSubscription {
  id: string;
  /** A ChannelType; a string, as a row may come from a newer deploy with a channel this one lacks. */
  type: string;
  config: unknown;
  filter: ChannelFilter;
  /** rs1.<key id>.<iv>.<ciphertext> (src/channels/secrets.ts), or null for a channel without a secret and before sealing. */
  sealedSecret: string | null;
  /** A webhook's HMAC key as stored before migrations/0008, until the next fan-out seals it. */
  plainSecret: string | null;
  createdAt: string;
  origin: string;
  deadLettered: number;
  lastDeadLetter: DeadLetter | null;
}

/**
 * How long a ledger row is kept: longer than any redelivery of its message. A delivery or poll
 * message is retried at most `max_retries` (8, wrangler.toml) times, each after at most
 * QUEUE_MAX_DELAY_SECONDS (12 h, a service's Retry-After; the backoff itself stops at 1 h): 96 h
 * from its first attempt, within the queue's 4-day retention. The dead-letter queue's consumer
 * delivers nothing. Seven days leaves a margin; the cron tick prunes what is older.
 */
export const DELIVERIES_KEPT_MS = 7 * 24 * 3600 * 1000;
/** The most ledger rows one cron tick deletes (one bounded DELETE, oldest first). */
export const DELIVERIES_PRUNE_LIMIT = 1000;

/** A `deliveries` row: what a channel answered when it delivered a change to a subscription. */
export interface DeliveryRecord {
  deliveryId: string;
  subscriptionId: string;
  deliveredAtMs: number;
  receipt: Record<string, unknown> | null;
}

type Row = Record<string, unknown>;

function fromRow(row: Row): StoredSubscription {
  const filter = JSON.parse(row.filter as string) as Partial<ChannelFilter> & SubscriptionFilter;
  return {
    id: row.id as string,
    type: row.type as string,
    config: JSON.parse(row.config as string),
    // Rows from before 0008 have no source filter.
    filter: { ...filter, source: filter.source ?? null },
    sealedSecret: (row.sealed_secret as string | null) ?? null,
    plainSecret: (row.plain_secret as string | null) ?? null,
    createdAt: row.created_at as string,
    origin: row.origin as string,
    deadLettered: row.dead_lettered as number,
    lastDeadLetter: row.last_dead_letter == null ? null : (JSON.parse(row.last_dead_letter as string) as DeadLetter),
  };
}

export class SubscriptionStore {
  constructor(
    private readonly db: D1Database,
    private readonly kv: KVNamespace,
  ) {}

  /** One row read. */
  async get(id: string): Promise<StoredSubscription | null> {
    const row = await this.db.prepare("SELECT * FROM subscriptions WHERE id = ?").bind(id).first<Row>();
    return row ? fromRow(row) : null;
  }

  /**
   * The subscription and whether the ledger holds `deliveryId` already, in ONE statement (the
   * ledger row joined by its primary key): a delivery's read costs no extra round trip. Null
   * when the subscription is gone.
   */
  async getForDelivery(id: string, deliveryId: string): Promise<{ subscription: StoredSubscription; delivered: boolean } | null> {
    const row = await this.db
      .prepare("SELECT subscriptions.*, deliveries.delivered_at_ms AS ledger_delivered_at_ms FROM subscriptions LEFT JOIN deliveries ON deliveries.delivery_id = ? WHERE subscriptions.id = ?")
      .bind(deliveryId, id)
      .first<Row>();
    return row ? { subscription: fromRow(row), delivered: row.ledger_delivered_at_ms != null } : null;
  }

  /**
   * The ledger row of a delivered change; one statement. `INSERT … SELECT … FROM subscriptions`:
   * a subscription deleted while its delivery ran gets no row (and no foreign-key error), and
   * `ON CONFLICT DO NOTHING` keeps the first row of two concurrent deliveries.
   */
  async recordDelivery(record: DeliveryRecord): Promise<void> {
    await this.db
      .prepare("INSERT INTO deliveries (delivery_id, subscription_id, delivered_at_ms, receipt) SELECT ?, id, ?, ? FROM subscriptions WHERE id = ? ON CONFLICT (delivery_id) DO NOTHING")
      .bind(record.deliveryId, record.deliveredAtMs, record.receipt === null ? null : JSON.stringify(record.receipt), record.subscriptionId)
      .run();
  }

  /** A ledger row by its delivery id, or null (for tests and operators). One row read. */
  async getDelivery(deliveryId: string): Promise<DeliveryRecord | null> {
    const row = await this.db.prepare("SELECT * FROM deliveries WHERE delivery_id = ?").bind(deliveryId).first<Row>();
    if (!row) return null;
    return {
      deliveryId: row.delivery_id as string,
      subscriptionId: row.subscription_id as string,
      deliveredAtMs: row.delivered_at_ms as number,
      receipt: row.receipt == null ? null : (JSON.parse(row.receipt as string) as Record<string, unknown>),
    };
  }

  /** Every subscription, oldest first: fan-out matches each with the pure `wantsChange`. One row read each. */
  async list(): Promise<StoredSubscription[]> {
    const { results } = await this.db.prepare("SELECT * FROM subscriptions ORDER BY created_at, id").all<Row>();
    return results.map(fromRow);
  }

  /** One row written. The secret arrives sealed: this port never sees a secret in the clear, except a pre-0008 one. */
  async insert(s: StoredSubscription): Promise<void> {
    await this.db
      .prepare(
        "INSERT INTO subscriptions (id, type, config, filter, sealed_secret, plain_secret, created_at, origin, dead_lettered, last_dead_letter) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .bind(s.id, s.type, JSON.stringify(s.config), JSON.stringify(s.filter), s.sealedSecret, s.plainSecret, s.createdAt, s.origin, s.deadLettered, s.lastDeadLetter ? JSON.stringify(s.lastDeadLetter) : null)
      .run();
  }

  /**
   * Replaces the stored secret with `sealed` only if it is still `was` (a compare-and-set: two
   * deliveries sealing the same pre-0008 secret, or resealing after a rotation, write once).
   * Sealing a plaintext clears it in the same statement. One row written, or none.
   */
  async replaceSecret(id: string, was: { sealedSecret: string | null; plainSecret: string | null }, sealed: string): Promise<void> {
    await this.db
      .prepare("UPDATE subscriptions SET sealed_secret = ?, plain_secret = NULL WHERE id = ? AND sealed_secret IS ? AND plain_secret IS ?")
      .bind(sealed, id, was.sealedSecret, was.plainSecret)
      .run();
  }

  /** Counted in SQL, so two dead letters at once both count. One row written. */
  async recordDeadLetter(id: string, deadLetter: DeadLetter): Promise<void> {
    await this.db.prepare("UPDATE subscriptions SET dead_lettered = dead_lettered + 1, last_dead_letter = ? WHERE id = ?").bind(JSON.stringify(deadLetter), id).run();
  }

  /**
   * One row deleted (with its `deliveries` rows, ON DELETE CASCADE), and the subscription's key of the KV-only layout if the deployment had one
   * (one KV delete): a rerun of the KV migration must not bring back a subscription deleted since.
   */
  async delete(id: string): Promise<void> {
    await this.db.prepare("DELETE FROM subscriptions WHERE id = ?").bind(id).run();
    await this.kv.delete(legacyKeys.subscription(id));
  }

  /** The sources that found an article (the `source` filter): its article_sources rows, one read each, by primary key prefix. */
  async sourcesOf(articleId: string): Promise<string[]> {
    const { results } = await this.db.prepare("SELECT source_id FROM article_sources WHERE article_id = ?").bind(articleId).all<{ source_id: string }>();
    return results.map((row) => row.source_id);
  }
}
