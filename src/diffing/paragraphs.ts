import { diffArrays, diffWordsWithSpace, type ChangeObject } from "diff";
import type { ParagraphDiff, WordPart } from "../model";

/**
 * Minimum Dice similarity (over word bags) for a removed and an added paragraph to be shown as
 * one edited paragraph rather than as a removal plus an unrelated addition.
 */
export const PARAGRAPH_SIMILARITY_THRESHOLD = 0.5;

/*
 * Cost guards. jsdiff's Myers search grows with the square of the edit count, so past these
 * limits we fall back to coarser output instead of spending hundreds of milliseconds:
 * - more paragraph insertions + deletions: align only the common head and tail;
 * - more removed x added paragraph pairs to compare (per diff): leave them unpaired;
 * - more token edits inside one edited paragraph: show it as old text removed, new text added.
 */
const MAX_PARAGRAPH_EDITS = 300;
const MAX_SIMILARITY_COMPARISONS = 20_000;
const MAX_WORD_EDITS = 400;

type Op = WordPart["op"];

interface Run {
  op: Op;
  paragraphs: string[];
}

interface Located {
  index: number;
  text: string;
}

/**
 * Aligns two (normalised) paragraph lists. Output follows the reading order of `after`, with
 * removed paragraphs at the place they were; indexes are 0-based positions in each list.
 */
export function diffParagraphs(before: string[], after: string[]): ParagraphDiff[] {
  const result: ParagraphDiff[] = [];
  let comparisonsLeft = MAX_SIMILARITY_COMPARISONS;
  let removed: Located[] = [];
  let added: Located[] = [];

  const flushHunk = (): void => {
    const comparisons = removed.length * added.length;
    const affordable = comparisons <= comparisonsLeft;
    if (affordable) comparisonsLeft -= comparisons;
    const pairs = affordable && comparisons > 0 ? pairSimilar(removed, added) : [];
    result.push(...orderHunk(removed, added, pairs));
    removed = [];
    added = [];
  };

  let beforeIndex = 0;
  let afterIndex = 0;
  for (const run of paragraphRuns(before, after)) {
    for (const text of run.paragraphs) {
      if (run.op === "removed") {
        removed.push({ index: beforeIndex++, text });
      } else if (run.op === "added") {
        added.push({ index: afterIndex++, text });
      } else {
        flushHunk();
        result.push({ op: "equal", before: beforeIndex++, after: afterIndex++, text });
      }
    }
  }
  flushHunk();
  return result;
}

function paragraphRuns(before: string[], after: string[]): Run[] {
  const changes = diffArrays(before, after, { maxEditLength: MAX_PARAGRAPH_EDITS });
  if (changes === undefined) return commonHeadAndTailRuns(before, after);
  return changes.map((change) => ({ op: opOf(change), paragraphs: change.value }));
}

function commonHeadAndTailRuns(before: string[], after: string[]): Run[] {
  const shorter = Math.min(before.length, after.length);
  let head = 0;
  while (head < shorter && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < shorter - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return [
    { op: "equal", paragraphs: after.slice(0, head) },
    { op: "removed", paragraphs: before.slice(head, before.length - tail) },
    { op: "added", paragraphs: after.slice(head, after.length - tail) },
    { op: "equal", paragraphs: after.slice(after.length - tail) },
  ];
}

function opOf(change: ChangeObject<unknown>): Op {
  if (change.added) return "added";
  if (change.removed) return "removed";
  return "equal";
}

/**
 * Picks which removed/added paragraphs of one hunk are edits of each other: the order-preserving
 * matching with the highest total similarity, counting only pairs at or above the threshold.
 * Returns [removedPosition, addedPosition] pairs (positions within the hunk), in order.
 */
function pairSimilar(removed: Located[], added: Located[]): Array<[number, number]> {
  const addedBags = added.map((paragraph) => wordBag(paragraph.text));
  const similarity = removed.map((paragraph) => {
    const removedBag = wordBag(paragraph.text);
    return addedBags.map((addedBag) => diceSimilarity(removedBag, addedBag));
  });
  const similarityOf = (row: number, column: number): number => similarity[row]?.[column] ?? 0;

  // best[r][a]: highest total similarity pairing among the first r removed and first a added.
  const best = Array.from({ length: removed.length + 1 }, () => new Array<number>(added.length + 1).fill(0));
  const bestOf = (row: number, column: number): number => best[row]?.[column] ?? 0;
  const pairedScore = (row: number, column: number): number => {
    const score = similarityOf(row - 1, column - 1);
    return score >= PARAGRAPH_SIMILARITY_THRESHOLD ? bestOf(row - 1, column - 1) + score : -1;
  };
  best.forEach((bestRow, row) => {
    if (row === 0) return;
    for (let column = 1; column <= added.length; column++) {
      bestRow[column] = Math.max(bestOf(row - 1, column), bestOf(row, column - 1), pairedScore(row, column));
    }
  });

  const pairs: Array<[number, number]> = [];
  let row = removed.length;
  let column = added.length;
  while (row > 0 && column > 0) {
    if (bestOf(row, column) === pairedScore(row, column)) {
      pairs.push([--row, --column]);
    } else if (bestOf(row, column) === bestOf(row - 1, column)) {
      row--;
    } else {
      column--;
    }
  }
  return pairs.reverse();
}

type WordBag = Map<string, number>;

function wordBag(text: string): WordBag {
  const bag: WordBag = new Map();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    bag.set(word, (bag.get(word) ?? 0) + 1);
  }
  return bag;
}

