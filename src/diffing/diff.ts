import type { ArticleContent, CaptureLocation, ChangeKind, DiffStats, FieldKind, ParagraphDiff, SentenceChanges, VersionDiff } from "../model";
import { canonicalInstant, normalizeContent } from "./canonical";
import { correctionAppeared, figuresChanged, quotesChanged } from "./flags";
import { diffParagraphs } from "./paragraphs";
import { diffSentences } from "./sentence-diff";
import { rememberedSentenceSpans } from "./sentences";
import { significanceOf } from "./significance";
import { summarizeDiff } from "./summary";
import { countWords } from "./text";

/** One side of a diff: the content, and where it was found when that is known. */
export type DiffSide = ArticleContent & Partial<CaptureLocation>;

/**
 * What changed from one capture of an article to the next. Both sides are normalised first
 * (see `normalizeContent`), so paragraph indexes refer to the normalised paragraph lists — the
 * lists as stored — and whitespace- or NFC-only differences are not changes. The paragraph list
 * drives the renderings; the sentence changes give the edit taxonomy, flags and significance.
 */
export function diffVersions(before: DiffSide, after: DiffSide): VersionDiff {
  const old = { ...before, ...normalizeContent(before) };
  const current = { ...after, ...normalizeContent(after) };
  const fields = diffFields(old, current);
  const spansOf = rememberedSentenceSpans();
  const paragraphs = diffParagraphs(old.paragraphs, current.paragraphs, spansOf);
  const sentences = diffSentences(old.paragraphs, current.paragraphs, spansOf);
  const stats = countChanges(paragraphs, sentences);
  const kinds = classify(fields, paragraphs, sentences);
  const wordsBefore = old.paragraphs.reduce((total, paragraph) => total + countWords(paragraph), 0);
  const significance = significanceOf({ kinds, fields, sentences, stats, wordsBefore });
  const diff = { kinds, fields, paragraphs, sentences, stats, significance };
  return { ...diff, summary: summarizeDiff(diff) };
}

interface FieldSpec {
  kind: FieldKind;
  /** Undefined when the side does not know the value (versions stored before it was recorded). */
  read: (side: DiffSide) => string | null | undefined;
  /** The form two values are compared in. */
  comparable: (value: string | null) => string | null;
}

const asIs = (value: string | null): string | null => value;

/** In {@link ChangeKind} order, which is also the order kinds are reported in. */
const FIELDS: readonly FieldSpec[] = [
  { kind: "title", read: (content) => content.title, comparable: asIs },
  { kind: "byline", read: (content) => content.byline, comparable: asIs },
  { kind: "published-date", read: (content) => content.publishedAt, comparable: canonicalInstant },
  { kind: "modified-date", read: (content) => content.modifiedAt, comparable: canonicalInstant },
  { kind: "canonical-url", read: (side) => side.canonicalUrl, comparable: asIs },
  { kind: "final-url", read: (side) => side.finalUrl, comparable: asIs },
];

function diffFields(before: DiffSide, after: DiffSide): VersionDiff["fields"] {
  const fields: VersionDiff["fields"] = {};
  for (const { kind, read, comparable } of FIELDS) {
    const [old, current] = [read(before), read(after)];
    if (old === undefined || current === undefined) continue;
    if (comparable(old) !== comparable(current)) fields[kind] = { before: old, after: current };
  }
  return fields;
}

function countChanges(paragraphs: ParagraphDiff[], sentences: SentenceChanges): DiffStats {
  const stats: DiffStats = {
    wordsAdded: 0,
    wordsRemoved: 0,
    paragraphsAdded: 0,
    paragraphsRemoved: 0,
    paragraphsChanged: 0,
    paragraphsMoved: 0,
    sentencesAdded: sentences.added.length,
    sentencesRemoved: sentences.removed.length,
    sentencesEdited: sentences.edited.length,
    sentencesMoved: sentences.moved.length,
  };
  for (const paragraph of paragraphs) {
    if (paragraph.op === "added") {
      stats.paragraphsAdded++;
      stats.wordsAdded += countWords(paragraph.text);
    } else if (paragraph.op === "removed") {
      stats.paragraphsRemoved++;
      if (paragraph.movedTo !== undefined) stats.paragraphsMoved++;
      stats.wordsRemoved += countWords(paragraph.text);
    } else if (paragraph.op === "changed") {
      stats.paragraphsChanged++;
      for (const part of paragraph.words) {
        if (part.op === "added") stats.wordsAdded += countWords(part.text);
        if (part.op === "removed") stats.wordsRemoved += countWords(part.text);
      }
    }
  }
  return stats;
}

function classify(fields: VersionDiff["fields"], paragraphs: ParagraphDiff[], sentences: SentenceChanges): ChangeKind[] {
  const kinds: ChangeKind[] = FIELDS.map(({ kind }) => kind).filter((kind) => kind in fields);
  const bodyChanged = paragraphs.some((paragraph) => paragraph.op !== "equal");
  if (bodyChanged) kinds.push("body");
  const paragraphMoved = paragraphs.some((paragraph) => paragraph.op === "added" && paragraph.movedFrom !== undefined);
  if (sentences.moved.length > 0 || paragraphMoved) kinds.push("refactor");
  if (correctionAppeared(sentences)) kinds.push("correction");
  if (figuresChanged(sentences.edited, fields.title)) kinds.push("numbers-changed");
  if (quotesChanged(sentences.edited)) kinds.push("quote-changed");
  if (kinds.length === 1 && kinds[0] === "modified-date") kinds.push("timestamp-only");
  // A stealth edit is text a reader sees changing while the page's own modified timestamp stays
  // put. Pages without any modified timestamp count too: their readers get no sign of the edit
  // either, and per-site patterns are left to whoever reads the flag.
  if ((bodyChanged || "title" in fields) && !("modified-date" in fields)) kinds.push("stealth-edit");
  return kinds;
}
