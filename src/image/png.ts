/**
 * SVG → PNG inside workerd with resvg compiled to WebAssembly. The module is compiled by wrangler
 * at deploy time (a `.wasm` import is a WebAssembly.Module), instantiated once per isolate on the
 * first render; the font is the bundled Noto Sans KR subset (scripts/build-font.mjs), the only
 * font resvg sees, so the PNG's glyphs are the ones src/image/svg.ts measured lines with.
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import resvgModule from "@resvg/resvg-wasm/index_bg.wasm";
import { FONT_BYTES } from "./font";
import { FONT_FAMILY } from "./font-metrics";

let ready: Promise<void> | null = null;

function initialized(): Promise<void> {
  // A failed instantiation is not cached: the next render tries again.
  ready ??= initWasm(resvgModule).catch((error: unknown) => {
    ready = null;
    throw error;
  });
  return ready;
}

/** The PNG of `svg` at its own size (the SVG's width and height attributes), on a white background. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  await initialized();
  const renderer = new Resvg(svg, {
    background: "#ffffff",
    font: { fontBuffers: [FONT_BYTES], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  try {
    const image = renderer.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    renderer.free();
  }
}
