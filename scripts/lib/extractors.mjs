/**
 * The extractors the benchmark compares, each as `run(html, url)` (the timed part: parsing plus
 * extraction of every field) and `fields(raw)` (turning its answer into text and metadata,
 * untimed). Peers get the same decoded HTML string Redline gets.
 */
import { decodeHTML } from "entities";
import { loadRedlineExtractor } from "./redline-extractor.mjs";

/** Tags whose boundaries are line breaks in rendered text. */
const BLOCK_TAG = /<\/?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|pre|table|tr|td|th|figure|figcaption|section|article|header|footer|aside|br|hr)\b[^>]*>/gi;

/** Readable text of an extracted HTML fragment: blocks on their own lines, tags dropped. */
function fragmentText(html) {
  return decodeHTML(
    (html ?? "")
      .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
      .replace(BLOCK_TAG, "\n\n")
      .replace(/<[^>]+>/g, ""),
  )
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/\s*\n\s*/g, "\n\n")
    .trim();
}

export const EXTRACTORS = {
  async redline() {
    const { extractArticle } = await loadRedlineExtractor();
    return {
      run: (html, url) => extractArticle(html, url),
      fields: (result) =>
        result.ok
          ? {
              text: result.article.paragraphs.join("\n\n"),
              title: result.article.title,
              byline: result.article.byline,
              publishedAt: result.article.publishedAt,
            }
          : { text: "", title: null, byline: null, publishedAt: null, failure: result.reason },
    };
  },
  async "readability+linkedom"() {
    const [{ Readability }, { parseHTML }] = await Promise.all([import("@mozilla/readability"), import("linkedom")]);
    return {
      run: (html) => new Readability(parseHTML(html).document).parse(),
      fields: (article) => ({
        text: fragmentText(article?.content),
        title: article?.title ?? null,
        byline: article?.byline ?? null,
        publishedAt: article?.publishedTime ?? null,
      }),
    };
  },
  async defuddle() {
    const [{ DefuddleClass }, { parseHTML }] = await Promise.all([import("defuddle/node"), import("linkedom")]);
    // The synchronous core without the Markdown conversion or network look-ups that the
    // `Defuddle()` wrapper adds: the same work the other extractors do. Its console warnings
    // about broken JSON-LD are muted so logging is not timed.
    console.error = console.warn = () => {};
    return {
      run: (html, url) => new DefuddleClass(parseHTML(html).document, { url, useAsync: false }).parse(),
      fields: (response) => ({
        text: fragmentText(response?.content),
        title: response?.title || null,
        byline: response?.author || null,
        publishedAt: response?.published || null,
      }),
    };
  },
};
