/**
 * Programmatic edits of a real page's HTML, for proving that extraction sees story edits and
 * nothing else. Two families:
 *  - boilerplate mutations change what a change tracker must ignore (the order of link lists,
 *    ad markup, inline scripts, CSRF tokens, cache-buster query strings, comment counts,
 *    "N minutes ago" labels); the extracted article must stay identical;
 *  - story mutations change the body text itself (one word, an added paragraph, a removed
 *    sentence), located in the HTML from the extracted paragraphs; the extracted article must
 *    change.
 * Each mutation returns the edited HTML, or null when the page offers nothing to edit (no
 * comment counter, no paragraph with two sentences, …), so suites count only edits that happened.
 * Pure string work with no DOM, so it runs both in workerd (fixture pages) and in Node (corpus).
 */
import { decodeHTML } from "entities/decode";

export interface Mutation {
  name: string;
  kind: "boilerplate" | "story";
  apply(html: string, paragraphs: readonly string[]): string | null;
}

/** Where a match is not story text: tags, comments and elements whose content is never visible. */
const NON_TEXT_SPANS = /<!--[\s\S]*?(?:-->|$)|<(script|style|noscript|template|textarea|title)\b[\s\S]*?(?:<\/\1\s*>|$)|<[^>]*>/gi;

let spansFor: { html: string; starts: number[]; ends: number[] } | null = null;

/** Start of the tag, comment or non-text element `index` lies in, or -1 when it lies in text. */
function enclosingMarkupStart(html: string, index: number): number {
  if (spansFor?.html !== html) {
    const starts: number[] = [];
    const ends: number[] = [];
    for (const match of html.matchAll(NON_TEXT_SPANS)) {
      starts.push(match.index);
      ends.push(match.index + match[0].length);
    }
    spansFor = { html, starts, ends };
  }
  const { starts, ends } = spansFor;
  let low = 0;
  let high = starts.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((starts[middle] ?? 0) <= index) low = middle + 1;
    else high = middle - 1;
  }
  return high >= 0 && index < (ends[high] ?? 0) ? (starts[high] ?? 0) : -1;
}

/** True when `index` lies in text content: outside any tag, comment and non-text element. */
const isInText = (html: string, index: number): boolean => enclosingMarkupStart(html, index) < 0;

/** The first real start tag matching `pattern` (not one written inside a script or comment). */
function findStartTag(html: string, pattern: RegExp): RegExpExecArray | null {
  for (const match of html.matchAll(new RegExp(pattern.source, "gi"))) {
    if (enclosingMarkupStart(html, match.index) === match.index) return match;
  }
  return null;
}

const insertAfterStartTag = (html: string, pattern: RegExp, text: string): string => {
  const tag = findStartTag(html, pattern);
  return tag ? replaceAt(html, tag.index + tag[0].length, 0, text) : html;
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Where the extracted words `words` are written in the HTML: consecutive in text content, with
 * only whitespace, inline tags or entities between them. Null unless there is exactly one such
 * place, since an edit to a second copy (a teaser, a pull quote) says nothing about the story.
 */
function locateWords(html: string, words: readonly string[]): { index: number; end: number; wordStarts: number[] } | null {
  if (words.length === 0) return null;
  const gap = "((?:\\s|&nbsp;|&#160;|<[^>]*>)*)";
  const pattern = new RegExp(words.map(escapeRegExp).join(gap), "g");
  const found: RegExpExecArray[] = [];
  for (const match of html.matchAll(pattern)) {
    if (isInText(html, match.index)) found.push(match);
    if (found.length > 1) return null;
  }
  const [match] = found;
  if (!match) return null;
  const wordStarts: number[] = [];
  let offset = match.index;
  words.forEach((word, position) => {
    wordStarts.push(offset);
    offset += word.length + (match[position + 1]?.length ?? 0);
  });
  return { index: match.index, end: match.index + match[0].length, wordStarts };
}

/** Plain words (letters only) of a paragraph, so every one is spelled the same in the HTML. */
const plainWords = (text: string): string[] => text.split(/\s+/);
const isPlainWord = (word: string): boolean => /^\p{L}{2,}$/u.test(word);

/**
 * A run of `count` plain words from the middle of some paragraph, found exactly once in the HTML.
 * Paragraphs are tried from the middle of the story outwards.
 */
function locateStoryRun(html: string, paragraphs: readonly string[], count: number) {
  const middle = Math.floor(paragraphs.length / 2);
  const order = paragraphs.map((_, index) => index).sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle));
  for (const paragraphIndex of order) {
    const words = plainWords(paragraphs[paragraphIndex] ?? "");
    for (let start = Math.floor(words.length / 3); start + count <= words.length; start++) {
      const run = words.slice(start, start + count);
      if (!run.every(isPlainWord)) continue;
      const located = locateWords(html, run);
      if (located) return { ...located, run, paragraphIndex };
    }
  }
  return null;
}

