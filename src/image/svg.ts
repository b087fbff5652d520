/**
 * The redline of a diff as an SVG 1200 px wide: the headline, the site, the two versions and
 * their capture times, the summary, then the changed fields and the changed paragraphs with one
 * unchanged paragraph of context around each, and a legend. Deleted text is struck through and
 * red, inserted text underlined and green, so the marks survive without colour. Pure: the layout
 * is computed from the font's advance widths (every line's width is known and fits its box), and
 * every text is escaped for XML.
 */
import type { FieldChange, FieldKind, ParagraphDiff, WordPart } from "../model";
import { changeRanges, FIELD_LABELS, moveNote, type DiffDocument } from "../diffing/render/document";
import { FONT_FAMILY, type FontMetrics } from "./font-metrics";
import { withEllipsis, wrapRuns, type Run, type RunStyle, type WrappedLine } from "./wrap";

export const IMAGE_WIDTH = 1200;
/** The tallest image drawn; what does not fit is counted in a "… N more changes" line. */
export const MAX_IMAGE_HEIGHT = 2400;

const MARGIN = 48;
/** Changed blocks carry a bar in the left margin; their text starts after it. */
const BAR_WIDTH = 6;
const TEXT_X = MARGIN + BAR_WIDTH + 14;
/** Lines of an unchanged context paragraph shown at most (it is there to orient, not to be read). */
const CONTEXT_LINES = 3;
const HEADLINE_LINES = 3;

interface TextStyle {
  size: number;
  lineHeight: number;
}

const BRAND: TextStyle = { size: 16, lineHeight: 26 };
const HEADLINE: TextStyle = { size: 34, lineHeight: 46 };
const META: TextStyle = { size: 18, lineHeight: 28 };
const BODY: TextStyle = { size: 22, lineHeight: 33 };
const NOTE: TextStyle = { size: 16, lineHeight: 26 };

/** How each run style is drawn: fill, and the decoration that marks it without colour. */
const RUN_PAINT: Record<RunStyle, { fill: string; decoration?: "line-through" | "underline" }> = {
  plain: { fill: "#1b1b1b" },
  context: { fill: "#5b5b5b" },
  added: { fill: "#0a6b2d", decoration: "underline" },
  removed: { fill: "#b3261e", decoration: "line-through" },
  moved: { fill: "#5b5b5b" },
  muted: { fill: "#5b5b5b" },
  label: { fill: "#1b1b1b" },
};

export type BarKind = "changed" | "added" | "removed" | "moved" | "field";
const BAR_FILL: Record<BarKind, string> = { changed: "#c77700", added: "#0a6b2d", removed: "#b3261e", moved: "#8a8a8a", field: "#c77700" };

/** A line placed on the image: its baseline `y`, and the box it had to fit. */
export interface PlacedLine extends WrappedLine {
  x: number;
  y: number;
  size: number;
  maxWidth: number;
}

export interface RedlineLayout {
  width: number;
  height: number;
  lines: PlacedLine[];
  bars: Array<{ y: number; height: number; kind: BarKind }>;
  rules: number[];
  /** Changes (fields and paragraphs) left out because the image reached its height cap. */
  omittedChanges: number;
}

/** A block of text laid out before it is placed: wrapped lines in one text style, maybe with a bar. */
interface Block {
  lines: WrappedLine[];
  style: TextStyle;
  maxWidth: number;
  x: number;
  bar?: BarKind;
  /** Whether this block is a change, counted in "N more changes" when it does not fit. */
  isChange: boolean;
  /** Space above the block. */
  gap: number;
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text fetched from anywhere, made safe as SVG character data or attribute value. */
export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (character) => XML_ESCAPES[character]!);

/** "2019-12-18T14:20:00.000Z" → "2019-12-18 14:20 UTC"; a value that is no time stays as it is. */
export function captureTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The site as readers name it in a byline: the article URL's host without `www.`. */
export function siteOf(articleUrl: string): string {
  try {
    return new URL(articleUrl).hostname.replace(/^www\./, "");
  } catch {
    return articleUrl;
  }
}

const WORD_STYLE: Record<WordPart["op"], RunStyle> = { equal: "plain", added: "added", removed: "removed" };

