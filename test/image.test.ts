/**
 * The redline image's SVG, line breaking and alt text, on the seed edits' diffs (built from the
 * fixtures' expected extractions) and on made-up diffs: plain values in, markup and text out.
 * Runs in the workers pool because the bundled font is a wrangler `Data` module.
 */
import { Resvg } from "@resvg/resvg-wasm";
import { describe, expect, it } from "vitest";
import type { DiffDocument } from "../src/diffing/render";
import type { ParagraphDiff } from "../src/model";
import { MAX_ALT_LENGTH, redlineAlt, wordEdits } from "../src/image/alt";
import { bundledFontMetrics, FONT_BYTES } from "../src/image/font";
import { textWidth } from "../src/image/font-metrics";
import { escapeXml, IMAGE_WIDTH, layoutRedline, MAX_IMAGE_HEIGHT, renderRedlineSvg } from "../src/image/svg";
import { svgToPng } from "../src/image/png";
import { wrapRuns } from "../src/image/wrap";
import { KOREAN_DOCUMENT, KOREAN_PAGE, SEED_EDITS } from "./image-fixtures";

const font = bundledFontMetrics();
const DELETED = /<tspan fill="#b3261e" text-decoration="line-through">([^<]*)<\/tspan>/g;
const INSERTED = /<tspan fill="#0a6b2d" text-decoration="underline">([^<]*)<\/tspan>/g;
const marked = (svg: string, mark: RegExp): string[] => [...svg.matchAll(mark)].map((match) => match[1]!);
const lineTexts = (document: DiffDocument): string[] => layoutRedline(document, font).lines.map((line) => line.runs.map((run) => run.text).join(""));

function documentWith(paragraphs: ParagraphDiff[], title = "A headline"): DiffDocument {
  const { diff } = SEED_EDITS.yonhap;
  return {
    articleUrl: "https://news.example/story",
    from: { n: 1, capturedAt: "2026-01-01T00:00:00Z", title },
    to: { n: 2, capturedAt: "2026-01-02T00:00:00Z", title },
    diff: { ...diff, fields: {}, paragraphs },
  };
}

