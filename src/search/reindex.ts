/**
 * The rebuild of the search index for history stored before it existed (migrations 0005, 0006):
 * every version without a version_search row (its text read from its KV snapshot), then every
 * change comparing two versions without a change_search row (the diff of its two snapshots).
 * `POST /api/admin/reindex` runs one call; `npm run migrate` calls it until it answers `done`.
 *
 * Bounded: one call takes up one page of what is missing, sized to its KV budget (a version
 * costs one snapshot read, a change at most two), and runs 1 D1 query to find the page plus
 * 1 per 50 rows it inserts — under the 1,000 KV operations and 1,000 D1 queries an invocation
 * may use. Idempotent: each INSERT adds only the rows still missing when it runs, so a rerun
 * (or two at once) adds no second row. docs/storage.md ("Rebuilding the search index") has the costs.
 */
import { diffVersions } from "../diffing";
import type { Meter, Usage } from "../storage/meter";
import type { VersionRecord } from "../storage/records";
import type { IndexPosition, SearchIndex } from "../storage/search";
import { changeText } from "./changes";

export interface ReindexOptions {
  /** Versions or changes taken up per call, at most. */
  batch: number;
  /** KV operations this call may use (the platform allows 1,000 per invocation). */
  kvBudget: number;
}

export const DEFAULT_REINDEX_OPTIONS: ReindexOptions = { batch: 200, kvBudget: 900 };

/** The most a call may take up: its D1 queries (1 + one per 50 rows) then stay far under the limit too. */
export const MAX_REINDEX_BATCH = 400;

/** A change needs both its versions' snapshots. */
const KV_PER_CHANGE = 2;

/** What a call has left to do: versions or changes after a position (null: from the start). */
type Phase = { index: "versions" | "changes"; after: IndexPosition | null };

/** A cursor this rebuild did not make. */
export class ReindexCursorError extends Error {}

/** "v" or "c", then the last (article id, n or seq) examined, base64url. */
function encodeCursor(phase: Phase): string {
  const text = `${phase.index === "versions" ? "v" : "c"}${phase.after ? `.${phase.after.articleId}.${phase.after.n}` : ""}`;
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeCursor(cursor: string | null): Phase {
  if (cursor === null) return { index: "versions", after: null };
  let text: string;
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw new ReindexCursorError("`cursor` is not one a reindex call returned; send null to start from the beginning.");
  }
  const match = /^([vc])(?:\.([0-9a-f]{16})\.(\d{1,9}))?$/.exec(text);
  if (!match) throw new ReindexCursorError("`cursor` is not one a reindex call returned; send null to start from the beginning.");
  return { index: match[1] === "v" ? "versions" : "changes", after: match[2] ? { articleId: match[2], n: Number(match[3]) } : null };
}

export interface ReindexReport {
  /** True when nothing is left to index (the cursor is then null). */
  done: boolean;
  cursor: string | null;
  /** Rows this call added: versions (version_search), changes (change_search). */
  indexed: { versions: number; changes: number };
  /** Rows whose snapshot KV did not return (not written yet where the call read it): left for a later run from the start. */
  unreadable: Array<{ articleId: string; kind: "version" | "change"; n: number }>;
  usage: Usage;
}

export interface ReindexPorts {
  index: SearchIndex;
  snapshot: (recordSha256: string) => Promise<VersionRecord | null>;
  meter: Meter;
}

/** One bounded call of the rebuild, from `cursor` (null: the beginning). */
export async function reindex(ports: ReindexPorts, cursor: string | null, options: ReindexOptions = DEFAULT_REINDEX_OPTIONS): Promise<ReindexReport> {
  const phase = decodeCursor(cursor);
  const report: ReindexReport = { done: false, cursor: null, indexed: { versions: 0, changes: 0 }, unreadable: [], usage: ports.meter.usage };
  const finish = (next: Phase | null): ReindexReport => ({ ...report, done: next === null, cursor: next === null ? null : encodeCursor(next) });

  if (phase.index === "versions") {
    const limit = Math.min(options.batch, options.kvBudget);
    const missing = await ports.index.unindexedVersions(phase.after, limit);
    const read: Array<{ articleId: string; version: VersionRecord }> = [];
    for (const row of missing) {
      const version = await ports.snapshot(row.recordSha256);
      if (version) read.push({ articleId: row.articleId, version });
      else report.unreadable.push({ articleId: row.articleId, kind: "version", n: row.n });
    }
    await ports.index.indexVersions(read);
    report.indexed.versions = read.length;
    const last = missing.at(-1);
    return finish(missing.length < limit || !last ? { index: "changes", after: null } : { index: "versions", after: { articleId: last.articleId, n: last.n } });
  }

  const limit = Math.min(options.batch, Math.floor(options.kvBudget / KV_PER_CHANGE));
  const missing = await ports.index.unindexedChanges(phase.after, limit);
  // Consecutive changes of an article share a version: each snapshot is read once per call.
  const snapshots = new Map<string, Promise<VersionRecord | null>>();
  const snapshot = (sha: string) => {
    if (!snapshots.has(sha)) snapshots.set(sha, ports.snapshot(sha));
    return snapshots.get(sha)!;
  };
  const texts = [];
  for (const row of missing) {
    const [before, after] = await Promise.all([snapshot(row.fromSha256), snapshot(row.toSha256)]);
    if (before && after) texts.push({ articleId: row.articleId, seq: row.seq, detectedAt: row.detectedAt, text: changeText(diffVersions(before, after)) });
    else report.unreadable.push({ articleId: row.articleId, kind: "change", n: row.seq });
  }
  await ports.index.indexChanges(texts);
  report.indexed.changes = texts.length;
  const last = missing.at(-1);
  return finish(missing.length < limit || !last ? null : { index: "changes", after: { articleId: last.articleId, n: last.seq } });
}
