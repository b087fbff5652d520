/**
 * The generic rule for section and home pages of hosts without a link profile: which links look
 * like articles, which sites count as the page's own, and which regions of a page are furniture
 * rather than its listing. Pure: strings, URLs and parsed elements in, verdicts out.
 */
import { nameWords } from "../../extraction/boilerplate";
import type { ElementNode } from "../../extraction/html";
import { Vocabulary } from "../../extraction/vocabulary";

/**
 * Public suffixes of two labels that the seed sites and most news hosts sit under. A registrable
 * domain is the last two labels of a host, or the last three under one of these: the full Public
 * Suffix List is 200 KB of data for a distinction (is a link on this site?) that these settle for
 * news sites; an unlisted two-label suffix makes every host under it one site, which only lets
 * more links through to the article test.
 */
const TWO_LABEL_SUFFIXES = new Set([
  "co.kr", "or.kr", "go.kr", "ne.kr", "re.kr", "ac.kr", "com.hk", "org.hk", "net.hk", "gov.hk", "edu.hk",
  "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.jp", "ne.jp", "or.jp",
  "com.cn", "com.tw", "com.sg", "co.nz", "co.in", "co.za", "com.br", "com.mx", "com.tr",
]);

export function registrableDomain(host: string): string {
  const lower = host.toLowerCase().replace(/\.$/, "");
  // IP addresses (and bracketed IPv6) are their own site.
  if (/^[\d.]+$/.test(lower) || lower.startsWith("[")) return lower;
  const labels = lower.split(".");
  const lastTwo = labels.slice(-2).join(".");
  return labels.slice(TWO_LABEL_SUFFIXES.has(lastTwo) ? -3 : -2).join(".");
}

export function isSameSite(a: URL, b: URL): boolean {
  // Most of a page's links stay on its own host: no need to work out the domain for those.
  return a.hostname === b.hostname || registrableDomain(a.hostname) === registrableDomain(b.hostname);
}

/** Path segments of pages that list or describe rather than report: never an article. */
const NON_ARTICLE_SEGMENTS = new Set([
  "tag", "tags", "topic", "topics", "category", "categories", "author", "authors", "contributor",
  "contributors", "profile", "profiles", "search", "login", "logout", "signin", "sign-in", "signup",
  "sign-up", "register", "subscribe", "subscriptions", "account", "newsletters", "feed", "feeds", "rss",
  "video-list", "video", "videos", "audio", "podcast", "podcasts", "gallery", "galleries", "photo-gallery", "trending", "page",
  "transcript", "transcripts", "series", "events", "forum", "forums", "comments", "discussion",
  "organization", "organizations", "brand", "brands", "list", "lists", "cdn-cgi",
]);

/** Files that are not web pages: media, documents, feeds, code. */
const NON_PAGE_EXTENSION = /\.(?:jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|mp[34]|m4[av]|mov|webm|ogg|wav|pdf|docx?|xlsx?|pptx?|zip|gz|xml|rss|atom|json|css|js|txt)$/i;

/** A run of five or more digits: a story's number (`/152604/`, `AEN20191119003900325`, `?id=111401`). */
const LONG_NUMBER = /(?:^|\D)\d{5,}(?:\D|$)/;
/** A date in the path: `/2019/11/19/`, `/2019/11/` followed by more, `2019-11-19`, `20191119`. */
const PATH_DATE =
  /(?:^|[^\d])(?:19|20)\d{2}(?:\/(?:0?[1-9]|1[0-2])\/(?:(?:0?[1-9]|[12]\d|3[01])(?:\/|$)|[^/]+)|-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))/;
/**
 * Words a slug needs besides joiners: `home-and-garden` is a section, `us-walks-out-of-talks` a
 * story; numbers count as words (`Wine-11.4-Released`, `best-4k-projectors`).
 */
const SLUG_JOINERS = new Set(["and", "or", "of", "the", "a", "an", "in", "on", "for", "to", "with"]);
const MIN_SLUG_WORDS = 3;
/** An opaque story id such as the BBC's `c05v28eqjyvo`: letters and at least two digits, 8–40 long. */
const OPAQUE_ID = /^(?=[a-z\d]*\d[a-z\d]*\d)(?=[a-z\d]*[a-z])[a-z\d]{8,40}$/i;
/** Segments that introduce a single story's id or slug: `/articles/<id>`, `/story/<slug>`. */
const STORY_SEGMENTS = new Set(["article", "articles", "story", "stories", "post", "posts"]);
const HAS_LETTER = /\p{L}/u;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function slugWords(segment: string): number {
  const stem = segment.replace(/\.(?:s?html?|php|aspx?|jsp)$/i, "");
  if (!HAS_LETTER.test(stem)) return 0;
  return stem.split(/[-_]+/).filter((word) => HAS_LETTER_OR_DIGIT.test(word) && !SLUG_JOINERS.has(word.toLowerCase())).length;
}

