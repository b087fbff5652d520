import type { FieldChange, FieldKind, ParagraphDiff, WordPart } from "../../model";
import { changeRanges, diffLabels, FIELD_LABELS, moveNote, type DiffDocument } from "./document";

/** Paragraphs of unchanged context printed around each hunk, as `diff -U1` would. */
const CONTEXT = 1;

interface Line {
  op: " " | "-" | "+";
  text: string;
}

const sideText = (words: WordPart[], skip: WordPart["op"]): string =>
  words.filter((part) => part.op !== skip).map((part) => part.text).join("");

/** One line per paragraph; an edited paragraph becomes its old line removed and its new line added. */
function toLines(paragraphs: ParagraphDiff[]): Line[] {
  return paragraphs.flatMap((paragraph): Line[] => {
    switch (paragraph.op) {
      case "equal":
        return [{ op: " ", text: paragraph.text }];
      case "removed":
        return [{ op: "-", text: paragraph.text }];
      case "added":
        return [{ op: "+", text: paragraph.text }];
      case "changed":
        return [
          { op: "-", text: sideText(paragraph.words, "added") },
          { op: "+", text: sideText(paragraph.words, "removed") },
        ];
    }
  });
}

/** `@@ -a,b +c,d @@` with 1-based paragraph numbers, where an empty side names the paragraph before it. */
function hunkHeader(hunk: Line[], preceding: Line[]): string {
  const beforeCount = hunk.filter((line) => line.op !== "+").length;
  const afterCount = hunk.filter((line) => line.op !== "-").length;
  const beforeStart = preceding.filter((line) => line.op !== "+").length + (beforeCount > 0 ? 1 : 0);
  const afterStart = preceding.filter((line) => line.op !== "-").length + (afterCount > 0 ? 1 : 0);
  return `@@ -${beforeStart},${beforeCount} +${afterStart},${afterCount} @@`;
}

/**
 * The diff as unified text, one paragraph per line, readable by anyone who knows `diff -u` and
 * by patch tools. Field changes (headline, byline, timestamps) come first, before the file
 * headers, where unified-diff readers expect free-form preamble.
 */
export function renderUnified(document: DiffDocument): string {
  const { from, to, diff } = document;
  const out: string[] = [`Redline diff of ${document.articleUrl}`, `Summary: ${diff.summary}`, diffLabels(diff)];
  for (const [kind, change] of Object.entries(diff.fields) as Array<[FieldKind, FieldChange]>) {
    out.push(`${FIELD_LABELS[kind]}:`, `- ${change.before ?? "(none)"}`, `+ ${change.after ?? "(none)"}`);
  }
  // Moved paragraphs stay plain -/+ lines so patch tools still apply the diff; the preamble says which.
  for (const paragraph of diff.paragraphs) {
    const note = moveNote(paragraph);
    if (note !== null && paragraph.op === "removed") out.push(`Paragraph ${paragraph.before + 1} ${note}`);
  }
  out.push(`--- version ${from.n}\t${from.capturedAt}`, `+++ version ${to.n}\t${to.capturedAt}`);
  const lines = toLines(diff.paragraphs);
  for (const [start, end] of changeRanges(lines, (line) => line.op !== " ", CONTEXT)) {
    const hunk = lines.slice(start, end);
    out.push(hunkHeader(hunk, lines.slice(0, start)));
    for (const line of hunk) out.push(`${line.op}${line.text}`);
  }
  return `${out.join("\n")}\n`;
}
