/**
 * Feeds read by feedsmith (RSS 0.9x/2.0, RSS 1.0/RDF, Atom, JSON Feed 1.0 and 1.1) and mapped to
 * Discovery's entries. feedsmith decodes XML entities itself and never expands DOCTYPE entities
 * (fast-xml-parser runs with `processEntities: false` under it); the caller has refused bodies
 * that declare any before this point.
 */
import { parseAtomFeed, parseJsonFeed, parseRdfFeed, parseRssFeed } from "feedsmith";
import type { DiscoveredEntry, ParsedSource } from "../model";
import { absoluteUrl, isoDate, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, newestFirst, plainText } from "./values";

interface Link {
  href?: string;
  rel?: string;
  type?: string;
}

/** WebSub's `<atom:link rel="hub">` and `rel="self"`, resolved against the feed's URL. */
function webSubLinks(links: Link[] | undefined, base: string): Pick<ParsedSource, "hub" | "self"> {
  const href = (rel: string) => {
    const link = links?.find((candidate) => candidate.rel?.trim().toLowerCase() === rel && candidate.href);
    return link?.href ? absoluteUrl(link.href, base) : null;
  };
  return { hub: href("hub"), self: href("self") };
}

/** An Atom entry's page: its `alternate` link (the default rel), HTML first, else its first link. */
function atomEntryLink(links: Link[] | undefined): string | null {
  const alternates = (links ?? []).filter((link) => link.href && (!link.rel || link.rel === "alternate"));
  const chosen = alternates.find((link) => !link.type || link.type.includes("html")) ?? alternates[0] ?? links?.[0];
  return chosen?.href ?? null;
}

interface AtomText {
  value?: string;
  type?: string;
}

/** Atom text constructs say whether they are HTML (`type="html"` / `"xhtml"`); `text` is the default. */
function atomText(text: AtomText | undefined, limit: number): string | null {
  return plainText(text?.value, text?.type === "html" || text?.type === "xhtml", limit);
}

function entry(url: string | null | undefined, base: string, fields: Omit<DiscoveredEntry, "url">): DiscoveredEntry[] {
  // An entry without a link names no article: there is nothing to track or to report.
  return url && url.trim() !== "" ? [{ url: absoluteUrl(url, base), ...fields }] : [];
}

type FeedFields = Omit<ParsedSource, "type" | "childSitemaps">;

function readRss(text: string, base: string): FeedFields {
  const feed = parseRssFeed(text);
  const entries = (feed.items ?? []).flatMap((item) => {
    // RSS: a guid is the item's permalink unless it says isPermaLink="false".
    const permalink = item.guid && item.guid.isPermaLink !== false ? item.guid.value : undefined;
    return entry(item.link ?? permalink, base, {
      // RSS has no text type: titles and descriptions carry escaped HTML in practice.
      title: plainText(item.title, true, MAX_TITLE_CHARS),
      summary: plainText(item.description ?? item.content?.encoded, true, MAX_SUMMARY_CHARS),
      publishedAt: isoDate(item.pubDate),
      updatedAt: isoDate(item.atom?.updated ?? item.dc?.dates?.[0]),
    });
  });
  return { title: plainText(feed.title, true, MAX_TITLE_CHARS), entries, ...webSubLinks(feed.atom?.links, base) };
}

function readRdf(text: string, base: string): FeedFields {
  const feed = parseRdfFeed(text);
  const entries = (feed.items ?? []).flatMap((item) =>
    entry(item.link ?? item.rdf?.about, base, {
      title: plainText(item.title, true, MAX_TITLE_CHARS),
      summary: plainText(item.description ?? item.content?.encoded, true, MAX_SUMMARY_CHARS),
      publishedAt: null,
      updatedAt: isoDate(item.dc?.dates?.[0]),
    }),
  );
  return { title: plainText(feed.title, true, MAX_TITLE_CHARS), entries, ...webSubLinks(feed.atom?.links, base) };
}

function readAtom(text: string, base: string): FeedFields {
  const feed = parseAtomFeed(text);
  const entries = (feed.entries ?? []).flatMap((item) =>
    entry(atomEntryLink(item.links), base, {
      title: atomText(item.title, MAX_TITLE_CHARS),
      summary: atomText(item.summary ?? item.content, MAX_SUMMARY_CHARS),
      publishedAt: isoDate(item.published),
      updatedAt: isoDate(item.updated),
    }),
  );
  return { title: atomText(feed.title, MAX_TITLE_CHARS), entries, ...webSubLinks(feed.links, base) };
}

function readJson(json: object, base: string): FeedFields {
  const feed = parseJsonFeed(json);
  const entries = (feed.items ?? []).flatMap((item) =>
    entry(item.url ?? item.external_url, base, {
      // JSON Feed separates plain text (title, summary, content_text) from content_html.
      title: plainText(item.title, false, MAX_TITLE_CHARS),
      summary:
        plainText(item.summary ?? item.content_text, false, MAX_SUMMARY_CHARS) ??
        plainText(item.content_html, true, MAX_SUMMARY_CHARS),
      publishedAt: isoDate(item.date_published),
      updatedAt: isoDate(item.date_modified),
    }),
  );
  const hub = feed.hubs?.find((candidate) => candidate.type?.toLowerCase() === "websub") ?? feed.hubs?.[0];
  return {
    title: plainText(feed.title, false, MAX_TITLE_CHARS),
    entries,
    hub: hub?.url ? absoluteUrl(hub.url, base) : null,
    self: feed.feed_url ? absoluteUrl(feed.feed_url, base) : null,
  };
}

const XML_READERS = { rss: readRss, rdf: readRdf, atom: readAtom } as const;

/**
 * An XML feed read as `format`, entries newest first. Throws feedsmith's errors (DetectError,
 * MalformedError, ParseError) when it cannot; the caller words them.
 */
export function readXmlFeed(format: keyof typeof XML_READERS, text: string, base: string): FeedFields {
  const fields = XML_READERS[format](text, base);
  return { ...fields, entries: newestFirst(fields.entries) };
}

/** A parsed JSON Feed (1.0 or 1.1) read, entries newest first; throws as {@link readXmlFeed}. */
export function readJsonFeed(json: object, base: string): FeedFields {
  const fields = readJson(json, base);
  return { ...fields, entries: newestFirst(fields.entries) };
}
