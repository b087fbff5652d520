/**
 * What is never article text, whichever site: elements by tag, visibility and class/id names,
 * and paragraphs by their wording. Shared by site profiles and the generic fallback.
 */
import { parseHumanDate } from "./dates";
import { DocumentNode, type ElementNode, isAncestor } from "./html";
import { Vocabulary } from "./vocabulary";

/**
 * Subtrees that are never read as text: code, embeds, form controls, media and their captions.
 * (`<form>` is not among them: ASP.NET pages wrap the whole page in one; pruning drops forms
 * that hold a minor share of the page, such as search boxes and newsletter sign-ups.)
 */
const SKIPPED_TAGS = new Set([
  "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
  "canvas", "video", "audio", "picture", "img", "map", "button", "input", "select", "textarea",
  "label", "figure", "figcaption", "dialog",
]);

/**
 * Landmarks that hold page furniture, pruned like the skipped tags unless one holds the page's
 * `<main>`: an `<aside>` left unclosed by its author swallows the rest of the page, story
 * included, and a browser still shows that story.
 */
const FURNITURE_LANDMARKS = new Set(["nav", "aside", "footer"]);

export function isFurnitureLandmark(element: ElementNode): boolean {
  if (!FURNITURE_LANDMARKS.has(element.tag)) return false;
  // One holding the page's <main> was left unclosed and swallowed the page: it is not furniture.
  const mains = documentOf(element)?.elementsByTag("main") ?? [];
  return !mains.some((main) => isAncestor(element, main));
}

function documentOf(element: ElementNode): DocumentNode | null {
  let root = element;
  while (root.parent) root = root.parent;
  return root instanceof DocumentNode ? root : null;
}

/**
 * Words in class/id names that mark page furniture rather than story text. Matched against whole
 * name tokens (split on punctuation, spaces and camelCase, trailing digits dropped), so
 * `sns-share02` and `relatedArticles` match while `shared-story`, `adventure` or the hex run
 * in `w-node-b5343ad4` do not.
 */
const BOILERPLATE_NAME_TOKENS = new Set([
  "share", "sharing", "social", "sns", "related", "recommend", "recommended", "recommendations",
  "newsletter", "subscribe", "subscription", "promo", "promotion", "advert", "advertisement",
  "ad", "ads", "adsbygoogle", "sponsor", "sponsored", "banner", "comment", "comments", "sidebar",
  "breadcrumb", "breadcrumbs", "tag", "tags", "keyword", "keywords", "caption", "byline",
  "dateline", "author", "date", "timestamp", "mostviewed", "popular", "trending", "outbrain",
  "taboola", "feedback", "survey", "footer", "menu", "toolbar", "modal", "popup",
  "cookie", "consent", "paywall", "timeago", "ago",
]);

/**
 * Names that mark the story itself. An element carrying one is never pruned as boilerplate, so
 * `main-content has-sidebar` survives while `related-content` does not. ("content" alone is
 * deliberately absent: it appears on too many widgets.)
 */
const CONTENT_NAME_TOKENS = new Set(["article", "body", "main", "story", "entry"]);

/** Never pruned by name: a `<body class="has-sidebar">` must not take the whole page with it. */
const STRUCTURAL_TAGS = new Set(["#document", "html", "body", "article", "main"]);

/** Most-viewed boxes are spelled every way: "most-viewed", "mostViewed", "most_read". */
const MOST_VIEWED_SECOND_WORDS = new Set(["viewed", "read", "popular", "shared"]);
const NAME_WORDS = new Vocabulary([
  ...BOILERPLATE_NAME_TOKENS, ...CONTENT_NAME_TOKENS, "most", ...MOST_VIEWED_SECOND_WORDS,
]);

/**
 * The tokens of the element's id and class names (split on punctuation, spaces and camelCase,
 * trailing digits dropped), each as its word in `vocabulary`, or undefined when it is none of
 * them. A character loop that slices no strings: it runs for every named element of a page.
 */