const replaceAt = (html: string, index: number, length: number, text: string): string =>
  html.slice(0, index) + text + html.slice(index + length);

const ADDED_PARAGRAPH =
  "<p>In a statement released after publication, the ministry said the figures quoted above would be revised next week once the final audit of every regional office is complete.</p>";

/** Block tags that a `<p>` may not sit inside without splitting the story's own paragraph. */
const PARAGRAPH_LIKE_OPEN = /<(p|li|h[1-6]|blockquote|dd|td)\b[^>]*>/gi;

export const STORY_MUTATIONS: readonly Mutation[] = [
  {
    name: "one-word edit",
    kind: "story",
    apply(html, paragraphs) {
      const located = locateStoryRun(html, paragraphs, 4);
      if (!located) return null;
      const wordIndex = located.wordStarts[2] ?? located.index;
      const word = located.run[2] ?? "";
      const replacement = word.toLowerCase() === "reportedly" ? "allegedly" : "reportedly";
      return replaceAt(html, wordIndex, word.length, replacement);
    },
  },
  {
    name: "added paragraph",
    kind: "story",
    apply(html, paragraphs) {
      const located = locateStoryRun(html, paragraphs, 4);
      if (!located) return null;
      // Before the block element holding the located words, so the new paragraph is a sibling;
      // in text set with <br>s (no such element), right before the words.
      let block: RegExpExecArray | null = null;
      for (const match of html.slice(0, located.index).matchAll(PARAGRAPH_LIKE_OPEN)) block = match;
      const isOpenThere =
        block !== null && !html.slice(block.index, located.index).toLowerCase().includes(`</${(block[1] ?? "").toLowerCase()}`);
      const insertAt = block && isOpenThere ? block.index : located.index;
      return replaceAt(html, insertAt, 0, ADDED_PARAGRAPH);
    },
  },
  {
    name: "removed sentence",
    kind: "story",
    apply(html, paragraphs) {
      for (const paragraph of paragraphs) {
        // A paragraph of two or more sentences; the first one, written without inline markup.
        const sentenceEnd = paragraph.search(/[.!?]\s+\p{Lu}/u);
        if (sentenceEnd < 0) continue;
        const sentence = paragraph.slice(0, sentenceEnd + 1);
        const words = plainWords(sentence);
        if (words.length < 5) continue;
        const located = locateWords(html, words);
        if (!located) continue;
        const written = html.slice(located.index, located.end);
        if (written.includes("<")) continue;
        return replaceAt(html, located.index, written.length, "");
      }
      return null;
    },
  },
];

/** Link lists: `<ul>`/`<ol>` without nested lists, each item a link, three items or more. */
const LINK_LIST = /<(ul|ol)\b([^>]*)>((?:(?!<\/?(?:ul|ol)\b)[\s\S])*?)<\/\1>/gi;

/** Letters and digits only: how a list item's text is looked for in the extracted story. */
const lettersOf = (text: string): string => text.replace(/[^\p{L}\p{N}]+/gu, "");
const listItemLetters = (item: string): string => lettersOf(decodeHTML(item.replace(/<[^>]*>/g, " ")));

