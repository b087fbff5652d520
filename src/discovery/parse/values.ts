/**
 * The values every source format yields the same way: plain text from a feed's (often HTML)
 * title and description, ISO 8601 dates from RFC 822 / W3C dates, absolute entry links, and the
 * newest-first order of entries.
 */
import { decodeHTML } from "entities/decode";
import { parseMachineDate } from "../../extraction/dates";
import { normalizeText } from "../../extraction/text";
import type { DiscoveredEntry } from "../model";

/**
 * Titles and summaries are for people and for keyword filters; a feed that puts whole articles in
 * its descriptions would otherwise hold megabytes per check in memory.
 */
export const MAX_TITLE_CHARS = 500;
export const MAX_SUMMARY_CHARS = 2000;

/**
 * `value` as plain text: when it is HTML (RSS descriptions and titles, Atom `type="html"`), tags
 * become spaces and entities are decoded; whitespace is collapsed; cut at `limit`. Empty → null.
 * `<[^<>]*>` stops at the next `<`, so a body of unclosed `<`s is read in linear time.
 */
export function plainText(value: string | null | undefined, isHtml: boolean, limit: number): string | null {
  if (value === null || value === undefined) return null;
  const text = normalizeText(isHtml ? decodeHTML(value.replace(/<[^<>]*>/g, " ")) : value);
  if (text === "") return null;
  return text.length > limit ? text.slice(0, limit) : text;
}

/**
 * An entry's date as ISO 8601 in UTC (`2026-12-01T00:00:00.000Z`): RFC 822 (`pubDate`), W3C and
 * ISO dates, with or without a zone (UTC assumed without one). Unparseable → null.
 */
export function isoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const parsed = parseMachineDate(value, null);
  const ms = parsed === null ? NaN : Date.parse(parsed);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * `link` resolved against the source's URL. A link that cannot be resolved is kept as written, so
 * the caller's URL check skips it with its reason rather than the entry vanishing.
 */
export function absoluteUrl(link: string, base: string): string {
  const trimmed = link.trim();
  try {
    return new URL(trimmed, base).href;
  } catch {
    return trimmed;
  }
}

/** Newest first by the entry's own date (published, else updated); undated ones last, in document order. */
export function newestFirst(entries: DiscoveredEntry[]): DiscoveredEntry[] {
  // One Date.parse per entry, not per comparison; the index keeps the sort's order total.
  const keyed = entries.map((entry, index) => {
    const date = entry.publishedAt ?? entry.updatedAt;
    return { entry, index, ms: date === null ? -Infinity : Date.parse(date) };
  });
  keyed.sort((a, b) => (a.ms === b.ms ? a.index - b.index : a.ms > b.ms ? -1 : 1));
  return keyed.map(({ entry }) => entry);
}