export function nameWords(element: ElementNode, vocabulary: Vocabulary): (string | undefined)[] {
  const words: (string | undefined)[] = [];
  addNameWords(element.getAttribute("id") ?? "", vocabulary, words);
  addNameWords(element.getAttribute("class") ?? "", vocabulary, words);
  return words;
}

const isAsciiLowerCase = (code: number): boolean => code >= 0x61 && code <= 0x7a;
const isAsciiUpperCase = (code: number): boolean => code >= 0x41 && code <= 0x5a;
const isAsciiDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

function addNameWords(names: string, vocabulary: Vocabulary, words: (string | undefined)[]): void {
  let start = -1;
  const addToken = (end: number): void => {
    let tokenEnd = end;
    while (tokenEnd > start && isAsciiDigit(names.charCodeAt(tokenEnd - 1))) tokenEnd--;
    if (tokenEnd > start) words.push(vocabulary.find(names, start, tokenEnd));
  };
  for (let index = 0; index < names.length; index++) {
    const code = names.charCodeAt(index);
    if (!isAsciiLowerCase(code) && !isAsciiUpperCase(code) && !isAsciiDigit(code)) {
      if (start >= 0) addToken(index);
      start = -1;
    } else if (start < 0) {
      start = index;
    } else if (isAsciiUpperCase(code) && isAsciiLowerCase(names.charCodeAt(index - 1))) {
      addToken(index);
      start = index;
    }
  }
  if (start >= 0) addToken(names.length);
}

function joinsMostViewed(words: readonly (string | undefined)[]): boolean {
  return words.some((word, index) => word === "most" && MOST_VIEWED_SECOND_WORDS.has(words[index + 1] ?? ""));
}

const isIn =
  (set: ReadonlySet<string>) =>
  (word: string | undefined): boolean =>
    word !== undefined && set.has(word);
const isContentWord = isIn(CONTENT_NAME_TOKENS);
const isBoilerplateWord = isIn(BOILERPLATE_NAME_TOKENS);

export function hasBoilerplateName(element: ElementNode): boolean {
  if (STRUCTURAL_TAGS.has(element.tag) || !(element.hasAttribute("class") || element.hasAttribute("id"))) {
    return false;
  }
  const words = nameWords(element, NAME_WORDS);
  if (words.some(isContentWord)) return false;
  return words.some(isBoilerplateWord) || joinsMostViewed(words);
}

function isHidden(element: ElementNode): boolean {
  if (!element.hasAttributes) return false;
  // React's streaming renderer sends finished Suspense content as <div hidden id="S:0"> and a
  // script moves it into place at once: a reader sees it, so it is story text, not hidden.
  if (element.hasAttribute("hidden")) return !/^S:\d+$/u.test(element.getAttribute("id") ?? "");
  if ((element.getAttribute("aria-hidden") ?? "").trim().toLowerCase() === "true") return true;
  const style = element.getAttribute("style");
  // Most inline styles hide nothing: only normalise the ones that could.
  if (style === undefined || !/none|hidden/i.test(style)) return false;
  const compact = style.toLowerCase().replace(/\s+/g, "");
  return compact.includes("display:none") || compact.includes("visibility:hidden");
}

/** Elements whose whole subtree is dropped before any text is read, on every page. */
export function isNeverText(element: ElementNode): boolean {
  return SKIPPED_TAGS.has(element.tag) || isHidden(element);
}

/** Subtrees a reader never sees as the page's own text: never-text elements and furniture landmarks. */
export function isUnrendered(element: ElementNode): boolean {
  return isNeverText(element) || isFurnitureLandmark(element);
}

/**
 * Whole paragraphs that are furniture even inside the story container: sign-offs, contact lines,
 * bylines and datelines set as their own line, share prompts.
 */
