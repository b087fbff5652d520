/**
 * The article links of a section or home page (a `page` source): read from the page's listing,
 * not from its navigation, header, footer, sidebars, "most read" boxes, pagination or share
 * links. A site's link profile (profiles.ts) says which addresses are its articles and where its
 * listing sits; other sites go through the generic rule (generic.ts). Pure and synchronous.
 */
import { isFurnitureLandmark, isNeverText, nameWords } from "../../extraction/boilerplate";
import { parseMachineDate, parseHumanDate } from "../../extraction/dates";
import { type DocumentNode, type ElementNode, isAncestor, parseHtml, textContent } from "../../extraction/html";
import { profileFor } from "../../extraction/profiles";
import { type CompiledSelector, compileSelector, matches, selectAll } from "../../extraction/selector";
import { normalizeText } from "../../extraction/text";
import { Vocabulary } from "../../extraction/vocabulary";
import type { DiscoveredEntry } from "../model";
import {
  hasFurnitureRole,
  hasListingFurnitureName,
  isArticleUrl,
  isFurnitureHeading,
  isSameSite,
} from "./generic";
import { type LinkProfile, linkProfileFor } from "./profiles";

export { LINK_PROFILES, type LinkProfile, linkProfileFor } from "./profiles";

/**
 * The article links of the page at `pageUrl` (absolute; anything else lists nothing), read with
 * its host's link profile when it has one.
 */
export function sectionPageEntries(html: string, pageUrl: string): DiscoveredEntry[] {
  let host: string;
  try {
    host = new URL(pageUrl).hostname;
  } catch {
    return [];
  }
  return readSectionPage(html, pageUrl, linkProfileFor(host));
}

/**
 * The article links of the section page at `pageUrl` (absolute) read with `profile`, or with the
 * generic rule when it is null (the measurement compares both): in page order, one entry per URL
 * (fragment dropped), titled by the first occurrence that has text, with the teaser and date
 * printed in the first of its story cards that has them.
 */
export function readSectionPage(html: string, pageUrl: string, profile: LinkProfile | null): DiscoveredEntry[] {
  const page = new URL(pageUrl);
  page.hash = "";
  const document = parseHtml(html);
  const base = baseUrl(document, page);
  const regions = new Regions(document, profile);
  const links: { anchor: ElementNode; url: string }[] = [];
  for (const anchor of document.elementsByTag("a")) {
    const url = articleUrl(anchor.getAttribute("href"), base, page, profile);
    if (url !== null && regions.isListing(anchor)) links.push({ anchor, url });
  }
  const cards = new Cards(document, links);
  const timeZone = profileFor(page.href)?.timeZone ?? null;
  const entries = new Map<string, DiscoveredEntry>();
  for (const { anchor, url } of links) {
    const entry = entries.get(url);
    if (entry === undefined) {
      entries.set(url, { url, title: linkTitle(anchor), summary: null, publishedAt: null, updatedAt: null });
    } else if (entry.title === null) {
      entry.title = linkTitle(anchor);
    }
  }
  for (const { anchor, url } of links) {
    const entry = entries.get(url);
    if (!entry) continue;
    const card = cards.cardOf(anchor, url);
    entry.summary ??= teaser(card, entry.title);
    entry.publishedAt ??= printedDate(card, timeZone);
  }
  return [...entries.values()];
}

/** `<base href>` when the page sets one (relative links resolve against it), else the page's URL. */
function baseUrl(document: DocumentNode, page: URL): URL {
  const href = document.elementsByTag("base")[0]?.getAttribute("href");
  if (href === undefined) return page;
  try {
    return new URL(href, page);
  } catch {
    return page;
  }
}

/** The absolute, fragment-less URL of a link to one of the site's articles, or null. */
function articleUrl(href: string | undefined, base: URL, page: URL, profile: LinkProfile | null): string | null {
  const trimmed = href?.trim();
  if (!trimmed || trimmed.startsWith("#")) return null;
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch {
    return null;
  }
  // javascript:, mailto:, tel:, data: and every other scheme are never articles.
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  url.hash = "";
  if (url.href === page.href || !isSameSite(url, page)) return null;
  const isArticle = profile ? profile.article.test(url.pathname + url.search) : isArticleUrl(url);
  return isArticle ? url.href : null;
}

/**
 * Which elements are the page's listing. Verdicts are kept per element (by its document-order
 * number), so each ancestor chain is judged once however many links share it.
 */
class Regions {
  private readonly verdicts: Uint8Array;
  /** Links under each element: a furniture-named wrapper holding most of the page's links is the page, not furniture. */
  private readonly linksUnder: Uint32Array;
  private readonly totalLinks: number;
  private readonly containers: readonly ElementNode[] | null;
  private readonly exclude: CompiledSelector | null;

