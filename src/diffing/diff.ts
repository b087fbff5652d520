import type { ArticleContent, ChangeKind, DiffStats, FieldKind, ParagraphDiff, VersionDiff } from "../model";
import { canonicalInstant, normalizeContent } from "./canonical";
import { diffParagraphs } from "./paragraphs";
import { summarizeDiff } from "./summary";
import { countWords } from "./text";

/**
 * What changed from one capture of an article to the next. Both sides are normalised first
 * (see `normalizeContent`), so paragraph indexes refer to the normalised paragraph lists — the
 * lists as stored — and whitespace- or NFC-only differences are not changes.
 */
export function diffVersions(before: ArticleContent, after: ArticleContent): VersionDiff {
  const old = normalizeContent(before);
  const current = normalizeContent(after);
  const fields = diffFields(old, current);
  const paragraphs = diffParagraphs(old.paragraphs, current.paragraphs);
  const stats = countChanges(paragraphs);
  const kinds = classify(fields, paragraphs);
  return { kinds, fields, paragraphs, stats, summary: summarizeDiff(kinds, stats) };
}

interface FieldSpec {
  kind: FieldKind;
  read: (content: ArticleContent) => string | null;
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
];

function diffFields(before: ArticleContent, after: ArticleContent): VersionDiff["fields"] {
  const fields: VersionDiff["fields"] = {};
  for (const { kind, read, comparable } of FIELDS) {
    const [old, current] = [read(before), read(after)];
    if (comparable(old) !== comparable(current)) fields[kind] = { before: old, after: current };
  }
  return fields;
}

function countChanges(paragraphs: ParagraphDiff[]): DiffStats {
  const stats: DiffStats = { wordsAdded: 0, wordsRemoved: 0, paragraphsAdded: 0, paragraphsRemoved: 0, paragraphsChanged: 0 };
  for (const paragraph of paragraphs) {
    if (paragraph.op === "added") {
      stats.paragraphsAdded++;
      stats.wordsAdded += countWords(paragraph.text);
    } else if (paragraph.op === "removed") {
      stats.paragraphsRemoved++;
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

function classify(fields: VersionDiff["fields"], paragraphs: ParagraphDiff[]): ChangeKind[] {
  const kinds: ChangeKind[] = FIELDS.map(({ kind }) => kind).filter((kind) => kind in fields);
  const bodyChanged = paragraphs.some((paragraph) => paragraph.op !== "equal");
  if (bodyChanged) kinds.push("body");
  if (kinds.length === 1 && kinds[0] === "modified-date") kinds.push("timestamp-only");
  // A stealth edit is text a reader sees changing while the page's own modified timestamp stays
  // put. Pages without any modified timestamp count too: their readers get no sign of the edit
  // either, and per-site patterns are left to whoever reads the flag.
  if ((bodyChanged || "title" in fields) && !("modified-date" in fields)) kinds.push("stealth-edit");
  return kinds;
}
