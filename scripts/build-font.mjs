/**
 * Builds the redline image's font (run by `npm install`): Noto Sans KR Regular (OFL, from the
 * pinned @expo-google-fonts/noto-sans-kr) cut down to what news text needs, as TrueType because
 * resvg reads TTF/OTF and not WOFF2. Kept: Latin with its accents and punctuation, currency,
 * arrows, operators, enclosed numbers, bullets, CJK punctuation and units, Hangul compatibility jamo and every one of the 11,172 modern Hangul
 * syllables (KS X 1001's 2,350 miss syllables that names use, e.g. 똠, 햏, 뷁), and the few Hanja
 * Korean headlines abbreviate with. Hinting and the layout tables are dropped: the image is drawn
 * at one size, and without GSUB/GPOS (ligatures, kerning) each glyph takes exactly its hmtx
 * advance, which is what src/image/font-metrics.ts measures lines with.
 * Deterministic: the same inputs give the same bytes.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import subsetFont from "subset-font";

const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCE = `${root}node_modules/@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf`;
export const FONT_PATH = `${root}src/image/font/NotoSansKR-Regular.subset.ttf`;

const span = (first, last) => String.fromCodePoint(...Array.from({ length: last - first + 1 }, (_, i) => first + i));

const KEPT = [
  span(0x20, 0x7e), // Basic Latin
  span(0xa0, 0x24f), // Latin-1 and Latin Extended-A/B: names with accents
  span(0x2010, 0x205e), // General Punctuation: dashes, quotes, ellipsis, bullets
  span(0x20a0, 0x20bf), // currency (₩, €)
  span(0x2150, 0x2199), // number forms (½, Ⅲ) and arrows
  span(0x2200, 0x22ff), // mathematical operators: the minus sign of "+1/−1 words"
  span(0x2460, 0x24ff), // enclosed numbers (①)
  span(0x25a0, 0x25ff), // geometric shapes: the ▲ and ■ bullets of Korean reports
  span(0x3000, 0x303f), // CJK punctuation: 「」『』《》〈〉、。
  span(0x3131, 0x318e), // Hangul compatibility jamo (ㄱ, ㅋㅋ)
  span(0x3380, 0x33ff), // CJK compatibility units (㎞, ㎡)
  span(0xac00, 0xd7a3), // every modern Hangul syllable
  span(0xff01, 0xff5e), // full-width forms
  "美北中日韓與野靑故前現新號軍外元",
].join("");

export async function buildFont() {
  const font = await subsetFont(readFileSync(SOURCE), KEPT, {
    targetFormat: "truetype",
    noHinting: true,
    dropTables: ["GSUB", "GPOS", "GDEF", "vhea", "vmtx", "VORG", "DSIG"],
  });
  mkdirSync(dirname(FONT_PATH), { recursive: true });
  writeFileSync(FONT_PATH, font);
  return font.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await buildFont();
  console.log(`redline image font: ${FONT_PATH.slice(root.length)} (${bytes} bytes)`);
}
