/** What every feed format is built from; the builders only choose the syntax. */
export interface FeedEntry {
  /** Stable for the life of the change, e.g. `urn:redline:change:3f2a9c0d1b7e4a55-2`. */
  id: string;
  title: string;
  summary: string;
  /** ISO 8601 UTC. */
  detectedAt: string;
  /** Absolute URL of the page that shows the change. */
  link: string;
  /** The tracked article's own URL. */
  articleUrl: string;
  kinds: string[];
  /** 0–1 (see src/diffing/significance.ts); null for changes recorded before it was scored. */
  significance: number | null;
  /** The redline of the edit as an HTML fragment; null where there is no pair of versions to compare. */
  contentHtml: string | null;
}

export interface Feed {
  id: string;
  title: string;
  description: string;
  /** Absolute URL of this feed document (`rel="self"`). */
  selfUrl: string;
  /** Absolute URL of the next (older) page, RFC 5005 `rel="next"`; null on the last page. */
  nextUrl: string | null;
  /** Absolute URL of the human-readable counterpart. */
  homeUrl: string;
  /** ISO 8601 UTC: the newest entry's time; the Unix epoch for a feed with no entries yet. */
  updated: string;
  entries: FeedEntry[];
}

export const FEED_FORMATS = {
  atom: "application/atom+xml; charset=utf-8",
  rss: "application/rss+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
} as const;
export type FeedFormat = keyof typeof FEED_FORMATS;
