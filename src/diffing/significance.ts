/**
 * How much a change matters to a reader, 0 to 1, so feeds and webhooks can skip trivia. Each
 * signal contributes a probability-like weight and they combine as a noisy OR: one strong signal
 * is enough to be significant, several weak ones add up, and the score never exceeds 1.
 */
import type { ChangeKind, DiffStats, FieldChange, FieldKind, SentenceChanges } from "../model";
import { HEADLINE_REWRITE_SIMILARITY, headlineSimilarity } from "./similarity";

const FIELD_WEIGHTS: Record<Exclude<FieldKind, "title">, number> = {
  byline: 0.3,
  "published-date": 0.3,
  "canonical-url": 0.2,
  "final-url": 0.1,
  "modified-date": 0.02,
};

const FLAG_WEIGHTS: Partial<Record<ChangeKind, number>> = {
  correction: 0.5,
  "numbers-changed": 0.4,
  "quote-changed": 0.4,
};

/** Whole-page events, which carry no diff. */
export const EVENT_SIGNIFICANCE = { created: 1, removed: 0.9, restored: 0.5, relocated: 0.1 } as const;

/** A page going back to an earlier version is news in itself, whatever the size of the edit. */
const REVERT_WEIGHT = 0.3;

export interface SignificanceInput {
  kinds: readonly ChangeKind[];
  fields: Partial<Record<FieldKind, FieldChange>>;
  sentences: SentenceChanges;
  stats: DiffStats;
  /** Words in the earlier version's body, to weigh the edit against the article's length. */
  wordsBefore: number;
}

function headlineWeight(title: FieldChange | undefined): number {
  if (!title) return 0;
  const similarity = headlineSimilarity(title.before ?? "", title.after ?? "");
  if (similarity === 1) return 0.1; // punctuation or capitals only
  if (similarity < 0.5) return 0.6;
  return similarity < HEADLINE_REWRITE_SIMILARITY ? 0.45 : 0.3;
}

function bodyWeight({ sentences, stats, wordsBefore }: SignificanceInput): number {
  const wordingEdits = sentences.edited.filter((edit) => edit.words.some((part) => part.op !== "equal" && /[\p{L}\p{N}]/u.test(part.text))).length;
  if (sentences.added.length + sentences.removed.length + wordingEdits === 0) {
    // Moves reorder the story; punctuation and capitals alone barely change it.
    if (sentences.moved.length > 0 || stats.paragraphsMoved > 0) return 0.1;
    return sentences.edited.length > 0 ? 0.03 : 0;
  }
  const share = (stats.wordsAdded + stats.wordsRemoved) / Math.max(wordsBefore, 1);
  return Math.min(0.9, 0.1 + 1.5 * share);
}

export function significanceOf(input: SignificanceInput): number {
  const weights = [
    headlineWeight(input.fields.title),
    ...Object.entries(FIELD_WEIGHTS).map(([field, weight]) => (field in input.fields ? weight : 0)),
    bodyWeight(input),
    ...input.kinds.map((kind) => FLAG_WEIGHTS[kind] ?? 0),
  ];
  return combine(weights);
}

/** The significance of a change that also reverts the page to an earlier version. */
export const withRevert = (significance: number): number => combine([significance, REVERT_WEIGHT]);

function combine(weights: readonly number[]): number {
  const unlikely = weights.reduce((product, weight) => product * (1 - weight), 1);
  return Math.round((1 - unlikely) * 100) / 100;
}
