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

function exactRuns(before: readonly string[], after: readonly string[], maxEdits: number): Array<{ op: Op; count: number }> {
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
