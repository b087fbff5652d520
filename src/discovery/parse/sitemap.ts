/**
 * Sitemaps (sitemaps.org `urlset` and `sitemapindex`) and Google News sitemaps (`news:news` with
 * `news:publication_date` and `news:title`), read by fast-xml-parser, and the bound on following
 * an index's child sitemaps.
 */
import { decodeXML } from "entities/decode";
import { XMLParser } from "fast-xml-parser";
import type { DiscoveredEntry } from "../model";
import { absoluteUrl, isoDate, MAX_TITLE_CHARS, newestFirst, plainText } from "./values";

/** How many sitemaps one check reads in all, an index and the children it names included. */
export const MAX_CHILD_SITEMAPS = 50;

const parser = new XMLParser({
  ignoreAttributes: true,
  // Prefixes vary (`news:`, `n:`); the element names under <url> do not collide without them.
  removeNSPrefix: true,
  // Never expand entities, not even from a DOCTYPE placed past the prolog where the refusal does
  // not look: text is decoded by textOf, predefined and numeric references only (as feedsmith does).
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, jpath) => jpath === "urlset.url" || jpath === "sitemapindex.sitemap",
});

/** An element's decoded text, whether fast-xml-parser gave it as a string or as `{ "#text": … }`. */
function textOf(value: unknown): string | null {
  if (typeof value === "string") return decodeXML(value).trim() || null;
  if (value && typeof value === "object" && "#text" in value) return textOf((value as { "#text": unknown })["#text"]);
  return null;
}

/** The first of an element that a sloppy sitemap repeats. */
function first(value: unknown): Record<string, unknown> | null {
  const one = Array.isArray(value) ? value[0] : value;
  return one && typeof one === "object" ? (one as Record<string, unknown>) : null;
}

export interface SitemapFields {
  entries: DiscoveredEntry[];
  childSitemaps: string[];
  /** Whether any `<url>` carries a `news:news` element (a Google News sitemap). */
  hasNews: boolean;
}

/** A well-formed `urlset` or `sitemapindex` body read; links resolved against `base`, entries newest first. */
export function readSitemap(text: string, base: string): SitemapFields {
  const document = parser.parse(text) as Record<string, unknown>;
  const index = first(document["sitemapindex"]);
  if (index) {
    const children = (index["sitemap"] as unknown[] | undefined) ?? [];
    const childSitemaps = children.flatMap((child) => {
      const loc = textOf(first(child)?.["loc"]);
      return loc ? [absoluteUrl(loc, base)] : [];
    });
    return { entries: [], childSitemaps, hasNews: false };
  }
  const urls = (first(document["urlset"])?.["url"] as unknown[] | undefined) ?? [];
  let hasNews = false;
  const entries = urls.flatMap((url): DiscoveredEntry[] => {
    const fields = first(url);
    const loc = textOf(fields?.["loc"]);
    if (!fields || !loc) return [];
    const news = first(fields["news"]);
    if (news) hasNews = true;
    return [
      {
        url: absoluteUrl(loc, base),
        title: plainText(textOf(news?.["title"]), false, MAX_TITLE_CHARS),
        summary: null,
        publishedAt: isoDate(textOf(news?.["publication_date"])),
        updatedAt: isoDate(textOf(fields["lastmod"])),
      },
    ];
  });
  return { entries: newestFirst(entries), childSitemaps: [], hasNews };
}

/**
 * The child sitemaps to read next: `children` without those already `visited` (the index itself
 * among them, so an index naming itself stops), without repeats or URLs that do not parse
 * (compared without their fragment), and no more than `bound` sitemaps read in all.
 */
export function nextSitemaps(visited: ReadonlySet<string>, children: readonly string[], bound: number): string[] {
  const seen = new Set<string>();
  for (const url of visited) seen.add(withoutFragment(url) ?? url);
  const next: string[] = [];
  for (const child of children) {
    if (visited.size + next.length >= bound) break;
    const url = withoutFragment(child);
    if (url === null || seen.has(url)) continue;
    seen.add(url);
    next.push(url);
  }
  return next;
}

function withoutFragment(url: string): string | null {
  try {
    const parsed = new URL(url);
    parsed.hash = "";
    return parsed.href;
  } catch {
    return null;
  }
}