/** Attribute values that name ad slots, as ad networks and CMSs write them. */
const AD_SLOT = /<(div|aside|section)\b([^>]*\b(?:class|id)\s*=\s*["'][^"']*\b(?:ad|ads|advert|advertisement|ad-slot|dfp|gpt-ad|adsbygoogle)\b[^"']*["'][^>]*)>/gi;

const AD_MARKUP = (seed: number): string =>
  `<ins class="adsbygoogle" style="display:block" data-ad-client="ca-pub-${seed}" data-ad-slot="${seed * 7}"></ins>` +
  `<script>(adsbygoogle = window.adsbygoogle || []).push({ slot: ${seed} });</script>` +
  `<a href="https://ads.example/click?id=${seed}"><img src="https://ads.example/creative/${seed}.png" alt="" width="300" height="250"></a>`;

export const BOILERPLATE_MUTATIONS: readonly Mutation[] = [
  {
    name: "reordered link lists",
    kind: "boilerplate",
    apply(html, paragraphs) {
      const story = lettersOf(paragraphs.join(""));
      let changed = false;
      const result = html.replace(LINK_LIST, (whole, tag: string, attributes: string, inner: string) => {
        const items = inner.split(/(?=<li\b)/i);
        const head = items[0]?.match(/^\s*$/) ? (items.shift() ?? "") : "";
        if (items.length < 3 || !items.every((item) => /^<li\b/i.test(item) && /<a\b/i.test(item))) return whole;
        // Only lists that are not part of the story: reordering a list in the body is an edit.
        if (items.some((item) => { const letters = listItemLetters(item); return letters !== "" && story.includes(letters); })) return whole;
        changed = true;
        return `<${tag}${attributes}>${head}${[...items].reverse().join("")}</${tag}>`;
      });
      return changed ? result : null;
    },
  },
  {
    name: "replaced ad markup",
    kind: "boilerplate",
    apply(html, paragraphs) {
      let seed = 1000;
      // Existing slots get new creatives…
      let result = html.replace(AD_SLOT, (open: string) => `${open}${AD_MARKUP(seed++)}`);
      // …and a new slot appears between two story paragraphs, as ad servers inject them.
      const located = locateStoryRun(result, paragraphs, 4);
      const paragraphEnd = located ? result.indexOf("</p>", located.end) : -1;
      if (paragraphEnd >= 0 && paragraphEnd - (located?.end ?? 0) < 5_000) {
        result = replaceAt(result, paragraphEnd + 4, 0, `<div class="ad-container" id="ad-slot-${seed}">${AD_MARKUP(seed)}</div>`);
      }
      return result === html ? null : result;
    },
  },
  {
    name: "changed inline scripts",
    kind: "boilerplate",
    apply(html) {
      let count = 0;
      const result = html.replace(/(<script\b(?![^>]*\bsrc=)(?![^>]*ld\+json)[^>]*>)([\s\S]*?)(<\/script>)/gi, (_, open: string, body: string, close: string) => {
        count++;
        return `${open}window.__state = { nonce: "n${count}x", html: "<div><p>rendered by script</p></div>" };${body.length > 0 ? "\n" : ""}${body.replace(/\d/g, "7")}${close}`;
      });
      return count > 0 ? result : null;
    },
  },
  {
    name: "changed CSRF tokens",
    kind: "boilerplate",
    apply(html) {
      let result = html
        .replace(/(<meta\b[^>]*name\s*=\s*["'](?:csrf[-_]?token|csrf-param|_token)["'][^>]*content\s*=\s*["'])[^"']*/gi, "$1Zx81token")
        .replace(/(<input\b[^>]*type\s*=\s*["']hidden["'][^>]*value\s*=\s*["'])[^"']*/gi, "$1Zx81token");
      // A token the page did not have: a hidden form field, as frameworks add to every form.
      result = insertAfterStartTag(result, /<body\b[^>]*>/, '<form action="/search" method="post"><input type="hidden" name="csrf_token" value="a8f3c2e91b"></form>');
      return result === html ? null : result;
    },
  },
  {
    name: "cache-buster query strings",
    kind: "boilerplate",
    apply(html) {
      const result = html.replace(/\b(src|href)\s*=\s*(["'])([^"']*)\2/gi, (whole, name: string, quote: string, value: string) => {
        if (/^(?:#|javascript:|mailto:|data:)/i.test(value)) return whole;
        const [base, fragment] = value.split("#", 2) as [string, string | undefined];
        const busted = `${base}${base.includes("?") ? "&" : "?"}_cb=1732345678`;
        return `${name}=${quote}${busted}${fragment === undefined ? "" : `#${fragment}`}${quote}`;
      });
      return result === html ? null : result;
    },
  },
  {
    name: "changed comment counts",
    kind: "boilerplate",
    apply(html, paragraphs) {
      const story = paragraphs.join("\n");
      let count = 0;
      const result = html.replace(/(>\s*)(\d{1,5})(\s*(?:comments?|Comments?|COMMENTS?|responses?|replies|Replies)\b)/g, (whole, before: string, number: string, after: string, index: number) => {
        if (story.includes(`${number}${after}`.trim()) || !isInText(html, index + before.length)) return whole;
        count++;
        return `${before}${Number(number) + 17}${after}`;
      });
      return count > 0 ? result : null;
    },
  },
  {
    name: "changed relative-time labels",
    kind: "boilerplate",
    apply(html, paragraphs) {
      const story = paragraphs.join("\n");
      let result = html.replace(/(>[^<]{0,40}?)(\d{1,3})(\s+(?:minutes?|mins?|hours?|hrs?|days?)\s+ago\b)/gi, (whole, before: string, number: string, after: string) =>
        story.includes(`${number}${after}`) ? whole : `${before}${Number(number) + 3}${after}`,
      );
      // A label the page did not have, beside the headline, as the timeago plugins print it.
      const headline = findStartTag(result, /<h1\b[^>]*>/);
      const headlineEnd = headline ? result.indexOf("</h1>", headline.index) : -1;
      if (headlineEnd >= 0) {
        result = replaceAt(result, headlineEnd + 5, 0, '<span class="timeago" title="2024-11-23 04:00">Updated 5 minutes ago</span>');
      }
      return result === html ? null : result;
    },
  },
];

export const ALL_MUTATIONS: readonly Mutation[] = [...BOILERPLATE_MUTATIONS, ...STORY_MUTATIONS];
