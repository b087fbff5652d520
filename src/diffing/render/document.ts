import type { FieldKind, ParagraphDiff, VersionDiff } from "../../model";

/** One side of a rendered diff: which version, when it was captured, and its headline then. */
export interface VersionLabel {
  n: number;
  capturedAt: string;
  title: string;
}

/** The label of a stored version (or anything shaped like one), without the rest of its record. */
export const versionLabel = ({ n, capturedAt, title }: VersionLabel): VersionLabel => ({ n, capturedAt, title });

/** What every rendering of a diff receives: the diff model plus the two versions it compares. */
export interface DiffDocument {
  articleUrl: string;
  from: VersionLabel;
  to: VersionLabel;
  diff: VersionDiff;
}

/** Reader-facing names of the field kinds, shared by the text and HTML renderings. */
export const FIELD_LABELS: Record<FieldKind, string> = {
  title: "Headline",
  byline: "Byline",
  "published-date": "Published",
  "modified-date": "Modified",
  "canonical-url": "Canonical URL",
  "final-url": "Final URL",
};

/** e.g. "moved to paragraph 4": where a paragraph shown as removed or added went or came from (1-based). */
export function moveNote(paragraph: ParagraphDiff): string | null {
  if (paragraph.op === "removed" && paragraph.movedTo !== undefined) return `moved to paragraph ${paragraph.movedTo + 1}`;
  if (paragraph.op === "added" && paragraph.movedFrom !== undefined) return `moved from paragraph ${paragraph.movedFrom + 1}`;
  return null;
}

/** e.g. "Significance 0.42 · body, numbers-changed, stealth-edit". */
export const diffLabels = (diff: VersionDiff): string => `Significance ${diff.significance.toFixed(2)} · ${diff.kinds.join(", ")}`;

/**
 * Ranges [start, end) of `items` around each change, with `context` unchanged items either side,
 * merged when they touch: the hunks of a unified diff, or what a compact redline shows.
 */
export function changeRanges<T>(items: readonly T[], isChange: (item: T) => boolean, context: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  items.forEach((item, index) => {
    if (!isChange(item)) return;
    const start = Math.max(0, index - context);
    const end = Math.min(items.length, index + 1 + context);
    const last = ranges.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
  });
  return ranges;
}
