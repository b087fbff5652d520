/**
 * The text of a social post about one edit, shared by Mastodon and Bluesky: the site and the
 * headline, what changed in words, the kinds, and the link to the redline. Each service counts
 * its limit its own way (Mastodon: 500 grapheme clusters with every URL counted as 23; Bluesky:
 * 300 grapheme clusters), so the counting is a parameter and the composition truncates the
 * headline and the summary, never the link or the kinds, at grapheme boundaries: a cut inside a
 * cluster would split a Hangul syllable's jamo, an emoji's ZWJ sequence or a letter from its
 * combining accent.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

const ELLIPSIS = "…";

/** `text` cut to at most `max` grapheme clusters, the cut marked with an ellipsis (which counts). */
export function truncateGraphemes(text: string, max: number): string {
  if (max <= 0) return "";
  const clusters = Array.from(graphemes.segment(text), (segment) => segment.segment);
  if (clusters.length <= max) return text;
  return `${clusters.slice(0, max - 1).join("").trimEnd()}${ELLIPSIS}`;
}

/** The URLs Mastodon gives a fixed length (its extractor needs the scheme: `extract_url_without_protocol: false`). */
const URL_PATTERN = /https?:\/\/[^\s<>"“”]+/giu;
/** What every URL counts for in a Mastodon status, however long (StatusLengthValidator::URL_PLACEHOLDER). */
export const MASTODON_URL_LENGTH = 23;

/** A status's length as Mastodon's StatusLengthValidator counts it: grapheme clusters, each URL as 23. */
export function mastodonLength(text: string): number {
  return countGraphemes(text.replace(URL_PATTERN, "x".repeat(MASTODON_URL_LENGTH)));
}

/** What the post says, before any service's limit applies. */
export interface PostContent {
  site: string;
  headline: string;
  /** The change's summary in words, e.g. "1 paragraph added; +42/−0 words". */
  summary: string;
  kinds: readonly string[];
  /** The redline page, or the article's page for a change that does not compare two versions. */
  link: string;
}

export interface PostStyle {
  maxLength: number;
  /** The service's count of a text (e.g. {@link mastodonLength}, {@link countGraphemes}). */
  measure(text: string): number;
  /** How the link reads in the text (Bluesky shows a short form and links the whole URL through a facet). */
  linkText(url: string): string;
}

export interface ComposedPost {
  text: string;
  /** Where the link's text sits in `text`, in UTF-16 code units (`text.slice(start, end)`), and where it points. */
  link: { uri: string; start: number; end: number };
}

/** Below this many clusters a summary says nothing useful, so it is left out rather than cut. */
const MIN_SUMMARY_LENGTH = 12;

/**
 * `<site> edited “<headline>”`, the summary, the kinds in brackets, then the link, one per line.
 * The headline keeps all it can; the summary gets what is left. The kinds and the link always
 * fit: they are a few dozen clusters against limits of hundreds.
 */
export function composePost(content: PostContent, style: PostStyle): ComposedPost {
  const linkText = style.linkText(content.link);
  const kindsLine = content.kinds.length > 0 ? `(${content.kinds.join(", ")})\n` : "";
  const frame = (headline: string, summary: string) => {
    const head = `${content.site} edited “${headline}”\n${summary ? `${summary}\n` : ""}${kindsLine}`;
    return { text: `${head}${linkText}`, link: { uri: content.link, start: head.length, end: head.length + linkText.length } };
  };
  const fits = (post: ComposedPost) => style.measure(post.text) <= style.maxLength;

  const headline = content.headline.replace(/\s+/gu, " ").trim();
  const summary = content.summary.replace(/\s+/gu, " ").trim();
  const whole = frame(headline, summary);
  if (fits(whole)) return whole;

  const withoutSummary = frame(headline, "");
  if (fits(withoutSummary)) {
    // The measure is additive over lines (a line break ends every cluster and every URL), so the
    // summary's room is the limit less the rest, and a cut to that room fits.
    const room = style.maxLength - style.measure(withoutSummary.text) - 1;
    return room >= MIN_SUMMARY_LENGTH ? shrinkToFit(summary, room, (cut) => frame(headline, cut), fits) : withoutSummary;
  }
  const room = style.maxLength - style.measure(frame("", "").text);
  return shrinkToFit(headline, room, (cut) => frame(cut, ""), fits);
}

/**
 * The longest cut of `text` to at most `room` clusters whose post fits. A cut can measure more
 * than its clusters (a URL cut short still counts 23 on Mastodon), so the cut shrinks until the
 * post fits; an empty cut always does, since the frame alone fits.
 */
function shrinkToFit(text: string, room: number, post: (cut: string) => ComposedPost, fits: (post: ComposedPost) => boolean): ComposedPost {
  for (let length = room; length > 0; length--) {
    const candidate = post(truncateGraphemes(text, length));
    if (fits(candidate)) return candidate;
  }
  return post("");
}

/** Where `text.slice(start, end)` sits in the UTF-8 encoding of `text`: AT Protocol facets index bytes, not code units. */
export function utf8Range(text: string, start: number, end: number): { byteStart: number; byteEnd: number } {
  const encoder = new TextEncoder();
  const byteStart = encoder.encode(text.slice(0, start)).length;
  return { byteStart, byteEnd: byteStart + encoder.encode(text.slice(start, end)).length };
}

const HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]/gu;
const LETTER = /\p{L}/gu;

/**
 * The post's language tag from the article's headline: "ko" when at least a third of its letters
 * are Hangul (a Korean headline quoting an English name stays Korean), otherwise "en" — the
 * seed sites publish in those two, and the rest of the post is Redline's English.
 */
export function languageOf(text: string): "en" | "ko" {
  const letters = text.match(LETTER)?.length ?? 0;
  const hangul = text.match(HANGUL)?.length ?? 0;
  return letters > 0 && hangul * 3 >= letters ? "ko" : "en";
}
