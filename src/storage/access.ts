/**
 * The questions sign-in asks D1 (migrations/0007_access.sql): is this session still open, and
 * whose is this feed token. Each method is one statement or one batch (one round trip);
 * docs/storage.md ("Access") lists what each costs.
 */
import { tables } from "./keys";

type Row = Record<string, unknown>;

/** A feed token as the account page lists it: never the token itself, which is not stored. */
export interface FeedTokenRecord {
  id: string;
  userId: string;
  name: string;
  forPages: boolean;
  /** Epoch ms. */
  createdAt: number;
  lastUsedAt: number | null;
}

/** What a feed request with a token learns: whose it is and when it was last used. */
export interface FeedTokenUse {
  id: string;
  userId: string;
  lastUsedAt: number | null;
}

const tokenFromRow = (row: Row): FeedTokenRecord => ({
  id: row.id as string,
  userId: row.user_id as string,
  name: row.name as string,
  forPages: row.for_pages === 1,
  createdAt: row.created_at as number,
  lastUsedAt: (row.last_used_at as number | null) ?? null,
});

export class AccessStore {
  constructor(private readonly db: D1Database) {}

  /** Opens a session and deletes every expired one: one batch, 2 rows written (the row, its expiry index entry) plus the expired rows. */
  async openSession(id: string, nowMs: number, expiresAtMs: number): Promise<void> {
    await this.db.batch([
      this.db.prepare(`DELETE FROM ${tables.sessions} WHERE expires_at <= ?`).bind(nowMs),
      this.db.prepare(`INSERT INTO ${tables.sessions} (id, created_at, expires_at) VALUES (?, ?, ?)`).bind(id, nowMs, expiresAtMs),
    ]);
  }

  /** Whether the session is open: a primary-key read, 1 row read (0 once signed out). */
  async sessionOpen(id: string, nowMs: number): Promise<boolean> {
    const row = await this.db.prepare(`SELECT 1 AS open FROM ${tables.sessions} WHERE id = ? AND expires_at > ?`).bind(id, nowMs).first();
    return row !== null;
  }

  /** Ends the session: 1 row written. */
  async closeSession(id: string): Promise<void> {
    await this.db.prepare(`DELETE FROM ${tables.sessions} WHERE id = ?`).bind(id).run();
  }

  /** Stores a new token's hash: 4 rows written as D1 counts them (the row and its three index entries; 5 for a pages token). False when the user already has a pages token. */
  async addFeedToken(token: Omit<FeedTokenRecord, "lastUsedAt">, tokenHash: string): Promise<boolean> {
    const result = await this.db
      .prepare(`INSERT INTO ${tables.feedTokens} (id, user_id, name, token_hash, for_pages, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
      .bind(token.id, token.userId, token.name, tokenHash, token.forPages ? 1 : 0, token.createdAt)
      .run();
    return result.meta.changes === 1;
  }

  /** A user's tokens, oldest first: one indexed read, a row per token. */
  async feedTokensOf(userId: string): Promise<FeedTokenRecord[]> {
    const { results } = await this.db.prepare(`SELECT * FROM ${tables.feedTokens} WHERE user_id = ? ORDER BY created_at, id`).bind(userId).all();
    return results.map(tokenFromRow);
  }

  /** The user's pages token with its stored hash, or null: one indexed read, at most 1 row. */
  async pagesTokenOf(userId: string): Promise<{ id: string; tokenHash: string } | null> {
    const row = await this.db.prepare(`SELECT id, token_hash FROM ${tables.feedTokens} WHERE user_id = ? AND for_pages = 1`).bind(userId).first();
    return row ? { id: row.id as string, tokenHash: row.token_hash as string } : null;
  }

  /** Deletes one of the user's tokens: 1 row written, or none (false) when the user has no such token. */
  async revokeFeedToken(userId: string, id: string): Promise<boolean> {
    const result = await this.db.prepare(`DELETE FROM ${tables.feedTokens} WHERE id = ? AND user_id = ?`).bind(id, userId).run();
    return result.meta.changes === 1;
  }

  /** The token with this hash: a unique-index read, at most 1 row. */
  async feedTokenByHash(tokenHash: string): Promise<FeedTokenUse | null> {
    const row = await this.db.prepare(`SELECT id, user_id, last_used_at FROM ${tables.feedTokens} WHERE token_hash = ?`).bind(tokenHash).first();
    return row ? { id: row.id as string, userId: row.user_id as string, lastUsedAt: (row.last_used_at as number | null) ?? null } : null;
  }

  /** Records a use: 1 row written. */
  async touchFeedToken(id: string, nowMs: number): Promise<void> {
    await this.db.prepare(`UPDATE ${tables.feedTokens} SET last_used_at = ? WHERE id = ?`).bind(nowMs, id).run();
  }
}
