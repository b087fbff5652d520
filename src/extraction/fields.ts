/**
 * Title, byline and timestamps, each from the most trustworthy source the page offers.
 */
import { isUnrendered } from "./boilerplate";
import { cleanByline } from "./byline";
import { parseHumanDate, parseMachineDate } from "./dates";
import { type DocumentNode, type ElementNode, isWithin, textContent } from "./html";
import { type JsonObject, type PageMetadata, hasJsonLdType, jsonText } from "./metadata";
import type { SiteProfile, VisibleDateRule } from "./profiles";
import { compileSelector, matches, selectAll, selectFirst } from "./selector";
import { normalizeText } from "./text";

/** Everything the byline and date readers need about one page. */
export interface PageContext {
  root: DocumentNode;
  metadata: PageMetadata;
  profile: SiteProfile | null;
  /** "By …" lines found among the story's paragraphs. */
  bylineLines: readonly string[];
}

const isRendered = (element: ElementNode): boolean => !isWithin(element, isUnrendered);

/**
 * The first non-null `read` of the text of a rendered element matching `selector`, trying the
 * matches in document order.
 */
function firstVisible(root: DocumentNode, selector: string, read: (text: string) => string | null): string | null {
  let value: string | null = null;
  selectFirst(
    root,
    selector,
    (element) => {
      value = read(normalizeText(textContent(element)));
      return value !== null;
    },
    isUnrendered,
  );
  return value;
}

/** Text of the first rendered element matching `selector` that has any text. */
const firstVisibleText = (root: DocumentNode, selector: string): string | null =>
  firstVisible(root, selector, (text) => text || null);

function firstMeta(metadata: PageMetadata, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = normalizeText(metadata.metas.get(key) ?? "");
    if (value) return value;
  }
  return null;
}

// ---- Title -------------------------------------------------------------------------------

const TITLE_SEPARATORS = [" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » "];

/** "Headline | Yonhap News Agency" → "Headline" when the other part is one of the site's names. */
function withoutSiteName(title: string, siteNames: readonly string[]): string {
  const lowerTitle = title.toLowerCase();
  for (const siteName of siteNames) {
    const lowerSite = siteName.toLowerCase();
    for (const separator of TITLE_SEPARATORS) {
      if (lowerTitle.endsWith(`${separator}${lowerSite}`)) {
        return title.slice(0, title.length - separator.length - siteName.length).trim();
      }
      if (lowerTitle.startsWith(`${lowerSite}${separator}`)) {
        return title.slice(siteName.length + separator.length).trim();
      }
    }
  }
  return title;
}

/**
 * The visible headline when the profile names it; otherwise the declared headline (JSON-LD,
 * Open Graph, `<title>`) without the site's name — or the page's `<h1>` when the declared title is
 * that `<h1>` plus some suffix we could not attribute to the site.
 */
export function readTitle(
  root: DocumentNode,
  metadata: PageMetadata,
  profile: SiteProfile | null,
): string {
  const visible = profile?.title ? firstVisibleText(root, profile.title) : null;
  if (visible) return visible;
  const headline = firstVisibleText(root, "h1");
  const declared =
    jsonText(metadata.jsonLdArticle?.["headline"]) ??
    firstMeta(metadata, ["og:title", "twitter:title"]) ??
    (metadata.documentTitle || null);
  if (!declared) return headline ?? "";
  const title = withoutSiteName(declared, metadata.siteNames);
  if (headline && title !== headline && (title.startsWith(headline) || tellsTheSameStory(headline, title))) {
    return headline;
  }
  return title;
}

/** Share of the `<h1>`'s words the declared title must contain for the `<h1>` to be the headline. */
const MIN_HEADLINE_WORDS_IN_DECLARED_TITLE = 0.5;
/** Longer `<h1>`s are intros or whole sentences, not headlines. */
const MAX_HEADLINE_WORDS = 30;

