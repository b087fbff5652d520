/**
 * A source's body read as its type (issue 14): feeds by feedsmith, sitemaps by fast-xml-parser,
 * section pages by the link reader (../links). Pure: bytes and their URL in, a ParseOutcome out;
 * nothing is fetched (external entities and DTDs included) and nothing throws for bad input.
 */
import { decodeBody, decodeXmlBody } from "../../fetching/charset";
import { sectionPageEntries } from "../links";
import type { ParseOutcome, SourceType } from "../model";
import { readJsonFeed, readXmlFeed } from "./feeds";
import { readSitemap } from "./sitemap";
import { isoDate, MAX_TITLE_CHARS, newestFirst, plainText } from "./values";
import { entityRefusal, localName, malformation, rootElement } from "./xml";

export { MAX_CHILD_SITEMAPS, nextSitemaps } from "./sitemap";
export { type OpmlOutcome, type OpmlOutline, parseOpml, renderOpml } from "./opml";

export interface SourceMeta {
  url: string;
  /** The response's Content-Type: its charset decodes the body; `html` in it marks a page. */
  contentType: string | null;
  /** The type the source was registered with; absent: detect it from the body. */
  type?: SourceType;
}

/** Each type as an error message names it. */
const NAMES: Record<SourceType, string> = {
  rss: "an RSS feed",
  atom: "an Atom feed",
  jsonfeed: "a JSON Feed",
  sitemap: "a sitemap",
  "news-sitemap": "a Google News sitemap",
  page: "an HTML page",
};

const FEED_TYPES: readonly SourceType[] = ["rss", "atom", "jsonfeed"];
const SITEMAP_TYPES: readonly SourceType[] = ["sitemap", "news-sitemap"];

/** Which types a body of each kind may be read as: a feed of one format may have moved to another. */
function familyOf(type: SourceType): readonly SourceType[] {
  if (FEED_TYPES.includes(type)) return FEED_TYPES;
  return SITEMAP_TYPES.includes(type) ? SITEMAP_TYPES : ["page"];
}

const JSON_FEED_VERSION = /^https?:\/\/jsonfeed\.org\/version\/1(\.1)?\/?$/;

function fail(error: string): ParseOutcome {
  return { ok: false, error };
}

/** Null when a body that is `found` may be read for a source registered as `asked`, else why not. */
function mismatch(url: string, found: SourceType, asked: SourceType | undefined): string | null {
  if (asked === undefined || familyOf(asked).includes(found)) return null;
  return `${url} is ${NAMES[found]}, not ${NAMES[asked]}`;
}

function readJson(text: string, meta: SourceMeta): ParseOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`${meta.url} is not valid JSON (${(error as Error).message})`);
  }
  const version = json && typeof json === "object" ? (json as { version?: unknown }).version : undefined;
  if (typeof version !== "string" || !JSON_FEED_VERSION.test(version)) {
    return fail(`${meta.url} is JSON but not a JSON Feed: its "version" is not https://jsonfeed.org/version/1 or /1.1`);
  }
  const wrong = mismatch(meta.url, "jsonfeed", meta.type);
  if (wrong) return fail(wrong);
  try {
    return { ok: true, type: "jsonfeed", childSitemaps: [], ...readJsonFeed(json as object, meta.url) };
  } catch (error) {
    return fail(`${meta.url} could not be read as a JSON Feed: ${(error as Error).message}`);
  }
}

function readPage(body: Uint8Array, meta: SourceMeta): ParseOutcome {
  const wrong = mismatch(meta.url, "page", meta.type);
  if (wrong) return fail(wrong);
  // Pages declare their charset in <meta>, which XML decoding does not look at.
  const { text } = decodeBody(body, meta.contentType);
  // `[^<>]`: each try stops at the next tag, so a page of unclosed `<title`s is read in linear time.
  const title = /<title[^<>]*>([^<]*)<\/title/i.exec(text)?.[1];
  return {
    ok: true,
    type: "page",
    title: plainText(title, true, MAX_TITLE_CHARS),
    // Teaser dates come as the page prints them (local offsets, bare days): UTC like every other type's.
    entries: newestFirst(
      sectionPageEntries(text, meta.url).map((entry) => ({
        ...entry,
        publishedAt: isoDate(entry.publishedAt),
        updatedAt: isoDate(entry.updatedAt),
      })),
    ),
    childSitemaps: [],
    hub: null,
    self: null,
  };
}

