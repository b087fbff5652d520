/**
 * Line breaking of styled text with measured glyph widths: pure, so every wrapped line's width is
 * known before anything is drawn. Lines break at spaces (between English words and between Korean
 * eojeol, as Korean is set with word spacing) and between CJK ideographs; a word wider than the
 * whole line is broken between characters, which for Hangul is between syllables.
 */
import { textWidth, type FontMetrics } from "./font-metrics";

export type RunStyle = "plain" | "context" | "added" | "removed" | "moved" | "muted" | "label";

/** A stretch of text in one style. */
export interface Run {
  text: string;
  style: RunStyle;
}

/** One laid-out line: its runs and its width in px (trailing spaces excluded and not drawn). */
export interface WrappedLine {
  runs: Run[];
  width: number;
}

interface Glyph {
  character: string;
  style: RunStyle;
  width: number;
}

// Characters XML 1.0 cannot carry (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF).
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Whitespace runs become one space and characters XML cannot hold are dropped, across run boundaries. */
function glyphsOf(runs: readonly Run[], font: FontMetrics, fontSize: number): Glyph[] {
  const glyphs: Glyph[] = [];
  for (const run of runs) {
    for (const raw of run.text.replace(NOT_XML, "")) {
      const character = /\s/.test(raw) ? " " : raw;
      if (character === " " && (glyphs.length === 0 || glyphs.at(-1)!.character === " ")) continue;
      glyphs.push({ character, style: run.style, width: textWidth(font, character, fontSize) });
    }
  }
  return glyphs;
}

const IDEOGRAPH = /\p{Script=Han}|[\u3000-\u303f\uff01-\uff5e]/u;

/** Whether a line may break between `before` and `after` without a space (CJK ideographs and punctuation). */
const breakBetween = (before: string, after: string): boolean => before !== " " && after !== " " && (IDEOGRAPH.test(before) || IDEOGRAPH.test(after));

/** The glyphs split into unbreakable words, each keeping the spaces that follow it. */
function wordsOf(glyphs: Glyph[]): Glyph[][] {
  const words: Glyph[][] = [];
  let word: Glyph[] = [];
  glyphs.forEach((glyph, index) => {
    const previous = glyphs[index - 1];
    if (word.length > 0 && previous && ((previous.character === " " && glyph.character !== " ") || breakBetween(previous.character, glyph.character))) {
      words.push(word);
      word = [];
    }
    word.push(glyph);
  });
  if (word.length > 0) words.push(word);
  return words;
}

const inkWidth = (glyphs: readonly Glyph[]): number => {
  let end = glyphs.length;
  while (end > 0 && glyphs[end - 1]!.character === " ") end--;
  return glyphs.slice(0, end).reduce((sum, glyph) => sum + glyph.width, 0);
};

const fullWidth = (glyphs: readonly Glyph[]): number => glyphs.reduce((sum, glyph) => sum + glyph.width, 0);

/** Consecutive glyphs of one style as runs, trailing spaces left out. */
function lineOf(glyphs: Glyph[]): WrappedLine {
  let end = glyphs.length;
  while (end > 0 && glyphs[end - 1]!.character === " ") end--;
  const runs: Run[] = [];
  for (const glyph of glyphs.slice(0, end)) {
    const last = runs.at(-1);
    if (last && last.style === glyph.style) last.text += glyph.character;
    else runs.push({ text: glyph.character, style: glyph.style });
  }
  return { runs, width: inkWidth(glyphs) };
}

/** `runs` set at `fontSize` px in lines no wider than `maxWidth` px. */
export function wrapRuns(runs: readonly Run[], font: FontMetrics, fontSize: number, maxWidth: number): WrappedLine[] {
  const lines: Glyph[][] = [];
  let line: Glyph[] = [];
  for (const word of wordsOf(glyphsOf(runs, font, fontSize))) {
    if (line.length > 0 && fullWidth(line) + inkWidth(word) > maxWidth) {
      lines.push(line);
      line = [];
    }
    if (line.length === 0 && inkWidth(word) > maxWidth) {
      // Wider than a whole line (a long URL, a long Korean compound): broken between characters.
      for (const glyph of word) {
        if (line.length > 0 && glyph.character !== " " && inkWidth(line) + glyph.width > maxWidth) {
          lines.push(line);
          line = [];
        }
        line.push(glyph);
      }
      continue;
    }
    line.push(...word);
  }
  if (line.length > 0) lines.push(line);
  return lines.map(lineOf);
}

/**
 * `line` shortened so that it ends with an ellipsis and still fits `maxWidth`: the last line shown
 * of text that goes on.
 */
export function withEllipsis(line: WrappedLine, font: FontMetrics, fontSize: number, maxWidth: number): WrappedLine {
  const glyphs = glyphsOf(line.runs, font, fontSize);
  const ellipsisStyle = glyphs.at(-1)?.style ?? "plain";
  const ellipsis: Glyph = { character: "…", style: ellipsisStyle, width: textWidth(font, "…", fontSize) };
  while (glyphs.length > 0 && (inkWidth(glyphs) + ellipsis.width > maxWidth || glyphs.at(-1)!.character === " ")) glyphs.pop();
  return lineOf([...glyphs, { ...ellipsis, style: glyphs.at(-1)?.style ?? ellipsisStyle }]);
}