  constructor(document: DocumentNode, profile: LinkProfile | null) {
    this.verdicts = new Uint8Array(document.elementCount);
    this.linksUnder = new Uint32Array(document.elementCount);
    const anchors = document.elementsByTag("a");
    this.totalLinks = anchors.length;
    for (const anchor of anchors) {
      for (let node: ElementNode | null = anchor; node; node = node.parent) {
        this.linksUnder[node.index] = (this.linksUnder[node.index] ?? 0) + 1;
      }
    }
    const containers = profile?.container ? selectAll(document, profile.container) : [];
    // A profile's container that matches nothing (a redesign) leaves the whole page to read.
    this.containers = containers.length > 0 ? containers : null;
    this.exclude = profile?.exclude ? compileSelector(profile.exclude) : null;
  }

  isListing(anchor: ElementNode): boolean {
    if (this.containers && !this.containers.some((container) => isAncestor(container, anchor))) return false;
    return !this.isFurniture(anchor);
  }

  /** Whether `element` or an ancestor is furniture (verdicts: 0 unknown, 1 furniture, 2 not). */
  private isFurniture(element: ElementNode): boolean {
    const known = this.verdicts[element.index];
    if (known) return known === 1;
    const furniture = this.isFurnitureItself(element) || (element.parent !== null && this.isFurniture(element.parent));
    this.verdicts[element.index] = furniture ? 1 : 2;
    return furniture;
  }

  private isFurnitureItself(element: ElementNode): boolean {
    // Story cards wrap their photo link in <figure>; extraction skips figures, a listing does not.
    if (element.tag !== "figure" && element.tag !== "img" && isNeverText(element)) return true;
    if (isFurnitureLandmark(element) || hasFurnitureRole(element) || isPageHeader(element)) return true;
    if (this.exclude && matches(element, this.exclude)) return true;
    if (element.tag === "a" && hasRel(element, ["tag", "author", "category"])) return true;
    // A wrapper named for furniture (`main-content has-sidebar`) that holds most links is the page.
    if ((this.linksUnder[element.index] ?? 0) * 2 > this.totalLinks) return false;
    return hasListingFurnitureName(element) || hasFurnitureHeading(element);
  }
}

function hasRel(anchor: ElementNode, values: readonly string[]): boolean {
  const tokens = (anchor.getAttribute("rel") ?? "").toLowerCase().split(/\s+/);
  return values.some((value) => tokens.includes(value));
}

/** Elements a page header may not be inside: those are a story card's own header. */
const STORY_CONTAINERS = new Set(["article", "main", "section", "li"]);

/** The site's `<header>` (logo, sections, login), as opposed to a story card's `<header>`. */
function isPageHeader(element: ElementNode): boolean {
  if (element.tag !== "header") return false;
  for (let node = element.parent; node; node = node.parent) {
    if (STORY_CONTAINERS.has(node.tag)) return false;
  }
  return true;
}

const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
const BOX_TAGS = new Set(["div", "section", "aside", "ul", "ol", "table", "td"]);
const BOLD_TAGS = new Set(["b", "strong"]);
/** How far into a box its title is looked for: elements visited before giving up. */
const HEADING_SEARCH_ELEMENTS = 40;

/** A box titled "Most read", "Trending", "Related stories"…: other stories than the listing's. */
function hasFurnitureHeading(element: ElementNode): boolean {
  if (!BOX_TAGS.has(element.tag)) return false;
  const heading = openingHeading(element);
  return heading !== null && isFurnitureHeading(normalizeText(textContent(heading)));
}

/**
 * The box's title: its first heading, or bold line (`<td><b>Most Read</b></td>` in table
 * layouts), when that comes before the box's first link.
 */
function openingHeading(box: ElementNode): ElementNode | null {
  let visited = 0;
  let found: ElementNode | null = null;
  const visit = (element: ElementNode): boolean => {
    for (const child of element.children) {
      if (child.kind !== "element") continue;
      if (child.tag === "a" || ++visited > HEADING_SEARCH_ELEMENTS) return false;
      if (HEADINGS.has(child.tag) || BOLD_TAGS.has(child.tag)) {
        found = child;
        return false;
      }
      if (!visit(child)) return false;
    }
    return true;
  };
  visit(box);
  return found;
}

/** Never widened into: a card stops below the page's own wrappers. */
const PAGE_WRAPPERS = new Set(["#document", "html", "body", "main"]);
/**
 * Story cards are shallow (link, headline, card: The Standard's `li > h1 > a`); a page with one
 * story link would otherwise make its whole content that story's card.
 */