describe("the font's metrics", () => {
  it("come from the bundled font's own tables: 1000 units per em, every Hangul syllable as wide, i narrower than W", () => {
    expect(font.unitsPerEm).toBe(1000);
    expect(new Set(["가", "한", "똠", "힣", "뷁"].map((syllable) => font.advance(syllable.codePointAt(0)!)))).toEqual(new Set([920]));
    expect(font.advance("i".codePointAt(0)!)).toBeLessThan(font.advance("W".codePointAt(0)!));
    expect(textWidth(font, "한국", 20)).toBe(36.8);
  });

  it("are the widths resvg draws with: each line's ink spans its measured advance, less the side bearings", async () => {
    // The first render instantiates resvg's WebAssembly; the measurements below use the same instance.
    await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
    for (const text of ["Wednesday that his team is \"not focused on\" its initial demand", "미국은 이번 협상에서 올해 분담금 1조389억원의 다섯배가 넘는 47억달러를"]) {
      const measured = textWidth(font, text, 22);
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="60"><text x="10" y="40" font-size="22" font-family="Noto Sans KR">${escapeXml(text)}</text></svg>`;
      const renderer = new Resvg(svg, { font: { fontBuffers: [FONT_BYTES], defaultFontFamily: "Noto Sans KR" } });
      const ink = renderer.innerBBox()!.width;
      renderer.free();
      expect(ink).toBeLessThanOrEqual(measured);
      expect(ink).toBeGreaterThan(measured - 4);
    }
  });
});

describe("the redline SVG", () => {
  it("is 1200 px wide, with the headline, the site, both versions and their capture times", () => {
    const { svg, width, height } = renderRedlineSvg(SEED_EDITS.yonhap, font);
    expect(width).toBe(IMAGE_WIDTH);
    expect(svg).toMatch(new RegExp(`^<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="${height}" viewBox="0 0 1200 ${height}"`));
    expect(lineTexts(SEED_EDITS.yonhap).slice(0, 4)).toEqual([
      "Redline · en.yna.co.kr",
      "Top U.S. negotiator says U.S. 'not focused on' initial $5 billion",
      "demand anymore",
      "Version 1, captured 2019-12-18 11:45 UTC → version 2, captured 2019-12-18 14:20 UTC",
    ]);
  });

  it("strikes through and colours the deleted words, underlines and colours the inserted ones (the Yonhap stealth edit)", () => {
    const { svg } = renderRedlineSvg(SEED_EDITS.yonhap, font);
    expect(marked(svg, DELETED)).toEqual(["six", "Deleted text struck through"]);
    expect(marked(svg, INSERTED)).toEqual(["five", "inserted text underlined"]);
  });

  it("marks a rewritten headline as a deleted and an inserted field, and an added and a removed paragraph whole", () => {
    const headline = renderRedlineSvg(SEED_EDITS.hankyoreh3rdRound, font).svg;
    expect(marked(headline, DELETED).join(" ")).toContain("US walks away from 3rd round of defense cost-sharing talks");
    expect(marked(headline, INSERTED).join(" ")).toContain("US unilaterally halts 3rd round of defense cost-sharing negotiations");
    expect(marked(renderRedlineSvg(SEED_EDITS.hankyoreh1stRound, font).svg, INSERTED).join(" ")).toContain("the Foreign Ministry announced on Wednesday.");
    expect(marked(renderRedlineSvg(SEED_EDITS.globalSecurity, font).svg, DELETED).join(" ")).toContain("according to South Korean officials.");
  });

  it("fits every line in its text box, for every seed edit and the Korean one", () => {
    for (const document of [...Object.values(SEED_EDITS), KOREAN_DOCUMENT]) {
      const layout = layoutRedline(document, font);
      for (const line of layout.lines) {
        expect(line.width).toBeLessThanOrEqual(line.maxWidth);
        expect(line.x + line.maxWidth).toBeLessThanOrEqual(IMAGE_WIDTH - 48);
        // The measured width is the width of the drawn text.
        expect(line.width).toBeCloseTo(textWidth(font, line.runs.map((run) => run.text).join(""), line.size), 6);
      }
    }
  });

  it("escapes markup and ampersands of the headline and the text", () => {
    const hostile = documentWith([{ op: "added", after: 0, text: `Fish & chips <img src=x onerror="alert(1)">` }], `<script>alert("x")</script> Tom & Jerry's`);
    const { svg } = renderRedlineSvg(hostile, font);
    expect(svg).not.toContain("<script");
    expect(svg).not.toContain("<img");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tom &amp; Jerry&apos;s");
    expect(svg).toContain("Fish &amp; chips &lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    // Every element is one the renderer writes.
    expect(new Set([...svg.matchAll(/<\/?([a-z]+)/g)].map((match) => match[1]))).toEqual(new Set(["svg", "title", "rect", "text", "tspan"]));
    expect(escapeXml(`<&>"'`)).toBe("&lt;&amp;&gt;&quot;&apos;");
  });

  it("wraps the Korean edit between words (eojeol), each line whole words, and marks its edits", () => {
    const { svg } = renderRedlineSvg(KOREAN_DOCUMENT, font);
    expect(marked(svg, DELETED)).toEqual(["50", " 안팎을 ", "Deleted text struck through"]);
    expect(marked(svg, INSERTED)).toEqual(["47", "를 ", " 외교부는 다음 협상 일정을 미국 쪽과 협의하고 있다고 밝혔다.", "inserted text underlined"]);
    const paragraph = KOREAN_PAGE.paragraphs[3]!;
    const lines = wrapRuns([{ text: paragraph, style: "plain" }], font, 22, 1064);
    expect(lines.length).toBe(3);
    expect(lines.map((line) => line.runs[0]!.text).join(" ")).toBe(paragraph);
  });

  it("breaks a Korean word longer than the line between syllables, and a long URL between characters", () => {
    const word = "방위비분담특별협정".repeat(12);
    const lines = wrapRuns([{ text: word, style: "plain" }], font, 22, 400);
    expect(lines.map((line) => line.runs[0]!.text).join("")).toBe(word);
    expect(lines.every((line) => line.width <= 400)).toBe(true);
    expect(lines.slice(0, -1).every((line) => line.width > 400 - 22)).toBe(true);
    const url = `https://news.example/${"a".repeat(200)}`;
    expect(wrapRuns([{ text: url, style: "plain" }], font, 22, 400).map((line) => line.runs[0]!.text).join("")).toBe(url);
  });

  it("stops at 2400 px and counts the changes it leaves out", () => {
    const paragraphs: ParagraphDiff[] = Array.from({ length: 80 }, (_, index) => ({ op: "added", after: index, text: `Paragraph ${index + 1} was added to the story with some words. `.repeat(3) }));
    const { layout, height, svg } = renderRedlineSvg(documentWith(paragraphs), font);
    expect(height).toBeLessThanOrEqual(MAX_IMAGE_HEIGHT);
    const shown = new Set(layout.lines.flatMap((line) => [...line.runs.map((run) => run.text).join("").matchAll(/Paragraph (\d+) was/g)].map((match) => match[1])));
    expect(layout.omittedChanges).toBe(80 - shown.size);
    expect(layout.omittedChanges).toBeGreaterThan(0);
    expect(svg).toContain(`… ${layout.omittedChanges} more changes`);
  });

  it("counts the unchanged paragraphs it leaves out, keeping one of context either side of a change", () => {
    const equal = (index: number): ParagraphDiff => ({ op: "equal", before: index, after: index, text: `Unchanged ${index + 1}.` });
    const paragraphs = [equal(0), equal(1), equal(2), { op: "removed", before: 3, text: "Gone." } as const, equal(3), equal(4), equal(5)];
    expect(lineTexts(documentWith(paragraphs)).slice(4, 9)).toEqual(["[2 unchanged paragraphs]", "Unchanged 3.", "Gone.", "Unchanged 4.", "[2 unchanged paragraphs]"]);
  });
});

describe("the alt text", () => {
  it("states each seed edit in words", () => {
    expect(Object.fromEntries(Object.entries(SEED_EDITS).map(([name, document]) => [name, redlineAlt(document)]))).toEqual({
      yonhap:
        "Redline of “Top U.S. negotiator says U.S. 'not focused on' initial $5 billion demand anymore”, version 1 (2019-12-18 11:45 UTC) → version 2 (2019-12-18 14:20 UTC). en.yna.co.kr replaced “six-fold” with “five-fold” in paragraph 1.",
      hankyoreh3rdRound:
        "Redline of “US unilaterally halts 3rd round of defense cost-sharing negotiations”, version 2 (2019-11-20 09:30 UTC) → version 3 (2019-11-20 11:10 UTC). english.hani.co.kr changed the headline from “US walks away from 3rd round of defense cost-sharing talks” to “US unilaterally halts 3rd round of defense cost-sharing negotiations”; changed the modified time from 2019-11-20T18:21:00+09:00 to 2019-11-20T20:02:00+09:00.",
      hankyoreh1stRound:
        "Redline of “S. Korea, US wrap up 1st round of defense cost-sharing negotiations”, version 1 (2019-09-26 08:15 UTC) → version 2 (2019-10-19 11:35 UTC). english.hani.co.kr changed the modified time from 2019-09-26T17:10:00+09:00 to 2019-10-19T20:29:00+09:00; added paragraph 7: ““South Korea and the US are in agreement that our alliance is more robust than ever before and concluded that the previous cost-sharing negotiations were…”",
      globalSecurity:
        "Redline of “US-South Korea military cost-sharing talks collapse”, version 1 (2019-11-19 08:30 UTC) → version 2 (2019-11-19 13:05 UTC). globalsecurity.org deleted paragraph 10: “The two sides are scheduled to hold the next round of talks in Washington in December, according to South Korean officials.”",
    });
  });

  it("quotes a Korean replacement as whole words, edits joined without a space as one", () => {
    expect(redlineAlt(KOREAN_DOCUMENT)).toBe(
      "Redline of “미국, 방위비 분담금 3차 협상 일방 중단”, version 1 (2019-11-19 10:10 UTC) → version 2 (2019-11-19 12:40 UTC). fixtures.redline.test replaced “50억달러 안팎을” with “47억달러를” and inserted “외교부는 다음 협상 일정을 미국 쪽과 협의하고 있다고 밝혔다.” in paragraph 5.",
    );
    expect(wordEdits([{ op: "equal", text: "up " }, { op: "removed", text: "6" }, { op: "added", text: "5" }, { op: "equal", text: "%, said" }])).toEqual(["replaced “6%,” with “5%,”"]);
  });

  it("stays within 1500 characters, counting the edits it leaves out and cutting quotes at a word", () => {
    const paragraphs: ParagraphDiff[] = Array.from({ length: 40 }, (_, index) => ({ op: "removed", before: index, text: `Sentence number ${index + 1} said something long enough to quote here. `.repeat(4) }));
    const alt = redlineAlt(documentWith(paragraphs));
    expect([...alt].length).toBeLessThanOrEqual(MAX_ALT_LENGTH);
    expect(alt).toMatch(/; and \d+ more edits\.$/);
    const shown = alt.match(/deleted paragraph \d+/g)!.length;
    expect(alt).toContain(`; and ${40 - shown} more edits.`);
    expect(alt).toContain("deleted paragraph 1: “Sentence number 1 said something long enough to quote here. Sentence number 1 said something long enough to quote here. Sentence number 1 said something long…”");
  });

  it("says what changed when nothing in the text did: the diff's summary", () => {
    const document = documentWith([]);
    expect(redlineAlt(document)).toBe(
      `Redline of “A headline”, version 1 (2026-01-01 00:00 UTC) → version 2 (2026-01-02 00:00 UTC). ${document.diff.summary}.`,
    );
  });
});
