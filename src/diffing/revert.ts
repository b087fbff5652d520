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
 * `diff` as the change of a version that repeats version `revertOf` reports it: a `revert` of
 * it, weighing more, its summary saying so first. The check (which finds `revertOf` in the
 * version index) and every rendering of a diff (through {@link diffInHistory}) apply this one
 * rule, so the change and the diff of the same two versions cannot disagree.
 */
export function asRevert(diff: VersionDiff, revertOf: number | null): VersionDiff {
  if (revertOf === null) return diff;
  return {
    ...diff,
    kinds: [...diff.kinds, "revert"],
    significance: withRevert(diff.significance),
    summary: `${summarizeRevert(revertOf)}; ${diff.summary}`,
    revertOf,
  };
}

/**
 * The diff of two versions of one article as its change reports it. `history` is the article's
 * versions (the version list); those from `after` on are ignored.
 */
export function diffInHistory(
  before: DiffSide & VersionIdentity,
  after: DiffSide & VersionIdentity,
  history: readonly VersionIdentity[],
): VersionDiff {
  return asRevert(diffVersions(before, after), revertTarget(before.n, after, history));
}
