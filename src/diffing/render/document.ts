import type { VersionDiff } from "../../model";

/** One side of a rendered diff: which version, when it was captured, and its headline then. */
export interface VersionLabel {
  n: number;
  capturedAt: string;
  title: string;
}

/** What every rendering of a diff receives: the diff model plus the two versions it compares. */
export interface DiffDocument {
  articleUrl: string;
  from: VersionLabel;
  to: VersionLabel;
  diff: VersionDiff;
}

/** Reader-facing names of the field kinds, shared by the text and HTML renderings. */
export const FIELD_LABELS = {
  title: "Headline",
  byline: "Byline",
  "published-date": "Published",
  "modified-date": "Modified",
} as const;
