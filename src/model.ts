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
  | { ok: true; article: ArticleContent; profile: string }
  | { ok: false; reason: string; profile: string };

/** Kinds a change can carry; a change has one or more. */
export const CHANGE_KINDS = [
  "created",
  "title",
  "byline",
  "published-date",
  "modified-date",
  "body",
  "timestamp-only",
  "stealth-edit",
  "revert",
  "removed",
  "restored",
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Field-level kinds, also the keys of {@link VersionDiff.fields}. */
export type FieldKind = "title" | "byline" | "published-date" | "modified-date";

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
  | { op: "added"; after: number; text: string }
  | { op: "removed"; before: number; text: string }
  | { op: "changed"; before: number; after: number; words: WordPart[] };

export interface DiffStats {
  wordsAdded: number;
  wordsRemoved: number;
  paragraphsAdded: number;
  paragraphsRemoved: number;
  paragraphsChanged: number;
}

export interface VersionDiff {
  kinds: ChangeKind[];
  fields: Partial<Record<FieldKind, FieldChange>>;
  paragraphs: ParagraphDiff[];
  stats: DiffStats;
  /** One line for lists and feeds, e.g. "Headline changed; 1 paragraph added (+52 words)". */
  summary: string;
}
