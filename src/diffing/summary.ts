import type { ArticleContent, FieldChange, SentenceEdit, VersionDiff } from "../model";
import { normalizeContent } from "./canonical";
import { HEADLINE_REWRITE_SIMILARITY, headlineSimilarity } from "./similarity";
import { countWords } from "./text";

/* Every summary line shown in lists and feeds is worded here. */

/** 12,345: grouped by hand, since toLocaleString costs more than the rest of a summary. */
const formatCount = (count: number): string => String(count).replace(/\B(?=(\d{3})+(?!\d))/gu, ",");

const countOf = (count: number, singular: string, plural: string): string =>
  `${formatCount(count)} ${count === 1 ? singular : plural}`;

/** e.g. "Headline rewritten; 1 paragraph added; 2 sentences edited (figures changed)". */
export function summarizeDiff(diff: Omit<VersionDiff, "summary">): string {
  const { kinds } = diff;
  if (kinds.length === 0) return "No changes";
  if (kinds.includes("timestamp-only")) return "Only the modified timestamp moved";

  const flags = [
    ...(kinds.includes("numbers-changed") ? ["figures changed"] : []),
    ...(kinds.includes("quote-changed") ? ["quotes changed"] : []),
  ];
  const body = kinds.includes("body") ? describeBodyChange(diff) : [];
  const flagsOnBody = body.some((clause) => clause.includes("edited"));
  const clauses = [
    ...(diff.fields.title ? [describeHeadline(diff.fields.title, flagsOnBody ? [] : flags)] : []),
    ...(kinds.includes("byline") ? ["byline changed"] : []),
    ...(kinds.includes("published-date") ? ["published date changed"] : []),
    ...(kinds.includes("canonical-url") ? ["canonical URL changed"] : []),
    ...(kinds.includes("final-url") ? ["final URL changed"] : []),
    ...body.map((clause) => (flagsOnBody && clause.includes("edited") && flags.length > 0 ? `${clause} (${flags.join(", ")})` : clause)),
    ...(kinds.includes("modified-date") ? ["modified timestamp moved"] : []),
  ];
  const changes = clauses.join("; ");

  if (kinds.includes("stealth-edit")) return `Text changed without a new modified timestamp (stealth edit): ${changes}`;
  return changes.charAt(0).toUpperCase() + changes.slice(1);
}

function describeHeadline(title: FieldChange, flags: string[]): string {
  const verb = headlineSimilarity(title.before ?? "", title.after ?? "") < HEADLINE_REWRITE_SIMILARITY ? "rewritten" : "edited";
  return `headline ${verb}${flags.length > 0 ? ` (${flags.join(", ")})` : ""}`;
}

/**
 * Whole paragraphs first, then sentences outside them, then the word count, e.g. "1 paragraph
 * added", "2 sentences edited", "1 sentence moved", "+57/−12 words".
 */
function describeBodyChange({ kinds, paragraphs, sentences, stats }: Omit<VersionDiff, "summary">): string[] {
  const wholeAdded = new Set<number>();
  const wholeRemoved = new Set<number>();
  const movedTo = new Set<number>();
  for (const paragraph of paragraphs) {
    if (paragraph.op === "added") (paragraph.movedFrom === undefined ? wholeAdded : movedTo).add(paragraph.after);
    if (paragraph.op === "removed" && paragraph.movedTo === undefined) wholeRemoved.add(paragraph.before);
  }
  const editsShaped = (shape: SentenceEdit["shape"]): number => sentences.edited.filter((edit) => edit.shape === shape).length;
  const counts: Array<[number, string, string]> = [
    [wholeAdded.size, "paragraph added", "paragraphs added"],
    [wholeRemoved.size, "paragraph removed", "paragraphs removed"],
    [movedTo.size, "paragraph moved", "paragraphs moved"],
    [sentences.added.filter((sentence) => !wholeAdded.has(sentence.paragraph)).length, "sentence added", "sentences added"],
    [sentences.removed.filter((sentence) => !wholeRemoved.has(sentence.paragraph)).length, "sentence removed", "sentences removed"],
    [editsShaped("edited"), "sentence edited", "sentences edited"],
    [editsShaped("split"), "sentence split in two", "sentences split in two"],
    [editsShaped("merged"), "pair of sentences merged", "pairs of sentences merged"],
    [sentences.moved.filter((move) => !movedTo.has(move.after.paragraph)).length, "sentence moved", "sentences moved"],
  ];
  const clauses = counts.filter(([count]) => count > 0).map(([count, singular, plural]) => countOf(count, singular, plural));
  if (kinds.includes("correction")) clauses.push("correction or editor's note added");
  if (clauses.length === 0) clauses.push("text edited");
  if (stats.wordsAdded + stats.wordsRemoved > 0) clauses.push(`+${formatCount(stats.wordsAdded)}/−${formatCount(stats.wordsRemoved)} words`);
  return clauses;
}

/** e.g. "First capture: 9 paragraphs, 812 words". */
export function summarizeCreated(content: ArticleContent): string {
  const { paragraphs } = normalizeContent(content);
  const words = paragraphs.reduce((total, paragraph) => total + countWords(paragraph), 0);
  return `First capture: ${countOf(paragraphs.length, "paragraph", "paragraphs")}, ${countOf(words, "word", "words")}`;
}

/** e.g. "Reverted to version 1". */
export function summarizeRevert(versionNumber: number): string {
  return `Reverted to version ${versionNumber}`;
}

/** e.g. "Page gone (HTTP 404)". */
export function summarizeRemoved(httpStatus: number): string {
  return `Page gone (HTTP ${httpStatus})`;
}

/** e.g. "Page back (HTTP 200)"; just "Page back" when the status is not worth quoting (a 304). */
export function summarizeRestored(httpStatus?: number): string {
  return httpStatus === undefined ? "Page back" : `Page back (HTTP ${httpStatus})`;
}

/** The same text served from a new final URL. */
export function summarizeRelocated(): string {
  return "Final URL changed; text unchanged";
}