function paragraphRuns(paragraph: ParagraphDiff): { runs: Run[]; bar?: BarKind } {
  const note = moveNote(paragraph);
  switch (paragraph.op) {
    case "equal":
      return { runs: [{ text: paragraph.text, style: "context" }] };
    case "changed":
      return { runs: paragraph.words.map((part) => ({ text: part.text, style: WORD_STYLE[part.op] })), bar: "changed" };
    case "added":
    case "removed":
      // A moved paragraph was neither written nor deleted: drawn plain, with where it went.
      if (note !== null) return { runs: [{ text: paragraph.text, style: "moved" }, { text: ` (${note})`, style: "muted" }], bar: "moved" };
      return { runs: [{ text: paragraph.text, style: paragraph.op }], bar: paragraph.op };
  }
}

function fieldRuns(kind: FieldKind, change: FieldChange): Run[] {
  const runs: Run[] = [{ text: `${FIELD_LABELS[kind]}: `, style: "label" }];
  if (change.before !== null) runs.push({ text: change.before, style: "removed" });
  if (change.before !== null && change.after !== null) runs.push({ text: " ", style: "plain" });
  if (change.after !== null) runs.push({ text: change.after, style: "added" });
  if (change.before === null && change.after === null) runs.push({ text: "(none)", style: "muted" });
  return runs;
}

/** At most `limit` lines, the last one ending in an ellipsis when text was cut. */
function capped(lines: WrappedLine[], limit: number, font: FontMetrics, style: TextStyle, maxWidth: number): WrappedLine[] {
  if (lines.length <= limit) return lines;
  const kept = lines.slice(0, limit);
  kept[limit - 1] = withEllipsis(kept[limit - 1]!, font, style.size, maxWidth);
  return kept;
}

function textBlock(runs: Run[], font: FontMetrics, style: TextStyle, options: { x?: number; maxWidth?: number; maxLines?: number; bar?: BarKind; isChange?: boolean; gap?: number } = {}): Block {
  const x = options.x ?? TEXT_X;
  const maxWidth = options.maxWidth ?? IMAGE_WIDTH - x - MARGIN;
  const wrapped = wrapRuns(runs, font, style.size, maxWidth);
  const lines = options.maxLines === undefined ? wrapped : capped(wrapped, options.maxLines, font, style, maxWidth);
  return { lines, style, maxWidth, x, bar: options.bar, isChange: options.isChange ?? false, gap: options.gap ?? 0 };
}

const elision = (count: number): Run[] => [{ text: `[${count} unchanged paragraph${count === 1 ? "" : "s"}]`, style: "muted" }];

/** The changed fields, then the body's changed paragraphs with their context and the unchanged ones counted. */
function changeBlocks(document: DiffDocument, font: FontMetrics): Block[] {
  const blocks: Block[] = [];
  for (const [kind, change] of Object.entries(document.diff.fields) as Array<[FieldKind, FieldChange]>) {
    blocks.push(textBlock(fieldRuns(kind, change), font, BODY, { bar: "field", isChange: true, gap: 14 }));
  }
  const { paragraphs } = document.diff;
  let shownUpTo = 0;
  for (const [start, end] of changeRanges(paragraphs, (paragraph) => paragraph.op !== "equal", 1)) {
    if (start > shownUpTo) blocks.push(textBlock(elision(start - shownUpTo), font, NOTE, { gap: 14 }));
    for (const paragraph of paragraphs.slice(start, end)) {
      const { runs, bar } = paragraphRuns(paragraph);
      blocks.push(bar === undefined
        ? textBlock(runs, font, BODY, { maxLines: CONTEXT_LINES, gap: 14 })
        : textBlock(runs, font, BODY, { bar, isChange: true, gap: 14 }));
    }
    shownUpTo = end;
  }
  if (shownUpTo > 0 && paragraphs.length > shownUpTo) blocks.push(textBlock(elision(paragraphs.length - shownUpTo), font, NOTE, { gap: 14 }));
  return blocks;
}

function legendRuns(): Run[] {
  return [
    { text: "Deleted text struck through", style: "removed" },
    { text: " · ", style: "muted" },
    { text: "inserted text underlined", style: "added" },
    { text: " · ", style: "muted" },
    { text: "unchanged context in grey", style: "context" },
  ];
}

