/**
 * Glyph advance widths read from a TrueType font's own tables (head, hhea, hmtx, cmap), so that
 * lines are wrapped with the widths the renderer will draw. Pure: bytes in, widths out. The
 * bundled font carries no kerning or ligatures (scripts/build-font.mjs drops GSUB/GPOS), so a
 * line's width is exactly the sum of its characters' advances.
 */

/** The family name of the bundled font, as the SVG names it and resvg finds it. */
export const FONT_FAMILY = "Noto Sans KR";

export interface FontMetrics {
  unitsPerEm: number;
  /** The advance of `codePoint` in font units; a character the font lacks takes the missing glyph's (glyph 0). */
  advance(codePoint: number): number;
}

class FontFormatError extends Error {}

/** The offset of each table by tag, from the table directory (OpenType §"Table directory"). */
function tableOffsets(view: DataView): Map<string, number> {
  const count = view.getUint16(4);
  const tables = new Map<string, number>();
  for (let index = 0; index < count; index++) {
    const record = 12 + index * 16;
    const tag = String.fromCharCode(view.getUint8(record), view.getUint8(record + 1), view.getUint8(record + 2), view.getUint8(record + 3));
    tables.set(tag, view.getUint32(record + 8));
  }
  return tables;
}

function requiredTable(tables: Map<string, number>, tag: string): number {
  const offset = tables.get(tag);
  if (offset === undefined) throw new FontFormatError(`the font has no ${tag} table`);
  return offset;
}

/** Code point → glyph id from the best Unicode subtable: format 12 (full range) or else format 4 (BMP). */
function glyphIndex(view: DataView, cmap: number): Map<number, number> {
  const subtables: Array<{ format: number; offset: number }> = [];
  const count = view.getUint16(cmap + 2);
  for (let index = 0; index < count; index++) {
    const record = cmap + 4 + index * 8;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    const offset = cmap + view.getUint32(record + 4);
    subtables.push({ format: view.getUint16(offset), offset });
  }
  const glyphs = new Map<number, number>();
  const full = subtables.find((table) => table.format === 12);
  if (full) {
    const groups = view.getUint32(full.offset + 12);
    for (let group = 0; group < groups; group++) {
      const at = full.offset + 16 + group * 12;
      const first = view.getUint32(at);
      const last = view.getUint32(at + 4);
      const firstGlyph = view.getUint32(at + 8);
      for (let codePoint = first; codePoint <= last; codePoint++) glyphs.set(codePoint, firstGlyph + codePoint - first);
    }
    return glyphs;
  }
  const bmp = subtables.find((table) => table.format === 4);
  if (!bmp) throw new FontFormatError("the font has no Unicode cmap subtable of format 4 or 12");
  const segments = view.getUint16(bmp.offset + 6) / 2;
  const ends = bmp.offset + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let segment = 0; segment < segments; segment++) {
    const end = view.getUint16(ends + segment * 2);
    const start = view.getUint16(starts + segment * 2);
    const delta = view.getInt16(deltas + segment * 2);
    const rangeOffsetAt = rangeOffsets + segment * 2;
    const rangeOffset = view.getUint16(rangeOffsetAt);
    for (let codePoint = start; codePoint <= end && codePoint !== 0xffff; codePoint++) {
      if (rangeOffset === 0) {
        glyphs.set(codePoint, (codePoint + delta) & 0xffff);
        continue;
      }
      const glyph = view.getUint16(rangeOffsetAt + rangeOffset + (codePoint - start) * 2);
      if (glyph !== 0) glyphs.set(codePoint, (glyph + delta) & 0xffff);
    }
  }
  return glyphs;
}

/** Reads the metrics of a TrueType/OpenType font once; `advance` is then a map lookup. */
export function parseFontMetrics(bytes: Uint8Array): FontMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = tableOffsets(view);
  const unitsPerEm = view.getUint16(requiredTable(tables, "head") + 18);
  const longMetrics = view.getUint16(requiredTable(tables, "hhea") + 34);
  const hmtx = requiredTable(tables, "hmtx");
  // Glyphs past the last long metric share its advance (hmtx's trailing left side bearings).
  const glyphAdvance = (glyph: number): number => view.getUint16(hmtx + Math.min(glyph, longMetrics - 1) * 4);
  const advances = new Map<number, number>();
  for (const [codePoint, glyph] of glyphIndex(view, requiredTable(tables, "cmap"))) advances.set(codePoint, glyphAdvance(glyph));
  const missing = glyphAdvance(0);
  return { unitsPerEm, advance: (codePoint) => advances.get(codePoint) ?? missing };
}

/** The width of `text` set at `fontSize` px in `font`. */
export function textWidth(font: FontMetrics, text: string, fontSize: number): number {
  let units = 0;
  for (const character of text) units += font.advance(character.codePointAt(0)!);
  return (units * fontSize) / font.unitsPerEm;
}
