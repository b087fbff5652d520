import type { VersionDiff } from "../model";
import { diffVersions, type DiffSide } from "./diff";
import { withRevert } from "./significance";
import { summarizeRevert } from "./summary";

/** What the revert rule knows of a version: its number and its content hash. */
export interface VersionIdentity {
  n: number;
  contentHash: string;
}

/**
 * The newest version before `to` whose content `to` repeats (A → B → A), or null. Only a diff
 * forwards in time reverts: read backwards, the same pair is an ordinary edit.
 */
function revertTarget(from: number, to: VersionIdentity, history: readonly VersionIdentity[]): number | null {
  if (from >= to.n) return null;
  let target: number | null = null;
  for (const { n, contentHash } of history) {
    if (n < to.n && contentHash === to.contentHash && (target === null || n > target)) target = n;
  }
  return target;
}

/**
 * The diff of two versions of one article as its change reports it: a version that repeats an
 * older one is a `revert` of it (`revertOf`), weighs more, and its summary says so first. The
 * check that records the change and every rendering of the diff call this one function, so the
 * change and the diff of the same two versions cannot disagree. `history` is the article's
 * versions (the version list); those from `after` on are ignored.
 */
export function diffInHistory(
  before: DiffSide & VersionIdentity,
  after: DiffSide & VersionIdentity,
  history: readonly VersionIdentity[],
): VersionDiff {
  const diff = diffVersions(before, after);
  const revertOf = revertTarget(before.n, after, history);
  if (revertOf === null) return diff;
  return {
    ...diff,
    kinds: [...diff.kinds, "revert"],
    significance: withRevert(diff.significance),
    summary: `${summarizeRevert(revertOf)}; ${diff.summary}`,
    revertOf,
  };
}