const BOILERPLATE_PARAGRAPHS: readonly RegExp[] = [
  // Hankyoreh and many others close with a contact request.
  /^please (?:direct|send) (?:your )?(?:comments|questions|feedback)\b/i,
  // Wire sign-offs: a reporter's e-mail, "(END)", or both.
  /^(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+[\s,;/]*)*(?:\(END\))?$/i,
  /^(?:photo|image|video|graphic)(?: credit)?\s*(?::|©|by\b)/i,
  /^(?:read more|related(?: articles?| stories)?|see also|recommended)\s*:?$/i,
  /^(?:share|tweet|e-?mail|print)(?: (?:this|on|via)\b.{0,40})?$/i,
];

/**
 * A short line that names the writer: "By Noh Ji-won, staff reporter", or the Korean convention
 * of the name followed by 기자 ("reporter"), 특파원 ("correspondent"), optionally an e-mail.
 */
const BYLINE_LINES = [
  /^(?:[Ww]ritten\s+)?[Bb]y\s+\p{Lu}/u,
  /^\p{Script=Hangul}{2,5}(?:\s+\p{Script=Hangul}{2,5})?\s+(?:선임)?(?:기자|특파원)(?:\s+[\w.+-]+@[\w.-]+)?$/u,
];
const MAX_LABEL_LINE_WORDS = 14;

/** A paragraph that only names the writer; the byline reader may use it. */
export function isBylineLine(text: string, wordCount: number): boolean {
  return wordCount <= MAX_LABEL_LINE_WORDS && BYLINE_LINES.some((pattern) => pattern.test(text));
}

/**
 * A short all-bold line before the story's first sentence of prose is a label — the wire or
 * source ("Iran Press TV"), a kicker ("EXCLUSIVE") — not story text.
 */
const MAX_LEADING_LABEL_WORDS = 6;

export function isLeadingLabel(block: { boldOnly: boolean }, wordCount: number): boolean {
  return block.boldOnly && wordCount <= MAX_LEADING_LABEL_WORDS;
}

/**
 * Words of date lines such as "Tuesday, 19 November 2019 7:45 AM" or "Posted on : 2019-11-20
 * 17:44 KST": removing them leaves nothing of a date line and most of a sentence that mentions
 * a date.
 */
const DATE_WORDS =
  /\b(?:posted|published|updated|modified|last|on)\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|\b[ap]\.?m\b\.?|\b(?:utc|gmt|kst|hkt|[a-z]{2,4}t)\b|[\d\s,.:/|()+-]+/gi;

function isDateLine(text: string, wordCount: number): boolean {
  if (wordCount > MAX_LABEL_LINE_WORDS || parseHumanDate(text, null) === null) return false;
  return text.replace(DATE_WORDS, "").trim() === "";
}

/**
 * "5 minutes ago", "Updated 2 hours ago": labels a page recomputes on every fetch. In a short
 * line they are furniture and are cut out, so the next fetch does not read as an edit; in a
 * sentence of prose ("the attack began 20 minutes ago, police said") they are story text.
 */
const RELATIVE_TIME_LABEL =
  /(?:(?:updated|posted|published|edited|modified)\s*:?\s+)?(?:\d+|an?|one)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b\.?/gi;

export function withoutRelativeTimeLabels(text: string, wordCount: number): string {
  if (wordCount > MAX_LABEL_LINE_WORDS || !/\bago\b/i.test(text)) return text;
  return text.replace(RELATIVE_TIME_LABEL, " ").replace(/\s{2,}/g, " ").trim();
}

/** Furniture lines other than bylines (which the byline reader wants to see first). */
export function isBoilerplateParagraph(text: string, wordCount: number): boolean {
  return isDateLine(text, wordCount) || BOILERPLATE_PARAGRAPHS.some((pattern) => pattern.test(text));
}

