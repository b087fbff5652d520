/**
 * Alignment of two lists of text units (paragraphs or sentences): exact matches first, then,
 * inside each hunk of removed and added units, similar units paired as edits of each other.
 */
import { diffArrays, type ChangeObject } from "diff";
import type { WordPart } from "../model";
import { pairSimilar } from "./similarity";

export type Op = WordPart["op"];

export function opOf(change: ChangeObject<unknown>): Op {
  if (change.added) return "added";
  if (change.removed) return "removed";
  return "equal";
}

/** 0-based positions in each list; `paired` is a removed and an added unit judged one edited unit. */
export type AlignedUnit =
  | { op: "equal"; before: number; after: number }
  | { op: "removed"; before: number }
  | { op: "added"; after: number }
  | { op: "paired"; before: number; after: number };

export interface AlignmentLimits {
  /** Minimum Dice similarity for a removed and an added unit to pair. */
  threshold: number;
  /** Past this many insertions + deletions only the common head and tail are aligned. */
  maxEdits: number;
  /** Removed × added similarity computations allowed over the whole alignment. */
  maxComparisons: number;
}

/**
 * Aligns `before` and `after` in the reading order of `after`, removed units at the place they
 * were; within a hunk, unpaired removed come before unpaired added. The limits keep the cost
 * bounded: past them the result is coarser (fewer pairs), never wrong.
 */
export function alignUnits(before: readonly string[], after: readonly string[], limits: AlignmentLimits): AlignedUnit[] {
  const result: AlignedUnit[] = [];
  let comparisonsLeft = limits.maxComparisons;
  let removed: number[] = [];
  let added: number[] = [];

  const flushHunk = (): void => {
    const comparisons = removed.length * added.length;
    const affordable = comparisons > 0 && comparisons <= comparisonsLeft;
    if (affordable) comparisonsLeft -= comparisons;
    const textsOf = (list: readonly string[], positions: number[]): string[] => positions.map((position) => list[position] ?? "");
    const pairs = affordable ? pairSimilar(textsOf(before, removed), textsOf(after, added), limits.threshold) : [];
    result.push(...orderHunk(removed, added, pairs));
    removed = [];
    added = [];
  };

  let beforeIndex = 0;
  let afterIndex = 0;
  for (const { op, count } of exactRuns(before, after, limits.maxEdits)) {
    for (let step = 0; step < count; step++) {
      if (op === "removed") {
        removed.push(beforeIndex++);
      } else if (op === "added") {
        added.push(afterIndex++);
      } else {
        flushHunk();
        result.push({ op: "equal", before: beforeIndex++, after: afterIndex++ });
      }
    }
  }
  flushHunk();
  return result;
}

export type ExactRun = { op: Op; count: number };

/**
 * Runs of exact matches, patience-style: sentences and paragraphs are nearly all unique, so
 * the units that occur exactly once on each side anchor the alignment (their longest increasing
 * run, which leaves moved units out), and Myers' diff only fills the small gaps between anchors.
 * That keeps a 500-sentence article with 100 edits at a few thousand steps instead of Myers'
 * (N+M)·D, and keeps unrelated repeats from matching across the whole text.
 */
export function exactRuns(before: readonly string[], after: readonly string[], maxEdits: number): ExactRun[] {
  const runs: ExactRun[] = [];
  const push = (op: Op, count: number): void => {
    if (count === 0) return;
    const last = runs.at(-1);
    if (last && last.op === op) last.count += count;
    else runs.push({ op, count });
  };
  let beforeStart = 0;
  let afterStart = 0;
  for (const [beforeAnchor, afterAnchor] of [...uniqueAnchors(before, after), [before.length, after.length] as const]) {
    for (const run of gapRuns(before.slice(beforeStart, beforeAnchor), after.slice(afterStart, afterAnchor), maxEdits)) push(run.op, run.count);
    if (beforeAnchor < before.length) push("equal", 1);
    beforeStart = beforeAnchor + 1;
    afterStart = afterAnchor + 1;
  }
  return runs;
}

/** [beforeIndex, afterIndex] of units unique on both sides, in an order both sides agree on. */
function uniqueAnchors(before: readonly string[], after: readonly string[]): Array<[number, number]> {
  const occurrences = new Map<string, { before: number; after: number; beforeIndex: number }>();
  before.forEach((text, index) => {
    const entry = occurrences.get(text);
    if (entry) entry.before++;
    else occurrences.set(text, { before: 1, after: 0, beforeIndex: index });
  });
  for (const text of after) {
    const entry = occurrences.get(text);
    if (entry) entry.after++;
  }
  const candidates: Array<[number, number]> = [];
  after.forEach((text, afterIndex) => {
    const entry = occurrences.get(text);
    if (entry && entry.before === 1 && entry.after === 1) candidates.push([entry.beforeIndex, afterIndex]);
  });
  return longestIncreasingRun(candidates);
}

/** Patience sorting: the longest subsequence of `pairs` (ordered by after) increasing in before. */
function longestIncreasingRun(pairs: Array<[number, number]>): Array<[number, number]> {
  const pileTops: number[] = [];
  const previous = new Array<number>(pairs.length).fill(-1);
  pairs.forEach(([beforeIndex], position) => {
    let low = 0;
    let high = pileTops.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((pairs[pileTops[middle] ?? 0]?.[0] ?? 0) < beforeIndex) low = middle + 1;
      else high = middle;
    }
    previous[position] = low > 0 ? (pileTops[low - 1] ?? -1) : -1;
    pileTops[low] = position;
  });
  const chain: Array<[number, number]> = [];
  for (let position = pileTops.at(-1) ?? -1; position >= 0; position = previous[position] ?? -1) {
    const pair = pairs[position];
    if (pair) chain.push(pair);
  }
  return chain.reverse();
}

/** Myers' diff between two anchors; past `maxEdits`, only the common head and tail are matched. */
function gapRuns(before: readonly string[], after: readonly string[], maxEdits: number): ExactRun[] {
  if (before.length === 0 || after.length === 0) return [{ op: "removed", count: before.length }, { op: "added", count: after.length }];
  const changes = diffArrays(before as string[], after as string[], { maxEditLength: maxEdits });
  if (changes !== undefined) return changes.map((change) => ({ op: opOf(change), count: change.value.length }));
  const shorter = Math.min(before.length, after.length);
  let head = 0;
  while (head < shorter && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < shorter - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return [
    { op: "equal", count: head },
    { op: "removed", count: before.length - head - tail },
    { op: "added", count: after.length - head - tail },
    { op: "equal", count: tail },
  ];
}

function orderHunk(removed: number[], added: number[], pairs: Array<[number, number]>): AlignedUnit[] {
  const entries: AlignedUnit[] = [];
  let removedPosition = 0;
  let addedPosition = 0;
  const emitUnpairedUntil = (removedEnd: number, addedEnd: number): void => {
    for (const index of removed.slice(removedPosition, removedEnd)) entries.push({ op: "removed", before: index });
    for (const index of added.slice(addedPosition, addedEnd)) entries.push({ op: "added", after: index });
  };
  for (const [pairedRemoved, pairedAdded] of pairs) {
    emitUnpairedUntil(pairedRemoved, pairedAdded);
    entries.push({ op: "paired", before: removed[pairedRemoved] ?? 0, after: added[pairedAdded] ?? 0 });
    removedPosition = pairedRemoved + 1;
    addedPosition = pairedAdded + 1;
  }
  emitUnpairedUntil(removed.length, added.length);
  return entries;
}
