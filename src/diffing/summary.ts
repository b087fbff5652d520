import type { ArticleContent, ChangeKind, DiffStats } from "../model";
import { normalizeContent } from "./canonical";
import { countWords } from "./text";

/* Every summary line shown in lists and feeds is worded here. */

const formatCount = (count: number): string => count.toLocaleString("en-US");

const countOf = (count: number, singular: string, plural: string): string =>
  `${formatCount(count)} ${count === 1 ? singular : plural}`;

/** e.g. "Headline changed; 1 paragraph added, 2 edited (+57/−12 words); modified timestamp moved". */
export function summarizeDiff(kinds: readonly ChangeKind[], stats: DiffStats): string {
  if (kinds.length === 0) return "No changes";
  if (kinds.includes("timestamp-only")) return "Only the modified timestamp moved";

  const clauses: string[] = [];
  if (kinds.includes("title")) clauses.push("headline changed");
  if (kinds.includes("byline")) clauses.push("byline changed");
  if (kinds.includes("published-date")) clauses.push("published date changed");
  if (kinds.includes("body")) clauses.push(describeBodyChange(stats));
  if (kinds.includes("modified-date")) clauses.push("modified timestamp moved");
  const changes = clauses.join("; ");

  if (kinds.includes("stealth-edit")) return `Text changed without a new modified timestamp (stealth edit): ${changes}`;
  return changes.charAt(0).toUpperCase() + changes.slice(1);
}

/** e.g. "1 paragraph added, 2 edited (+57/−12 words)". */
function describeBodyChange(stats: DiffStats): string {
  const counts = [
    [stats.paragraphsAdded, "added"],
    [stats.paragraphsChanged, "edited"],
    [stats.paragraphsRemoved, "removed"],
  ] as const;
  const paragraphCounts = counts
    .filter(([count]) => count > 0)
    .map(([count, verb], position) =>
      position === 0 ? `${countOf(count, "paragraph", "paragraphs")} ${verb}` : `${formatCount(count)} ${verb}`,
    );
  return `${paragraphCounts.join(", ")} (+${formatCount(stats.wordsAdded)}/−${formatCount(stats.wordsRemoved)} words)`;
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