/** Headings of the sections templates append after a story: other stories, the author's bio. */
const TRAILING_SECTION_HEADINGS: readonly RegExp[] = [
  /^(?:the )?(?:latest|recent|related|more|other|popular|trending|recommended|top|similar)(?:\s+\S+){0,2}\s+(?:news|stories|articles|posts|reads|videos|coverage|headlines)$/i,
  // "More in Minnesota Wild", "More from Reuters"; not "More on …", a common section heading.
  /^more (?:from|in|by)\b/i,
  /^(?:also (?:in the news|read|on)|(?:read|watch) (?:this )?next|what to read next|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|further reading|keep reading|don['’]?t miss|editor['’]?s picks|(?:about|meet) the (?:authors?|reviewers?|writers?|experts?))\b/i,
];
const MAX_TRAILING_HEADING_WORDS = 8;

export function isTrailingSectionHeading(text: string, wordCount: number): boolean {
  return wordCount <= MAX_TRAILING_HEADING_WORDS && TRAILING_SECTION_HEADINGS.some((pattern) => pattern.test(text));
}

/**
 * Wording of cookie-consent walls and paywall teasers. Such paragraphs are never story text, and
 * a page made mostly of them is reported as "no article" rather than stored as a version.
 */
const WALL_PARAGRAPHS: readonly RegExp[] = [
  /\b(?:we|this (?:web)?site|our (?:web)?site|and our partners) (?:uses?|stores?|sets?) cookies\b/i,
  /\b(?:accept|reject|allow|manage) (?:all |our )?(?:cookies|tracking)\b/i,
  /\bcookie (?:settings|preferences|policy|consent)\b/i,
  /\b(?:your|manage) (?:privacy|consent) (?:choices|settings|preferences)\b/i,
  /\b(?:subscribe|sign in|log in|register)(?: now)? to (?:continue|keep) reading\b/i,
  /\bto (?:continue|keep) reading,? (?:please )?(?:subscribe|sign in|log in|register)\b/i,
  /\byou(?:'ve| have) reached (?:your|the) (?:monthly )?(?:free )?(?:article |story )?limit\b/i,
  /\balready a (?:subscriber|member)\?/i,
  /\bthis (?:article|content|story) is (?:only )?(?:available|exclusive) (?:to|for) (?:subscribers|members)\b/i,
];

/** A word every wall pattern needs: most paragraphs have none and skip the patterns. */
const WALL_WORD = /cookie|tracking|privacy|consent|subscri|members|sign in|log in|regist|limit|already a/i;

export function isWallParagraph(text: string): boolean {
  return WALL_WORD.test(text) && WALL_PARAGRAPHS.some((pattern) => pattern.test(text));
}

/** Words consent dialogs cannot do without; stories, even about privacy law, use them sparingly. */
const CONSENT_TERMS =
  /\b(?:cookies?|consent(?:ing)?|partners|privacy|preferences|personali[sz]ed|personal data|device|tracking|vendors?)\b/gi;
/** Share of consent terms among the words above which text reads as a consent dialog. */
const MIN_CONSENT_TERM_SHARE = 0.06;
/** Text longer than this is a story even when a notice sits inside it. */
const MAX_WALL_PAGE_WORDS = 150;
const MAX_CONSENT_PAGE_WORDS = 300;

/**
 * Whether what remains of the page is the remainder of a consent wall or paywall: a short text
 * that came with a wall notice, or a text dense in consent vocabulary.
 */
export function isWallRemainder(paragraphs: readonly string[], words: number, wallWords: number): boolean {
  if (wallWords > 0 && words <= MAX_WALL_PAGE_WORDS) return true;
  if (words > MAX_CONSENT_PAGE_WORDS) return false;
  const consentTerms = paragraphs.reduce(
    (total, paragraph) => total + (paragraph.match(CONSENT_TERMS)?.length ?? 0),
    0,
  );
  return consentTerms >= words * MIN_CONSENT_TERM_SHARE;
}