const MAX_CARD_LEVELS = 6;

/**
 * Story cards: the largest element around a link that holds links to that story only, so its
 * teaser and printed date are the story's and not a neighbour's.
 */
class Cards {
  /** Per element: the one article URL linked inside it, null when several, undefined when none. */
  private readonly owner: (string | null | undefined)[];

  constructor(document: DocumentNode, links: readonly { anchor: ElementNode; url: string }[]) {
    this.owner = new Array<string | null | undefined>(document.elementCount);
    for (const { anchor, url } of links) {
      for (let node: ElementNode | null = anchor; node; node = node.parent) {
        const owner = this.owner[node.index];
        // Ancestors of an element already owned by this URL, or by several, are settled.
        if (owner === url || owner === null) break;
        this.owner[node.index] = owner === undefined ? url : null;
      }
    }
  }

  cardOf(anchor: ElementNode, url: string): ElementNode {
    let card = anchor;
    for (let level = 0; level < MAX_CARD_LEVELS; level++) {
      const parent = card.parent;
      if (!parent || PAGE_WRAPPERS.has(parent.tag) || this.owner[parent.index] !== url) break;
      card = parent;
    }
    return card;
  }
}

function linkTitle(anchor: ElementNode): string | null {
  // A card-wide link holds the headline and the teaser: its heading is the title.
  const heading = firstElement(anchor, (element) => HEADINGS.has(element.tag));
  const text = normalizeText(textContent(heading ?? anchor));
  if (text) return text;
  const image = firstElement(anchor, (element) => element.tag === "img" && Boolean(element.getAttribute("alt")?.trim()));
  for (const label of [anchor.getAttribute("title"), image?.getAttribute("alt"), anchor.getAttribute("aria-label")]) {
    const value = normalizeText(label ?? "");
    if (value) return value;
  }
  return null;
}

function firstElement(root: ElementNode, predicate: (element: ElementNode) => boolean): ElementNode | null {
  for (const child of root.children) {
    if (child.kind !== "element") continue;
    if (predicate(child)) return child;
    const found = firstElement(child, predicate);
    if (found) return found;
  }
  return null;
}

function everyElement(root: ElementNode, visit: (element: ElementNode) => void): void {
  for (const child of root.children) {
    if (child.kind !== "element") continue;
    visit(child);
    everyElement(child, visit);
  }
}

/** Class and id words of a story card's teaser ("dek", "standfirst", "summary"…). */
const TEASER_WORDS = new Vocabulary([
  "summary", "teaser", "dek", "standfirst", "excerpt", "description", "desc", "intro", "lede", "abstract", "blurb", "snippet",
]);
const MIN_TEASER_CHARACTERS = 25;
/** A printed date is a short line: "7 Aug 2020 3:48 pm", "Posted on : 2019-11-20 17:44 KST". */
const MAX_DATE_LINE_CHARACTERS = 40;

/** The teaser printed beside the link in its card: a paragraph or a teaser-named element that is not the headline. */
function teaser(card: ElementNode, title: string | null): string | null {
  let found: string | null = null;
  everyElement(card, (element) => {
    if (found !== null || HEADINGS.has(element.tag)) return;
    if (element.tag !== "p" && !nameWords(element, TEASER_WORDS).some((word) => word !== undefined)) return;
    const text = normalizeText(textContent(element));
    if (text.length < MIN_TEASER_CHARACTERS || (title !== null && (title.includes(text) || text.includes(title)))) return;
    if (text.length <= MAX_DATE_LINE_CHARACTERS && parseHumanDate(text, null) !== null) return;
    found = text;
  });
  return found;
}

/** The date printed in the card: a `<time>`, else a short line that reads as a date. */
function printedDate(card: ElementNode, timeZone: string | null): string | null {
  const time = card.tag === "time" ? card : firstElement(card, (element) => element.tag === "time");
  if (time) {
    const stamp = time.getAttribute("datetime");
    const parsed = (stamp ? parseMachineDate(stamp, timeZone) : null) ?? parseHumanDate(normalizeText(textContent(time)), timeZone);
    if (parsed) return parsed;
  }
  let found: string | null = null;
  everyElement(card, (element) => {
    if (found !== null || HEADINGS.has(element.tag) || element.tag === "a") return;
    if (element.children.some((child) => child.kind === "element")) return;
    const text = normalizeText(textContent(element));
    if (text.length > 0 && text.length <= MAX_DATE_LINE_CHARACTERS) found = parseHumanDate(text, timeZone);
  });
  return found;
}
