/**
 * The question the Bluesky channel asks D1 of `bluesky_sessions` (migrations/0009): the sealed
 * session of one subscription, and its replacement after a sign-in or a refresh. Each is one
 * statement on the primary key; docs/storage.md ("bluesky_sessions") lists the costs.
 */
import { tables } from "./keys";

const TABLE = tables.blueskySessions;

export class BlueskySessions {
  constructor(private readonly db: D1Database) {}

  /** The sealed session, or null before the first sign-in. */
  async sealed(subscriptionId: string): Promise<string | null> {
    return this.db.prepare(`SELECT sealed_session FROM ${TABLE} WHERE subscription_id = ?`).bind(subscriptionId).first<string>("sealed_session");
  }

  /**
   * Keeps `sealed` as the subscription's session. The subscription must still exist (the
   * foreign key): one deleted while its delivery ran gets no row back, and nothing is written.
   */
  async save(subscriptionId: string, sealed: string, atMs: number): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO ${TABLE} (subscription_id, sealed_session, updated_at_ms) SELECT id, ?2, ?3 FROM ${tables.subscriptions} WHERE id = ?1
         ON CONFLICT (subscription_id) DO UPDATE SET sealed_session = excluded.sealed_session, updated_at_ms = excluded.updated_at_ms`,
      )
      .bind(subscriptionId, sealed, atMs)
      .run();
  }
}