function diceSimilarity(left: WordBag, right: WordBag): number {
  let shared = 0;
  let total = 0;
  for (const [word, count] of left) {
    shared += Math.min(count, right.get(word) ?? 0);
    total += count;
  }
  for (const count of right.values()) total += count;
  return total === 0 ? 0 : (2 * shared) / total;
}

/** Emits one hunk: unpaired removed before unpaired added, each paired edit at its place. */
function orderHunk(removed: Located[], added: Located[], pairs: Array<[number, number]>): ParagraphDiff[] {
  const entries: ParagraphDiff[] = [];
  let removedPosition = 0;
  let addedPosition = 0;
  const emitUnpairedUntil = (removedEnd: number, addedEnd: number): void => {
    for (const { index, text } of removed.slice(removedPosition, removedEnd)) {
      entries.push({ op: "removed", before: index, text });
    }
    for (const { index, text } of added.slice(addedPosition, addedEnd)) {
      entries.push({ op: "added", after: index, text });
    }
  };
  for (const [pairedRemoved, pairedAdded] of pairs) {
    emitUnpairedUntil(pairedRemoved, pairedAdded);
    // Pairs come from pairSimilar over these same lists, so both positions are in range.
    const old = removed[pairedRemoved]!;
    const edited = added[pairedAdded]!;
    entries.push({ op: "changed", before: old.index, after: edited.index, words: diffWordParts(old.text, edited.text) });
    removedPosition = pairedRemoved + 1;
    addedPosition = pairedAdded + 1;
  }
  emitUnpairedUntil(removed.length, added.length);
  return entries;
}

/**
 * Word-level parts of an edited paragraph. Joining equal+added parts gives `after` exactly and
 * equal+removed parts gives `before`.
 */
export function diffWordParts(before: string, after: string): WordPart[] {
  const changes = diffWordsWithSpace(before, after, { maxEditLength: MAX_WORD_EDITS });
  if (changes === undefined) {
    return [
      { op: "removed", text: before },
      { op: "added", text: after },
    ];
  }

  // diffWordsWithSpace matches lone spaces, which would chop "one two" -> "three four" into
  // alternating fragments; whitespace between two edits is folded into both sides of the edit.
  const parts: WordPart[] = [];
  let removedText = "";
  let addedText = "";
  const flushEdit = (): void => {
    if (removedText !== "") parts.push({ op: "removed", text: removedText });
    if (addedText !== "") parts.push({ op: "added", text: addedText });
    removedText = "";
    addedText = "";
  };
  changes.forEach((change, position) => {
    const op = opOf(change);
    const next = changes[position + 1];
    const editInProgress = removedText !== "" || addedText !== "";
    if (op === "added") {
      addedText += change.value;
    } else if (op === "removed") {
      removedText += change.value;
    } else if (editInProgress && next !== undefined && opOf(next) !== "equal" && change.value.trim() === "") {
      removedText += change.value;
      addedText += change.value;
    } else {
      flushEdit();
      parts.push({ op: "equal", text: change.value });
    }
  });
  flushEdit();
  return parts;
}
