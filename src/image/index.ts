/**
 * The redline image of a diff, for the pages and the channels: the SVG (always), the PNG that
 * services which take no SVG need (resvg in WebAssembly), and the alt text stating the edit.
 */
import { loadDiff } from "../api/articles";
import type { DiffDocument } from "../diffing/render/document";
import type { RedlineImage } from "../channels/model";
import type { ChangeRecord } from "../storage/records";
import type { RedlineStore } from "../storage/store";
import { redlineAlt } from "./alt";
import { bundledFontMetrics } from "./font";
import { svgToPng } from "./png";
import { renderRedlineSvg } from "./svg";

/** The SVG of the redline image, laid out with the bundled font's widths. */
export function redlineSvg(document: DiffDocument): { svg: string; width: number; height: number } {
  const { svg, width, height } = renderRedlineSvg(document, bundledFontMetrics());
  return { svg, width, height };
}

export async function redlineImage(document: DiffDocument): Promise<RedlineImage> {
  const { svg, width, height } = redlineSvg(document);
  return { png: await svgToPng(svg), svg, alt: redlineAlt(document), width, height };
}

/**
 * The image of a recorded change (an EditNotice's `image()`): null when the change does not
 * compare two versions (created, removed) or its article is gone. The head read, the version
 * index and the two versions, as the diff page reads them.
 */
export async function changeImage(store: RedlineStore, change: Pick<ChangeRecord, "articleId" | "from" | "to">): Promise<RedlineImage | null> {
  if (change.from === null || change.to === null || change.from === change.to) return null;
  const article = await store.getArticle(change.articleId);
  if (!article) return null;
  return redlineImage(await loadDiff(store, article, change.from, change.to));
}

export { redlineAlt } from "./alt";
