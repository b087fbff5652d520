/**
 * The redline image of a diff, for the pages and the channels: the SVG (always), the PNG that
 * services which take no SVG need (resvg in WebAssembly), and the alt text stating the edit.
 */
import type { DiffDocument } from "../diffing/render/document";
import type { RedlineImage } from "../channels/model";
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

export { redlineAlt } from "./alt";
