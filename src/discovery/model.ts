/**
 * Discovery's values (issue 14): sources that find articles (feeds, sitemaps, section pages),
 * the entries they list, and why an entry was not tracked. Pure types: no KV, D1 or HTTP.
 */

/** What a source is read as. Detected from the body when `POST /api/sources` gives none. */
export const SOURCE_TYPES = ["rss", "atom", "jsonfeed", "sitemap", "news-sitemap", "page"] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** `failing`: its last check failed (`lastError` says why), checked again with back-off. `paused`: not checked. */
export type SourceStatus = "active" | "failing" | "paused";

/** Which entries of a source become tracked articles. Every field optional; an empty filter takes every entry. */
export interface SourceFilter {
  /** URLPattern strings (absolute, or a pathname pattern matched on the entry URL's own origin); an entry must match one. */
  include?: string[];
  /** URLPattern strings; an entry matching any is skipped. */
  exclude?: string[];
  /** Any one of them in the entry's title or summary, case- and width-insensitive (NFKC, Korean included). */
  keywords?: string[];
  /** Skip entries whose own date (published, else updated) is more than this many days old. */
  maxAgeDays?: number;
}

/** One entry a source lists: a link to a candidate article. */
export interface DiscoveredEntry {
  /** Absolute URL as the source gives it (resolved against the source URL), before normalisation. */
  url: string;
  title: string | null;
  summary: string | null;
  /** ISO 8601: the entry's own publication date (news:publication_date, pubDate, published, date_published). */
  publishedAt: string | null;
  /** ISO 8601: updated / lastmod / dc:date, when given. */
  updatedAt: string | null;
}

/** Why an entry was not tracked; every skipped entry carries one (`POST /api/sources/:id/check`'s `skipped`). */
export type SkipReason =
  | "excluded" // matched an `exclude` pattern
  | "not-included" // matched no `include` pattern
  | "no-keyword" // none of the `keywords` in its title or summary
  | "too-old" // older than `maxAgeDays`
  | "no-date" // `maxAgeDays` is set and the entry has no date of its own
  | "duplicate" // the same URL earlier in the same source
  | "refused-url" // not http(s), private or special-purpose address, malformed (the detail says which)
  | "robots" // the host's robots.txt disallows it
  | "capture-failed" // its first capture failed (the detail says why); tried again on a later check
  | "over-limit"; // past the per-check limit: left for the next check

export interface SkippedEntry {
  url: string;
  reason: SkipReason;
  /** A sentence for people: which pattern, which rule, what the capture answered. */
  detail?: string;
}

/**
 * A source's body read as its type: its entries newest first (undated entries after dated ones,
 * in document order), and what else the format says. `page` sources have no hub or children.
 */
export interface ParsedSource {
  type: SourceType;
  title: string | null;
  entries: DiscoveredEntry[];
  /** A sitemap index's child sitemaps (absolute URLs), to be read in turn within a bound. */
  childSitemaps: string[];
  /** WebSub: `<link rel="hub">` and `<link rel="self">` (or JSON Feed `hubs`), when advertised. */
  hub: string | null;
  self: string | null;
}

/** A body that cannot be read as a source (malformed XML, HTML where a feed was expected, entity declarations…). */
export type ParseOutcome = ({ ok: true } & ParsedSource) | { ok: false; error: string };
