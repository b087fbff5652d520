import { diffWordsWithSpace } from "diff";
import type { ParagraphDiff, WordPart } from "../model";
import { alignUnits, exactRuns, opOf, type AlignmentLimits } from "./alignment";
import { sentenceSpans, type SentenceSpans } from "./sentences";

/**
 * Minimum Dice similarity (over word bags) for a removed and an added paragraph to be shown as
 * one edited paragraph rather than as a removal plus an unrelated addition.
 */
export const PARAGRAPH_SIMILARITY_THRESHOLD = 0.5;

/*
 * Cost guards. Past these limits the output is coarser instead of taking hundreds of
 * milliseconds: more paragraph insertions + deletions align only the common head and tail;
 * more removed x added paragraph pairs to compare leave them unpaired; more token edits inside
 * one edited paragraph show it as old text removed, new text added.
 */
const PARAGRAPH_LIMITS: AlignmentLimits = { threshold: PARAGRAPH_SIMILARITY_THRESHOLD, maxEdits: 300, maxComparisons: 20_000 };
const MAX_WORD_EDITS = 400;

/**
 * Aligns two (normalised) paragraph lists. Output follows the reading order of `after`, with
 * removed paragraphs at the place they were; indexes are 0-based positions in each list. A
 * paragraph removed in one place and added unchanged in another is marked as moved.
 */
export function diffParagraphs(before: string[], after: string[], spansOf: SentenceSpans = sentenceSpans): ParagraphDiff[] {
  const entries = alignUnits(before, after, PARAGRAPH_LIMITS).map((unit): ParagraphDiff => {
    switch (unit.op) {
      case "equal":
        return { op: "equal", before: unit.before, after: unit.after, text: after[unit.after] ?? "" };
      case "removed":
        return { op: "removed", before: unit.before, text: before[unit.before] ?? "" };
      case "added":
        return { op: "added", after: unit.after, text: after[unit.after] ?? "" };
      case "paired":
        return { op: "changed", before: unit.before, after: unit.after, words: diffParagraphWords(before[unit.before] ?? "", after[unit.after] ?? "", spansOf) };
    }
  });
  markMoves(entries);
  return entries;
}

/** Pairs each removed paragraph with an added one of the very same text, first come first served. */
function markMoves(entries: ParagraphDiff[]): void {
  const removedByText = new Map<string, Array<Extract<ParagraphDiff, { op: "removed" }>>>();
  for (const entry of entries) {
    if (entry.op === "removed") removedByText.set(entry.text, [...(removedByText.get(entry.text) ?? []), entry]);
  }
  for (const entry of entries) {
    if (entry.op !== "added") continue;
    const origin = removedByText.get(entry.text)?.shift();
    if (!origin) continue;
    origin.movedTo = entry.after;
    entry.movedFrom = origin.before;
  }
}

/** Sentences of one paragraph whose edits are word-diffed together, past which it is all one run. */
const MAX_SENTENCE_EDITS = 200;

/**
 * Word-level parts of an edited paragraph, word-diffing only the sentences that differ: a long
 * paragraph with one edited sentence costs one sentence's word diff. Same guarantee as
 * {@link diffWordParts}.
 */
export function diffParagraphWords(before: string, after: string, spansOf: SentenceSpans = sentenceSpans): WordPart[] {
  const oldSentences = spansOf(before);
  const newSentences = spansOf(after);
  const parts: WordPart[] = [];
  let removedText = "";
  let addedText = "";
  const push = (part: WordPart): void => {
    const last = parts.at(-1);
    if (last && last.op === part.op) last.text += part.text;
    else parts.push({ ...part });
  };
  const flushHunk = (): void => {
    if (removedText !== "" || addedText !== "") diffWordParts(removedText, addedText).forEach(push);
    removedText = "";
    addedText = "";
  };
  let oldIndex = 0;
  let newIndex = 0;
  for (const { op, count } of exactRuns(oldSentences, newSentences, MAX_SENTENCE_EDITS)) {
    if (op === "removed") {
      removedText += oldSentences.slice(oldIndex, (oldIndex += count)).join("");
    } else if (op === "added") {
      addedText += newSentences.slice(newIndex, (newIndex += count)).join("");
    } else {
      flushHunk();
      push({ op: "equal", text: newSentences.slice(newIndex, (newIndex += count)).join("") });
      oldIndex += count;
    }
  }
  flushHunk();
  return parts;
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