/** Where every line, bar and rule of the redline image goes. */
export function layoutRedline(document: DiffDocument, font: FontMetrics): RedlineLayout {
  const { from, to, diff } = document;
  const lines: PlacedLine[] = [];
  const bars: RedlineLayout["bars"] = [];
  const rules: number[] = [];
  let y = MARGIN;
  const place = (block: Block): void => {
    y += block.gap;
    const top = y;
    for (const line of block.lines) {
      // The baseline sits at about four fifths of the line box for Noto Sans KR.
      lines.push({ ...line, x: block.x, y: Math.round(y + block.style.lineHeight * 0.76), size: block.style.size, maxWidth: block.maxWidth });
      y += block.style.lineHeight;
    }
    if (block.bar) bars.push({ y: top + 4, height: y - top - 8, kind: block.bar });
  };
  const wide = { x: MARGIN, maxWidth: IMAGE_WIDTH - 2 * MARGIN };

  place(textBlock([{ text: `Redline · ${siteOf(document.articleUrl)}`, style: "muted" }], font, BRAND, { ...wide, maxLines: 1 }));
  place(textBlock([{ text: to.title || document.articleUrl, style: "label" }], font, HEADLINE, { ...wide, maxLines: HEADLINE_LINES, gap: 6 }));
  place(textBlock(
    [{ text: `Version ${from.n}, captured ${captureTime(from.capturedAt)} → version ${to.n}, captured ${captureTime(to.capturedAt)}`, style: "muted" }],
    font, META, { ...wide, gap: 8 },
  ));
  place(textBlock([{ text: diff.summary, style: "plain" }], font, META, { ...wide, maxLines: 2 }));
  y += 16;
  rules.push(y);

  const footer = [
    textBlock(legendRuns(), font, NOTE, { ...wide, gap: 20 }),
    textBlock([{ text: document.articleUrl, style: "muted" }], font, NOTE, { ...wide, maxLines: 1 }),
  ];
  const footerHeight = footer.reduce((sum, block) => sum + block.gap + block.lines.length * block.style.lineHeight, 0) + 16;
  const noteHeight = 14 + NOTE.lineHeight;
  const blocks = changeBlocks(document, font);
  let omittedChanges = 0;
  for (const [index, block] of blocks.entries()) {
    const rest = blocks.slice(index + 1).filter((later) => later.isChange).length;
    const room = MAX_IMAGE_HEIGHT - MARGIN - footerHeight - y - block.gap;
    const height = block.lines.length * block.style.lineHeight;
    // While changes follow, a line stays free for the "… more changes" note they may need.
    if (height <= room - (rest > 0 ? noteHeight : 0) || (rest === 0 && height <= room)) {
      place(block);
      continue;
    }
    const fitting = Math.floor((room - noteHeight) / block.style.lineHeight);
    // The cap is reached: as much of this block as fits (at least two lines, or none), then the count of the rest.
    if (fitting >= 2) place({ ...block, lines: capped(block.lines, fitting, font, block.style, block.maxWidth) });
    omittedChanges = rest + (fitting >= 2 || !block.isChange ? 0 : 1);
    break;
  }
  if (omittedChanges > 0) {
    place(textBlock([{ text: `… ${omittedChanges} more change${omittedChanges === 1 ? "" : "s"}`, style: "muted" }], font, NOTE, { gap: 14 }));
  }
  y += 16;
  rules.push(y);
  for (const block of footer) place(block);
  return { width: IMAGE_WIDTH, height: Math.ceil(y + MARGIN - 16), lines, bars, rules, omittedChanges };
}

function lineSvg(line: PlacedLine): string {
  const spans = line.runs.map(({ text, style }) => {
    const paint = RUN_PAINT[style];
    const decoration = paint.decoration ? ` text-decoration="${paint.decoration}"` : "";
    return `<tspan fill="${paint.fill}"${decoration}>${escapeXml(text)}</tspan>`;
  });
  return `<text x="${line.x}" y="${line.y}" font-size="${line.size}" xml:space="preserve">${spans.join("")}</text>`;
}

/** The SVG document of a layout; `title` is its accessible name. */
export function layoutSvg(layout: RedlineLayout, title: string): string {
  const { width, height } = layout;
  const bars = layout.bars.map((bar) => `<rect x="${MARGIN}" y="${bar.y}" width="${BAR_WIDTH}" height="${Math.max(bar.height, 4)}" fill="${BAR_FILL[bar.kind]}"/>`);
  const rules = layout.rules.map((y) => `<rect x="${MARGIN}" y="${y}" width="${width - 2 * MARGIN}" height="1" fill="#d0d0d0"/>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}, sans-serif" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...rules,
    ...bars,
    ...layout.lines.map(lineSvg),
    "</svg>",
  ].join("\n");
}

/** The redline image's SVG and its size. */
export function renderRedlineSvg(document: DiffDocument, font: FontMetrics): { svg: string; width: number; height: number; layout: RedlineLayout } {
  const layout = layoutRedline(document, font);
  const title = `Redline: ${document.to.title || document.articleUrl} (version ${document.from.n} → ${document.to.n})`;
  return { svg: layoutSvg(layout, title), width: layout.width, height: layout.height, layout };
}