function isHtml(text: string, root: string | null, contentType: string | null): boolean {
  if (root?.toLowerCase() === "html" || /<!doctype\s+html[\s>]/i.test(text.slice(0, 1024))) return true;
  // A fragment served as HTML (`<div>…`, `<body>…`) is still a page.
  return root !== null && /html/i.test(contentType ?? "") && !XML_ROOTS.has(localName(root).toLowerCase());
}

/** Root elements this reader knows, by lower-case local name, with the type a body of each is. */
const XML_ROOTS = new Map<string, SourceType>([
  ["rss", "rss"],
  ["rdf", "rss"],
  ["feed", "atom"],
  ["urlset", "sitemap"],
  ["sitemapindex", "sitemap"],
]);

function readXml(text: string, meta: SourceMeta, root: string): ParseOutcome {
  const rootName = localName(root).toLowerCase();
  if (rootName === "opml") {
    return fail(`${meta.url} is an OPML subscription list, not a source: import it with POST /api/sources/opml`);
  }
  const found = XML_ROOTS.get(rootName);
  if (found === undefined) {
    return fail(`${meta.url} is XML whose root element <${root.slice(0, 100)}> is not a feed's or a sitemap's`);
  }
  const wrong = mismatch(meta.url, found, meta.type);
  if (wrong) return fail(wrong);
  const malformed = malformation(text);
  if (malformed) return fail(`${meta.url} ${malformed}`);
  // Well-formed XML can still defeat a parser (nesting deep enough to exhaust the stack): an error, not a crash.
  try {
    if (found === "sitemap") {
      const { entries, childSitemaps, hasNews } = readSitemap(text, meta.url);
      // A news sitemap lists only the last two days' stories and may be empty: the registered type stands.
      const type = meta.type ?? (hasNews ? "news-sitemap" : "sitemap");
      return { ok: true, type, title: null, entries, childSitemaps, hub: null, self: null };
    }
    const format = rootName === "feed" ? "atom" : rootName === "rdf" ? "rdf" : "rss";
    return { ok: true, type: found, childSitemaps: [], ...readXmlFeed(format, text, meta.url) };
  } catch (error) {
    return fail(`${meta.url} could not be read as ${NAMES[found]}: ${(error as Error).message}`);
  }
}

/**
 * `body`, fetched from `meta.url`, read as a source: entries newest first (undated last, in
 * document order), links absolute, titles and summaries plain text, dates ISO 8601. The body's
 * kind is detected (JSON Feed by its `version`, XML by its root element: rss, rdf:RDF, feed,
 * urlset, sitemapindex; HTML as a page) and must be of `meta.type`'s family when that is given
 * (feeds, sitemaps, pages). The outcome's type is the feed format the body is (a feed that moved
 * from RSS to Atom reads as Atom); a sitemap keeps its registered type, else is `news-sitemap`
 * when it has `news:news` entries. Bodies declaring XML entities are refused before parsing.
 */
export function parseSource(body: Uint8Array, meta: SourceMeta): ParseOutcome {
  const { text: decoded } = decodeXmlBody(body, meta.contentType);
  // Feeds with blank lines before `<?xml` are common; XML parsers reject them, readers do not.
  const text = decoded.trimStart();
  if (text === "") return fail(`${meta.url} answered an empty body`);
  if (text.startsWith("{") || text.startsWith("[")) return readJson(text, meta);
  const refused = entityRefusal(text);
  if (refused) return fail(`${meta.url} ${refused}`);
  const root = rootElement(text);
  if (isHtml(text, root, meta.contentType)) return readPage(body, meta);
  if (root === null) return fail(`${meta.url} is neither XML, JSON nor HTML: no element found`);
  return readXml(text, meta, root);
}
