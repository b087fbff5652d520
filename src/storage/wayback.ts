/**
 * The questions the Wayback Machine channel asks D1 of `wayback_captures`
 * (migrations/0010_wayback.sql): the capture of one version, the finished captures of one
 * article (the TimeMap's alternate mementos), and the compare-and-set writes of a capture's
 * progress. Each method is one statement; docs/storage.md ("wayback_captures") lists the costs
 * and the write order.
 */
import { tables } from "./keys";

type Row = Record<string, unknown>;

/**
 * `submitting`: claimed, the capture request about to be (or being) sent, its job id not stored
 * yet. `pending`: SPN2 accepted the job; polled. `success`: the memento exists. `retry`: the last
 * attempt hit a passing error; the next delivery submits again. `failed`: this version will not be
 * captured (a permanent error, or no result within the polling deadline).
 */
export type WaybackCaptureStatus = "submitting" | "pending" | "success" | "retry" | "failed";

export interface WaybackCapture {
  articleId: string;
  /** The version it was requested for. */
  n: number;
  subscriptionId: string;
  status: WaybackCaptureStatus;
  jobId: string | null;
  /** Epoch ms of the latest claim: the token every later write of that attempt compares. */
  claimedAtMs: number;
  submittedAtMs: number | null;
  mementoUrl: string | null;
  mementoAtMs: number | null;
  error: string | null;
  updatedAtMs: number;
}

/** A finished capture as the TimeMap lists it. */
export interface WaybackMemento {
  n: number;
  uri: string;
  atMs: number;
}

const captureFromRow = (row: Row): WaybackCapture => ({
  articleId: row.article_id as string,
  n: row.n as number,
  subscriptionId: row.subscription_id as string,
  status: row.status as WaybackCaptureStatus,
  jobId: (row.job_id as string | null) ?? null,
  claimedAtMs: row.claimed_at_ms as number,
  submittedAtMs: (row.submitted_at_ms as number | null) ?? null,
  mementoUrl: (row.memento_url as string | null) ?? null,
  mementoAtMs: (row.memento_at_ms as number | null) ?? null,
  error: (row.error as string | null) ?? null,
  updatedAtMs: row.updated_at_ms as number,
});

const TABLE = tables.waybackCaptures;
const KEY = "article_id = ? AND n = ?";

export class WaybackCaptures {
  constructor(private readonly db: D1Database) {}

  /** One row read (the primary key), or none. */
  async captureOf(articleId: string, n: number): Promise<WaybackCapture | null> {
    const row = await this.db.prepare(`SELECT * FROM ${TABLE} WHERE ${KEY}`).bind(articleId, n).first<Row>();
    return row ? captureFromRow(row) : null;
  }

  /** The article's finished captures, oldest first: one range of the primary key. */
  async mementosOf(articleId: string): Promise<WaybackMemento[]> {
    const { results } = await this.db
      .prepare(`SELECT n, memento_url, memento_at_ms FROM ${TABLE} WHERE article_id = ? AND status = 'success' ORDER BY memento_at_ms, n`)
      .bind(articleId)
      .all<Row>();
    return results.map((row) => ({ n: row.n as number, uri: row.memento_url as string, atMs: row.memento_at_ms as number }));
  }

  /**
   * Claims the next submission for one version, as `submitting`, if the row is still what the
   * caller read (`read`: null for no row). Of two deliveries that read the same row one claims
   * it; false: the other did, and this one submits nothing. One row written.
   */
  async claim(articleId: string, n: number, subscriptionId: string, read: WaybackCapture | null, nowMs: number): Promise<boolean> {
    const statement = read
      ? this.db
          .prepare(
            `UPDATE ${TABLE} SET status = 'submitting', subscription_id = ?, job_id = NULL, claimed_at_ms = ?, submitted_at_ms = NULL, error = NULL, updated_at_ms = ?
             WHERE ${KEY} AND status = ? AND updated_at_ms = ?`,
          )
          .bind(subscriptionId, nowMs, nowMs, articleId, n, read.status, read.updatedAtMs)
      : this.db
          .prepare(
            `INSERT INTO ${TABLE} (article_id, n, subscription_id, status, claimed_at_ms, updated_at_ms) VALUES (?, ?, ?, 'submitting', ?, ?)
             ON CONFLICT (article_id, n) DO NOTHING`,
          )
          .bind(articleId, n, subscriptionId, nowMs, nowMs);
    return (await statement.run()).meta.changes === 1;
  }

  /** The job SPN2 accepted, stored before it is polled, so no retry submits it again. One row written. */
  async recordJob(articleId: string, n: number, claimedAtMs: number, jobId: string, nowMs: number): Promise<boolean> {
    const result = await this.db
      .prepare(`UPDATE ${TABLE} SET status = 'pending', job_id = ?, submitted_at_ms = ?, updated_at_ms = ? WHERE ${KEY} AND claimed_at_ms = ? AND status = 'submitting'`)
      .bind(jobId, nowMs, nowMs, articleId, n, claimedAtMs)
      .run();
    return result.meta.changes === 1;
  }

  /** The finished capture: its memento URL and instant. One row written. */
  async recordSuccess(articleId: string, n: number, claimedAtMs: number, memento: { uri: string; atMs: number }, nowMs: number): Promise<void> {
    await this.db
      .prepare(`UPDATE ${TABLE} SET status = 'success', memento_url = ?, memento_at_ms = ?, error = NULL, updated_at_ms = ? WHERE ${KEY} AND claimed_at_ms = ?`)
      .bind(memento.uri, memento.atMs, nowMs, articleId, n, claimedAtMs)
      .run();
  }

  /** An attempt that did not succeed: `retry` lets the next delivery submit again, `failed` does not. One row written. */
  async recordError(articleId: string, n: number, claimedAtMs: number, status: "retry" | "failed", error: string, nowMs: number): Promise<void> {
    await this.db
      .prepare(`UPDATE ${TABLE} SET status = ?, error = ?, updated_at_ms = ? WHERE ${KEY} AND claimed_at_ms = ?`)
      .bind(status, error, nowMs, articleId, n, claimedAtMs)
      .run();
  }
}
