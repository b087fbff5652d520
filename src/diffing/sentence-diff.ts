import type { SentenceChanges, SentenceEdit, SentenceRef } from "../model";
import { alignUnits, type AlignmentLimits } from "./alignment";
import { diffWordParts } from "./paragraphs";
import { sentenceSpans, splitSentences, type SentenceSpans } from "./sentences";
import { containment } from "./similarity";

/** A removed and an added sentence sharing half their words are one edited sentence. */
const SENTENCE_SIMILARITY_THRESHOLD = 0.5;

/**
 * A neighbouring sentence joins an edit (a split or merge) when it covers this much more of the
 * other side's words, and at least this share of its own words come from there.
 */
const SPLIT_GAIN = 0.1;
const SPLIT_SOURCE_SHARE = 0.2;

/*
 * A 10,000-word article has about 500 sentences; these limits leave room for a full rewrite of
 * one that size and bound the pathological cases (100,000 words, nothing in common).
 */
const SENTENCE_LIMITS: AlignmentLimits = { threshold: SENTENCE_SIMILARITY_THRESHOLD, maxEdits: 2_000, maxComparisons: 40_000 };

function sentencesOf(paragraphs: readonly string[], spansOf: SentenceSpans): SentenceRef[] {
  return paragraphs.flatMap((paragraph, index) => splitSentences(paragraph, spansOf).map((text) => ({ paragraph: index, text })));
}

/**
 * Sentence-level changes between two (normalised) paragraph lists: which sentences were added,
 * removed, edited (with word-level parts) or moved unchanged to another place.
 */
export function diffSentences(
  beforeParagraphs: readonly string[],
  afterParagraphs: readonly string[],
  spansOf: SentenceSpans = sentenceSpans,
): SentenceChanges {
  const before = sentencesOf(beforeParagraphs, spansOf);
  const after = sentencesOf(afterParagraphs, spansOf);
  const aligned = alignUnits(
    before.map((sentence) => sentence.text),
    after.map((sentence) => sentence.text),
    SENTENCE_LIMITS,
  );

  const unpairedBefore = new Set<number>();
  const unpairedAfter = new Set<number>();
  const pairs: Array<[number, number]> = [];
  for (const unit of aligned) {
    if (unit.op === "removed") unpairedBefore.add(unit.before);
    else if (unit.op === "added") unpairedAfter.add(unit.after);
    else if (unit.op === "paired") pairs.push([unit.before, unit.after]);
  }

  const edited = pairs.map(([beforeIndex, afterIndex]) => widenedEdit(before, after, beforeIndex, afterIndex, unpairedBefore, unpairedAfter));
  const moved = takeMoves(before, after, unpairedBefore, unpairedAfter);
  const pick = (sentences: SentenceRef[], indexes: Set<number>): SentenceRef[] =>
    [...indexes].sort((left, right) => left - right).map((index) => sentences[index]).filter((sentence) => sentence !== undefined);
  return { added: pick(after, unpairedAfter), removed: pick(before, unpairedBefore), edited, moved };
}

/**
 * The edit of `before[b]` into `after[a]`, widened to a split (the next or previous added
 * sentence of the same paragraph carries the rest of the old sentence) or a merge (likewise for
 * removed sentences). Sentences taken into the edit leave the unpaired sets.
 */
function widenedEdit(
  before: SentenceRef[],
  after: SentenceRef[],
  beforeIndex: number,
  afterIndex: number,
  unpairedBefore: Set<number>,
  unpairedAfter: Set<number>,
): SentenceEdit {
  const split = widenedSpan(after, afterIndex, unpairedAfter, before[beforeIndex]?.text ?? "");
  const merge = split.length === 1 ? widenedSpan(before, beforeIndex, unpairedBefore, after[afterIndex]?.text ?? "") : [beforeIndex];
  const span = (sentences: SentenceRef[], indexes: number[]): SentenceRef => ({
    paragraph: sentences[indexes[0] ?? 0]?.paragraph ?? 0,
    text: indexes.map((index) => sentences[index]?.text ?? "").join(" "),
  });
  const beforeRef = span(before, merge);
  const afterRef = span(after, split);
  return {
    before: beforeRef,
    after: afterRef,
    shape: split.length > 1 ? "split" : merge.length > 1 ? "merged" : "edited",
    words: diffWordParts(beforeRef.text, afterRef.text),
  };
}

/**
 * `[index]`, or `index` with its unpaired neighbour in the same paragraph when that neighbour
 * carries words of `counterpart` the sentence alone lacks and is itself largely drawn from it.
 */
function widenedSpan(sentences: SentenceRef[], index: number, unpaired: Set<number>, counterpart: string): number[] {
  const sentence = sentences[index];
  if (!sentence) return [index];
  let alone: number | undefined;
  for (const neighbour of [index + 1, index - 1]) {
    const candidate = sentences[neighbour];
    if (!candidate || !unpaired.has(neighbour) || candidate.paragraph !== sentence.paragraph) continue;
    alone ??= containment(counterpart, sentence.text);
    const span = neighbour > index ? [index, neighbour] : [neighbour, index];
    const joined = span.map((position) => sentences[position]?.text ?? "").join(" ");
    if (containment(counterpart, joined) >= alone + SPLIT_GAIN && containment(candidate.text, counterpart) >= SPLIT_SOURCE_SHARE) {
      unpaired.delete(neighbour);
      return span;
    }
  }
  return [index];
}

/** Removed sentences that reappear word for word elsewhere: refactors, taken out of the sets. */
function takeMoves(
  before: SentenceRef[],
  after: SentenceRef[],
  unpairedBefore: Set<number>,
  unpairedAfter: Set<number>,
): SentenceChanges["moved"] {
  const removedByText = new Map<string, number[]>();
  for (const index of [...unpairedBefore].sort((left, right) => left - right)) {
    const text = before[index]?.text ?? "";
    removedByText.set(text, [...(removedByText.get(text) ?? []), index]);
  }
  const moved: SentenceChanges["moved"] = [];
  for (const afterIndex of [...unpairedAfter].sort((left, right) => left - right)) {
    const target = after[afterIndex];
    const beforeIndex = target ? removedByText.get(target.text)?.shift() : undefined;
    const origin = beforeIndex === undefined ? undefined : before[beforeIndex];
    if (!target || beforeIndex === undefined || !origin) continue;
    unpairedBefore.delete(beforeIndex);
    unpairedAfter.delete(afterIndex);
    moved.push({ before: origin, after: target });
  }
  return moved;
}
