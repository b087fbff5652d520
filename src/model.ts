/**
 * Shapes shared by the modules. Pure modules (extraction, diffing, scheduling) depend only on
 * this file; storage and API map these to KV values and JSON responses.
 */

/** What the extractor pulls out of one HTML page. Timestamps are ISO 8601 with offset. */
export interface ArticleContent {
  title: string;
  byline: string | null;
  publishedAt: string | null;
  modifiedAt: string | null;
  paragraphs: string[];
}

export type ExtractionResult =
  | { ok: true; article: ArticleContent; profile: string; canonicalUrl: string | null }
  | { ok: false; reason: string; profile: string };

/** Kinds a change can carry; a change has one or more. */
export const CHANGE_KINDS = [
  "created",
  "title",
  "byline",
  "published-date",
  "modified-date",
  "canonical-url",
  "final-url",
  "body",
  "refactor",
  "correction",
  "numbers-changed",
  "quote-changed",
  "timestamp-only",
  "stealth-edit",
  "revert",
  "removed",
  "restored",
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Field-level kinds, also the keys of {@link VersionDiff.fields}. */
export type FieldKind = "title" | "byline" | "published-date" | "modified-date" | "canonical-url" | "final-url";

/** Where a version was found, beside its content: compared, but not part of the content hash. */
export interface CaptureLocation {
  canonicalUrl: string | null;
  finalUrl: string | null;
}

export interface FieldChange {
  before: string | null;
  after: string | null;
}

export interface WordPart {
  op: "equal" | "added" | "removed";
  text: string;
}

export type ParagraphDiff =
  | { op: "equal"; before: number; after: number; text: string }
  | { op: "added"; after: number; text: string; movedFrom?: number }
  | { op: "removed"; before: number; text: string; movedTo?: number }
  | { op: "changed"; before: number; after: number; words: WordPart[] };

/**
 * Counts of one diff. A move is counted only as a move: a paragraph or sentence that reappears
 * word for word elsewhere is not counted as added or removed, and its words are not counted at
 * all, so a pure reordering reports 0 words added and 0 removed.
 */
export interface DiffStats {
  /** Words of added sentences plus the added words of edited sentences. */
  wordsAdded: number;
  /** Words of removed sentences plus the removed words of edited sentences. */
  wordsRemoved: number;
  paragraphsAdded: number;
  paragraphsRemoved: number;
  paragraphsChanged: number;
  /** Paragraphs removed in one place that reappear unchanged in another. */
  paragraphsMoved: number;
  sentencesAdded: number;
  sentencesRemoved: number;
  sentencesEdited: number;
  sentencesMoved: number;
}

/** A sentence and the 0-based index of the paragraph it sits in (in its own version). */
export interface SentenceRef {
  paragraph: number;
  text: string;
}

/**
 * An edited sentence: `before` paired with `after` by similarity. A sentence split in two (or
 * two merged into one) is one edit whose `after` (or `before`) text spans both sentences.
 */
export interface SentenceEdit {
  before: SentenceRef;
  after: SentenceRef;
  shape: "edited" | "split" | "merged";
  words: WordPart[];
}

/** The body's edits in the NewsEdits taxonomy: additions, deletions, edits and refactors (moves). */
export interface SentenceChanges {
  added: SentenceRef[];
  removed: SentenceRef[];
  edited: SentenceEdit[];
  moved: Array<{ before: SentenceRef; after: SentenceRef }>;
}

export interface VersionDiff {
  kinds: ChangeKind[];
  fields: Partial<Record<FieldKind, FieldChange>>;
  paragraphs: ParagraphDiff[];
  sentences: SentenceChanges;
  stats: DiffStats;
  /** 0 (trivia: a timestamp, punctuation) to 1 (a rewrite); feeds filter on it. */
  significance: number;
  /** One line for lists and feeds, e.g. "Headline changed; 1 paragraph added (+52 words)". */
  summary: string;
  /** Only with kind `revert`: the older version whose content the later side repeats. */
  revertOf?: number;
}
