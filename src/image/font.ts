/** The bundled font (scripts/build-font.mjs builds it at npm install) and its metrics, read once per isolate. */
import fontFile from "./font/NotoSansKR-Regular.subset.ttf";
import { parseFontMetrics, type FontMetrics } from "./font-metrics";

export const FONT_BYTES = new Uint8Array(fontFile);

let metrics: FontMetrics | null = null;

export const bundledFontMetrics = (): FontMetrics => (metrics ??= parseFontMetrics(FONT_BYTES));
