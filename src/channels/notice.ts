/**
 * The EditNotice every channel reads, built from a recorded change (pure), and the clearly
 * labelled sample a test send uses when no recorded change matches the subscription yet.
 */
import type { ChangeRecord } from "../storage/records";
import type { EditNotice, RedlineImage } from "./model";

/** Whether a change compares two versions (an edit, a revert), so it has a redline and an image. */
export function comparesVersions(change: Pick<ChangeRecord, "from" | "to">): change is { from: number; to: number } {
  return change.from !== null && change.to !== null && change.from !== change.to;
}

/** The Worker's pages for `change`, absolute on `origin` (the origin the subscription was created on). */
export function noticeLinks(origin: string, change: ChangeRecord): EditNotice["links"] {
  const article = `${origin}/articles/${change.articleId}`;
  const redline = comparesVersions(change) ? `${article}/diff/${change.from}..${change.to}` : null;
  return {
    article,
    redline,
    imagePng: redline && `${redline}/image.png`,
    imageSvg: redline && `${redline}/image.svg`,
    feed: `${origin}/feeds/articles/${change.articleId}.atom`,
  };
}

/**
 * The notice of `change` for one subscription. `renderImage` runs at most once, on the first
 * `image()` call: a channel that only links the image never pays for rendering it.
 */
export function editNotice(
  deliveryId: string,
  origin: string,
  change: ChangeRecord,
  renderImage: () => Promise<RedlineImage | null>,
): EditNotice {
  let image: Promise<RedlineImage | null> | null = null;
  return {
    deliveryId,
    change,
    article: { id: change.articleId, url: change.url, title: change.title, site: new URL(change.url).hostname },
    links: noticeLinks(origin, change),
    image: () => (image ??= comparesVersions(change) ? renderImage() : Promise.resolve(null)),
  };
}

/** The words that start every sample's headline and summary, so no reader takes it for a real edit. */
export const SAMPLE_LABEL = "[Redline test notice]";

/**
 * A sample change shaped like the seed's Yonhap stealth edit, for a test send before any
 * matching change exists. It compares no versions (from = to), so it has no redline or image link
 * to a page that does not exist; its article link is the Worker's home page.
 */
export function sampleNotice(deliveryId: string, origin: string, nowMs: number): EditNotice {
  const change: ChangeRecord = {
    id: "sample-1",
    articleId: "sample",
    seq: 1,
    url: "https://en.yna.co.kr/view/AEN20191218010400325",
    title: `${SAMPLE_LABEL} N. Korea says talks with U.S. ended`,
    from: 1,
    to: 1,
    detectedAt: new Date(nowMs).toISOString(),
    kinds: ["body", "stealth-edit"],
    summary: `${SAMPLE_LABEL} This is what an edit notice looks like: one paragraph changed, without a correction note. No article was edited.`,
    significance: 0.4,
  };
  return { ...editNotice(deliveryId, origin, change, async () => null), links: { article: `${origin}/`, redline: null, imagePng: null, imageSvg: null, feed: `${origin}/feeds/changes.atom` } };
}
