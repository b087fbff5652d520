import type { ArticleContent, CaptureLocation, ChangeKind, DiffStats, FieldKind, ParagraphDiff, SentenceChanges, SentenceRef, VersionDiff, WordPart } from "../model";
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

/**
 * Moves count only as moves: a paragraph or sentence that reappears word for word elsewhere is
 * neither added nor removed and adds no words, so reordering a story reads as a reordering. The
 * word counts therefore come from the sentence changes, where a move is its own kind, and not
 * from the paragraph rendering, which shows a sentence moved between two paragraphs as removed
 * from one and added to the other.
 */
function countChanges(paragraphs: ParagraphDiff[], sentences: SentenceChanges): DiffStats {
  const wordsOf = (refs: readonly SentenceRef[]): number => refs.reduce((total, sentence) => total + countWords(sentence.text), 0);
  const editedWords = (op: WordPart["op"]): number =>
    sentences.edited.reduce((total, edit) => total + edit.words.reduce((sum, part) => sum + (part.op === op ? countWords(part.text) : 0), 0), 0);
  const paragraphsWhere = (test: (paragraph: ParagraphDiff) => boolean): number => paragraphs.filter(test).length;
  return {
    wordsAdded: wordsOf(sentences.added) + editedWords("added"),
    wordsRemoved: wordsOf(sentences.removed) + editedWords("removed"),
    paragraphsAdded: paragraphsWhere((paragraph) => paragraph.op === "added" && paragraph.movedFrom === undefined),
    paragraphsRemoved: paragraphsWhere((paragraph) => paragraph.op === "removed" && paragraph.movedTo === undefined),
    paragraphsChanged: paragraphsWhere((paragraph) => paragraph.op === "changed"),
    paragraphsMoved: paragraphsWhere((paragraph) => paragraph.op === "removed" && paragraph.movedTo !== undefined),
    sentencesAdded: sentences.added.length,
    sentencesRemoved: sentences.removed.length,
    sentencesEdited: sentences.edited.length,
    sentencesMoved: sentences.moved.length,
  };
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