/**
 * Whether the visible `<h1>` is a wording of the declared title (SEO titles are often reworded:
 * "Best Movers in NYC 2025 | Top 19 Companies" for the `<h1>` "Best Residential Movers in NYC
 * 2025"), rather than a logo, a section name or an unrelated heading. Readers see the `<h1>`.
 */
function tellsTheSameStory(headline: string, declared: string): boolean {
  const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const headlineWords = words(headline);
  if (headlineWords.length < 2 || headlineWords.length > MAX_HEADLINE_WORDS) return false;
  const declaredWords = new Set(words(declared));
  const shared = headlineWords.filter((word) => declaredWords.has(word)).length;
  return shared >= headlineWords.length * MIN_HEADLINE_WORDS_IN_DECLARED_TITLE;
}

// ---- Byline ------------------------------------------------------------------------------

const ORGANIZATION_TYPES = new Set(["Organization", "NewsMediaOrganization", "Corporation"]);
const AUTHOR_METAS = [
  "author", "article:author", "dc.creator", "dcterms.creator", "byl", "parsely-author", "sailthru.author",
];
/** Links to a writer's page ("/author/jane-doe", "/authors/…"): the visible byline on many blogs. */
const AUTHOR_PAGE_LINK = /\/(?:authors?|writers?|contributors?)\/[^/?#]+/i;
const MAX_AUTHOR_LINK_WORDS = 5;

/**
 * Only links in the story's own frame count: a "recent posts" widget lists other writers, and its
 * churn must not read as a byline change.
 */
function isInStoryFrame(element: ElementNode): boolean {
  let framed = false;
  for (let node = element.parent; node; node = node.parent) {
    if (node.tag === "li") return false;
    if (node.tag === "article" || node.tag === "main" || node.tag === "header") framed = true;
  }
  return framed;
}

function authorPageLinkText(root: DocumentNode): string | null {
  let text: string | null = null;
  root.elementsByTag("a").find((element) => {
    if (!AUTHOR_PAGE_LINK.test(element.getAttribute("href") ?? "")) return false;
    const candidate = normalizeText(textContent(element));
    const words = candidate.split(" ").length;
    if (candidate === "" || words > MAX_AUTHOR_LINK_WORDS || !isInStoryFrame(element) || !isRendered(element)) {
      return false;
    }
    text = candidate;
    return true;
  });
  return text;
}
/** Visible bylines on pages without a profile: microdata, rel=author, or a byline-named element. */
const GENERIC_BYLINE_SELECTOR =
  "[itemprop=author], [rel=author], .byline, .author, .article-author, .author-name, .post-author, .entry-author, .byline-name, .article__author";

function jsonLdAuthorNames(value: JsonObject[string] | undefined): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap((item) => jsonLdAuthorNames(item));
  if (value && typeof value === "object" && !hasJsonLdType(value, ORGANIZATION_TYPES)) {
    const name = jsonText(value["name"]);
    return name ? [name] : [];
  }
  return [];
}

const isUrl = (candidate: string): boolean => /^(?:https?:)?\/\//i.test(candidate) || /^www\./i.test(candidate);

/** Whether the candidate is (part of) the site's own name: a credit to the publisher, not a person. */
function namesTheSite(candidate: string, metadata: PageMetadata): boolean {
  const lower = candidate.toLowerCase();
  return metadata.siteNames.some((siteName) => {
    const lowerSite = siteName.toLowerCase();
    return lowerSite.includes(lower) || lower.includes(lowerSite);
  });
}