/**
 * Whether a same-site URL looks like a single story: a long number, a date, a slug of several
 * words or an opaque id in its path, or anything under `/article/` or `/story/` (or a long number in its query, as `story.php?id=111401`), and no segment or
 * extension of a listing, profile, search, login, feed or media file.
 */
export function isArticleUrl(url: URL): boolean {
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    path = url.pathname;
  }
  const segments = path.split("/").filter(Boolean);
  // `/features/2023/the-protein-problem/plant-based-meat/index.html`: the folder names the story.
  if (segments.length >= 2 && /^index\.\w+$/i.test(segments.at(-1) ?? "")) segments.pop();
  const last = segments.at(-1);
  if (last === undefined || NON_PAGE_EXTENSION.test(last)) return false;
  if (segments.some((segment) => NON_ARTICLE_SEGMENTS.has(segment.toLowerCase()))) return false;
  if (LONG_NUMBER.test(path) || PATH_DATE.test(path)) return true;
  if (slugWords(last) >= MIN_SLUG_WORDS || OPAQUE_ID.test(last)) return true;
  if (segments.length >= 2 && STORY_SEGMENTS.has(segments.at(-2)?.toLowerCase() ?? "")) return true;
  return [...url.searchParams.values()].some((value) => /^\d{5,}$/.test(value));
}

/**
 * Words in class and id names of regions that are not a page's listing: navigation, footers,
 * sidebars, pagination, sharing, sponsored and "most read" boxes, trending, tag clouds, login.
 * Narrower than extraction's boilerplate names: `caption`, `date`, `author` and `byline` name
 * parts of a listing's story cards (The Standard's list items are `li.caption`); `promo` is what
 * AP and others call every story card (`PagePromo`); and ad slots are left to the same-site and
 * article tests (their links go to advertisers and images), because `ad` also names wrappers of
 * listings (Wired's `hide-read-more-ad`, Al Jazeera's `container--section-more-ads`).
 */
const LISTING_FURNITURE_WORDS = new Set([
  "nav", "navbar", "navigation", "menu", "submenu", "megamenu", "footer", "sidebar", "breadcrumb",
  "breadcrumbs", "pagination", "pager", "paging", "share", "sharing", "social", "sns", "related",
  "recommend", "recommended", "recommendations", "newsletter", "subscribe", "subscription", "sponsor",
  "sponsored", "popular", "trending", "mostviewed", "mostread", "outbrain", "taboola", "tag", "tags",
  "tagcloud", "login", "signin", "account", "cookie", "consent", "modal", "popup", "toolbar", "masthead",
]);
const MOST_SECOND_WORDS = new Set(["viewed", "read", "popular", "shared", "commented", "watched"]);
const FURNITURE_NAME_WORDS = new Vocabulary([...LISTING_FURNITURE_WORDS, "most", ...MOST_SECOND_WORDS]);

/**
 * Never furniture by name, as in extraction: page-wide `<body>` classes name the site's
 * navigation, and WordPress gives every post's element (`<article>`, or an `<li>` marked
 * `type-post` / `hentry`) its tags as classes (`tag-iran`).
 */
const STRUCTURAL_TAGS = new Set(["html", "body", "main", "article"]);
const isWordPressPost = (element: ElementNode): boolean => element.hasClass("type-post") || element.hasClass("hentry");

export function hasListingFurnitureName(element: ElementNode): boolean {
  if (STRUCTURAL_TAGS.has(element.tag) || (!element.hasAttribute("class") && !element.hasAttribute("id"))) return false;
  if (isWordPressPost(element)) return false;
  const words = nameWords(element, FURNITURE_NAME_WORDS);
  return words.some(
    (word, index) =>
      (word !== undefined && LISTING_FURNITURE_WORDS.has(word)) ||
      (word === "most" && MOST_SECOND_WORDS.has(words[index + 1] ?? "")),
  );
}

/** ARIA landmarks and widgets that are never the listing. */
const FURNITURE_ROLES = new Set(["navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "toolbar", "dialog"]);

export function hasFurnitureRole(element: ElementNode): boolean {
  const role = element.getAttribute("role");
  return role !== undefined && FURNITURE_ROLES.has(role.trim().toLowerCase());
}

/** Headings of boxes of other stories than the listing's: most read, trending, related, sponsored. */
const FURNITURE_HEADING =
  /^(?:most (?:read|viewed|popular|shared|commented|watched)|popular(?: now| stories| articles| posts)?|trending(?: now| stories| topics)?|related(?: stories| articles| content| coverage| links)?|recommended(?: for you| stories)?|you (?:may|might) (?:also )?(?:like|enjoy)|sponsored(?: content| stories)?|promoted(?: stories)?|paid (?:post|content)|from our partners|around the web)(?: (?:today|this week|on [\p{L}\p{N}.]+(?: [\p{L}\p{N}.]+)?))?[\s:.!]*$/iu;

export function isFurnitureHeading(text: string): boolean {
  return text.length <= 60 && FURNITURE_HEADING.test(text);
}
