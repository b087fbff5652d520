/**
 * Machine-readable facts a page states about itself: the JSON-LD article node and `<meta>` tags.
 */
import { decodeHTML } from "entities/decode";
import { type DocumentNode, type ElementNode, isJsonLdScript, textContent } from "./html";
import { normalizeText } from "./text";

type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** schema.org types whose node describes the story itself. */
const ARTICLE_TYPES = new Set([
  "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
  "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting", "Report",
]);

export interface PageMetadata {
  /** The first JSON-LD node of an article type, looking inside arrays and `@graph`. */
  jsonLdArticle: JsonObject | null;
  /** `<meta>` content keyed by lower-cased `property`, `name` or `itemprop`; the first one wins. */
  metas: ReadonlyMap<string, string>;
  documentTitle: string;
  /** Every `<time>` element, in document order. */
  timeElements: readonly ElementNode[];
  /** Names the site goes by (`og:site_name`, `application-name`), to tell it apart from people. */
  siteNames: readonly string[];
  /** `<link rel="canonical">`'s href, else `og:url`, as written (possibly relative). */
  canonicalHref: string | null;
}

const isJsonObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Publishers hand-write JSON-LD; raw newlines and tabs inside strings are the usual fault, and
 * replacing control characters with spaces is harmless outside strings.
 */
function parseJsonLoosely(source: string): JsonValue | undefined {
  for (const candidate of [source, source.replace(/[\u0000-\u001f]+/g, " ")]) {
    try {
      return JSON.parse(candidate) as JsonValue;
    } catch {
      // Try the repaired text next; a block that still fails is ignored.
    }
  }
  return undefined;
}

function* jsonLdNodes(value: JsonValue | undefined): Generator<JsonObject> {
  if (Array.isArray(value)) {
    for (const item of value) yield* jsonLdNodes(item);
  } else if (isJsonObject(value)) {
    yield value;
    yield* jsonLdNodes(value["@graph"]);
  }
}

export function hasJsonLdType(node: JsonObject, types: ReadonlySet<string>): boolean {
  const declared = node["@type"];
  const names = Array.isArray(declared) ? declared : [declared];
  return names.some((name) => typeof name === "string" && types.has(name));
}

function findJsonLdArticle(scripts: readonly ElementNode[]): JsonObject | null {
  for (const script of scripts) {
    for (const node of jsonLdNodes(parseJsonLoosely(textContent(script)))) {
      if (hasJsonLdType(node, ARTICLE_TYPES)) return node;
    }
  }
  return null;
}

/** A JSON-LD value as text: a string, or the first string of an array. */
export function jsonText(value: JsonValue | undefined): string | null {
  // Many CMSs write JSON-LD strings HTML-escaped ("Maria &amp; Katerina"); script text is not
  // entity-decoded by the parser, so decode here.
  if (typeof value === "string") return normalizeText(value.includes("&") ? decodeHTML(value) : value) || null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = jsonText(item);
      if (text) return text;
    }
  }
  return null;
}

function readMetas(metaElements: readonly ElementNode[]): Map<string, string> {
  const metas = new Map<string, string>();
  for (const meta of metaElements) {
    const content = meta.getAttribute("content");
    if (content === undefined) continue;
    for (const keyAttribute of ["property", "name", "itemprop"]) {
      const key = meta.getAttribute(keyAttribute)?.trim().toLowerCase();
      if (key && !metas.has(key)) metas.set(key, content);
    }
  }
  return metas;
}

export function readMetadata(root: DocumentNode): PageMetadata {
  const metas = readMetas(root.elementsByTag("meta"));
  const titleElement = root.elementsByTag("title")[0];
  const siteNames = ["og:site_name", "application-name", "twitter:site"]
    .map((key) => normalizeText(metas.get(key) ?? "").replace(/^@/, ""))
    .filter(Boolean);
  return {
    jsonLdArticle: findJsonLdArticle(root.elementsByTag("script").filter(isJsonLdScript)),
    metas,
    timeElements: root.elementsByTag("time"),
    documentTitle: titleElement ? normalizeText(textContent(titleElement)) : "",
    siteNames,
    canonicalHref: canonicalHref(root.elementsByTag("link"), metas),
  };
}

function canonicalHref(links: readonly ElementNode[], metas: ReadonlyMap<string, string>): string | null {
  const canonical = links.find((link) => link.getAttribute("rel")?.toLowerCase().split(/\s+/u).includes("canonical"));
  const href = canonical?.getAttribute("href")?.trim() || metas.get("og:url")?.trim();
  return href || null;
}