export function readByline({ root, metadata, profile, bylineLines }: PageContext): string | null {
  // People are preferred. A story the page visibly credits only to the site ("By Podium
  // Staff") gets that credit when no source names anyone else; a site name found only in
  // metadata is a CMS default, not a byline readers see.
  let siteCredit: string | null = null;
  const asByline = (candidate: string | null | undefined, visible = true): string | null => {
    if (!candidate || isUrl(candidate)) return null;
    const byline = cleanByline(candidate);
    if (byline && (namesTheSite(candidate, metadata) || namesTheSite(byline, metadata))) {
      if (visible) siteCredit ??= byline;
      return null;
    }
    return byline;
  };
  // Most trustworthy first; each source is only read when the ones before it gave nothing.
  const sources: (() => string | null)[] = [
    () => (profile?.byline ? asByline(firstVisibleText(root, profile.byline)) : null),
    () =>
      asByline(
        jsonLdAuthorNames(metadata.jsonLdArticle?.["author"])
          .filter((name) => !namesTheSite(name, metadata))
          .join(", "),
        false,
      ),
    () => asByline(bylineLines[0]),
    () => asByline(firstMeta(metadata, AUTHOR_METAS), false),
    // Every match in turn: the first often holds more than the name (an author box with a
    // bio), and a later one, such as the rel=author link inside it, just the name.
    () => firstVisible(root, GENERIC_BYLINE_SELECTOR, asByline),
    () => asByline(authorPageLinkText(root)),
  ];
  for (const source of sources) {
    const byline = source();
    if (byline) return byline;
  }
  return siteCredit;
}

// ---- Timestamps --------------------------------------------------------------------------

interface DateSources {
  jsonLdKey: string;
  /** Meta keys, most specific first: `article:*` before the looser conventions. */
  metaKeys: readonly string[];
  /** `<time>` elements that state this date, most explicit first. */
  timeSelectors: readonly string[];
  visibleRule: (profile: SiteProfile) => VisibleDateRule | undefined;
}

const PUBLISHED: DateSources = {
  jsonLdKey: "datePublished",
  metaKeys: [
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "parsely-pub-date", "sailthru.date", "dc.date", "dcterms.created", "date",
  ],
  timeSelectors: ["time[itemprop=datePublished]", "time[pubdate]", "time[datetime]"],
  visibleRule: (profile) => profile.published,
};

const MODIFIED: DateSources = {
  jsonLdKey: "dateModified",
  metaKeys: [
    "article:modified_time", "og:updated_time", "datemodified", "last-modified", "lastmod",
    "dcterms.modified",
  ],
  timeSelectors: ["time[itemprop=dateModified]", "time.updated", "time.modified"],
  visibleRule: (profile) => profile.modified,
};

function readVisibleDate(root: DocumentNode, rule: VisibleDateRule, timeZone: string): string | null {
  for (const element of selectAll(root, rule.selector)) {
    const machineValue = element.getAttribute("datetime");
    if (machineValue && !rule.label) {
      const parsed = parseMachineDate(machineValue, timeZone);
      if (parsed) return parsed;
    }
    const text = normalizeText(textContent(element));
    const label = rule.label ?? "";
    const labelAt = text.toLowerCase().indexOf(label.toLowerCase());
    if (labelAt < 0) continue;
    const parsed = parseHumanDate(text.slice(labelAt + label.length), timeZone);
    if (parsed) return parsed;
  }
  return null;
}

function readDate(
  { root, metadata, profile }: PageContext,
  sources: DateSources,
): string | null {
  const timeZone = profile?.timeZone ?? null;
  const machineValues = [
    jsonText(metadata.jsonLdArticle?.[sources.jsonLdKey]),
    ...sources.metaKeys.map((key) => metadata.metas.get(key)),
    ...sources.timeSelectors.map((selector) => {
      const compiled = compileSelector(selector);
      return metadata.timeElements.find((time) => matches(time, compiled) && isRendered(time))
        ?.getAttribute("datetime");
    }),
  ];
  for (const value of machineValues) {
    const parsed = value ? parseMachineDate(value, timeZone) : null;
    if (parsed) return parsed;
  }
  const rule = profile ? sources.visibleRule(profile) : undefined;
  return profile && rule ? readVisibleDate(root, rule, profile.timeZone) : null;
}

export const readPublishedAt = (page: PageContext): string | null => readDate(page, PUBLISHED);
export const readModifiedAt = (page: PageContext): string | null => readDate(page, MODIFIED);
