/**
 * Plain values for the Mastodon and Bluesky pure tests: one recorded change as the framework
 * would hand it over, and a small fixed PNG standing in for the redline image.
 */
import type { ChangeRecord } from "../storage/records";
import type { EditNotice, RedlineImage } from "./model";

/** A valid 1×1 PNG (67 bytes). */
export const TINY_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
  (char) => char.charCodeAt(0),
);

export const TINY_IMAGE: RedlineImage = { png: TINY_PNG, svg: "<svg/>", alt: "Removed: “five billion”. Added: “six billion”.", width: 1200, height: 630 };

export function noticeOf(change: Partial<ChangeRecord> = {}, image: RedlineImage | null = TINY_IMAGE): EditNotice {
  const full: ChangeRecord = {
    id: "0123456789abcdef-2",
    articleId: "0123456789abcdef",
    seq: 2,
    url: "https://en.yna.co.kr/view/AEN20191218010400325",
    title: "N. Korea says talks with U.S. ended",
    from: 1,
    to: 2,
    detectedAt: "2026-05-01T12:00:00.000Z",
    kinds: ["body", "numbers-changed", "stealth-edit"],
    summary: "Text changed without a new modified timestamp (stealth edit): 1 sentence edited (figures changed); +1/−1 words",
    significance: 0.4,
    ...change,
  };
  const article = `https://redline.example/articles/${full.articleId}`;
  return {
    deliveryId: `${full.id}/6f1c2a9e-0000-4000-8000-000000000001`,
    change: full,
    article: { id: full.articleId, url: full.url, title: full.title, site: new URL(full.url).hostname },
    links: { article, redline: `${article}/diff/1..2`, imagePng: `${article}/diff/1..2/image.png`, imageSvg: `${article}/diff/1..2/image.svg`, feed: `https://redline.example/feeds/articles/${full.articleId}.atom` },
    image: async () => image,
  };
}
