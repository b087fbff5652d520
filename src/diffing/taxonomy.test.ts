import { describe, expect, it } from "vitest";
import type { ArticleContent } from "../model";
import { diffVersions, type DiffSide } from ".";
import { correctionAppeared, figuresChanged, quotesChanged } from "./flags";

/*
 * Golden tests of the edit taxonomy (NewsEdits: sentence additions, deletions, edits and
 * refactors) and the derived flags, on hand-made pairs of a wire story about the 2019 talks.
 */

const LEAD = "South Korea and the U.S. ended a third round of talks on Dec. 18 without a deal.";
const DEMAND = "Washington asked Seoul to pay $5 billion a year, officials said.";
const QUOTE = '"We will continue to work closely," said chief negotiator Jeong Eun-bo.';
const NEXT = "The next round is due in January in Washington.";
const CONTEXT = "Seoul paid about $870 million this year under the current agreement.";

function story(paragraphs: string[], overrides: Partial<ArticleContent> = {}): ArticleContent {
  return {
    title: "Defence cost talks end without deal",
    byline: "Kim Yoo-chul",
    publishedAt: "2019-12-18T20:39:00+09:00",
    modifiedAt: "2019-12-18T20:39:00+09:00",
    paragraphs,
    ...overrides,
  };
}

const ORIGINAL = story([`${LEAD} ${DEMAND}`, QUOTE, `${NEXT} ${CONTEXT}`]);
const UPDATED = "2019-12-19T09:10:00+09:00";
const edit = (paragraphs: string[], overrides: Partial<ArticleContent> = {}): ReturnType<typeof diffVersions> =>
  diffVersions(ORIGINAL, story(paragraphs, { modifiedAt: UPDATED, ...overrides }));

describe("sentence taxonomy", () => {
  it("an added sentence inside a paragraph", () => {
    const added = "Both sides described the talks as productive.";
    const diff = edit([`${LEAD} ${added} ${DEMAND}`, QUOTE, `${NEXT} ${CONTEXT}`]);
    expect(diff.sentences.added).toEqual([{ paragraph: 0, text: added }]);
    expect(diff.sentences).toMatchObject({ removed: [], edited: [], moved: [] });
    expect(diff.summary).toBe("1 sentence added; +7/−0 words; modified timestamp moved");
  });

  it("a quietly removed claim", () => {
    const diff = edit([LEAD, QUOTE, `${NEXT} ${CONTEXT}`]);
    expect(diff.sentences.removed).toEqual([{ paragraph: 0, text: DEMAND }]);
    expect(diff.kinds).toEqual(["modified-date", "body"]);
    expect(diff.summary).toBe("1 sentence removed; +0/−11 words; modified timestamp moved");
  });

  it("an edited sentence pairs with its original and carries word-level parts", () => {
    const softened = "Washington reportedly asked Seoul to pay about $5 billion a year, officials said.";
    const diff = edit([`${LEAD} ${softened}`, QUOTE, `${NEXT} ${CONTEXT}`]);
    expect(diff.sentences.edited).toEqual([
      {
        before: { paragraph: 0, text: DEMAND },
        after: { paragraph: 0, text: softened },
        shape: "edited",
        words: [
          { op: "equal", text: "Washington " },
          { op: "added", text: "reportedly " },
          { op: "equal", text: "asked Seoul to pay " },
          { op: "added", text: "about " },
          { op: "equal", text: "$5 billion a year, officials said." },
        ],
      },
    ]);
    expect(diff.kinds).toEqual(["modified-date", "body"]);
    expect(diff.summary).toBe("1 sentence edited; +2/−0 words; modified timestamp moved");
  });

  it("a changed figure: numbers-changed", () => {
    const diff = edit([`${LEAD} ${DEMAND.replace("$5 billion", "$4.7 billion")}`, QUOTE, `${NEXT} ${CONTEXT}`]);
    expect(diff.kinds).toEqual(["modified-date", "body", "numbers-changed"]);
    expect(diff.summary).toBe("1 sentence edited (figures changed); +1/−1 words; modified timestamp moved");
  });

  it("a reworded quotation: quote-changed", () => {
    const diff = edit([`${LEAD} ${DEMAND}`, QUOTE.replace("continue to work closely", "keep working closely"), `${NEXT} ${CONTEXT}`]);
    expect(diff.kinds).toEqual(["modified-date", "body", "quote-changed"]);
    expect(diff.summary).toBe("1 sentence edited (quotes changed); +2/−3 words; modified timestamp moved");
  });

  it("a sentence split into two is one edit, not an addition and a deletion", () => {
    const diff = edit([
      `${LEAD} Washington asked Seoul to pay $5 billion a year. That is five times the current sum, officials said.`,
      QUOTE,
      `${NEXT} ${CONTEXT}`,
    ]);
    expect(diff.sentences.added).toEqual([]);
    expect(diff.sentences.removed).toEqual([]);
    expect(diff.sentences.edited).toHaveLength(1);
    expect(diff.sentences.edited[0]).toMatchObject({
      shape: "split",
      before: { text: DEMAND },
      after: { text: "Washington asked Seoul to pay $5 billion a year. That is five times the current sum, officials said." },
    });
    expect(diff.summary).toBe("1 sentence split in two; +8/−0 words; modified timestamp moved");
  });

  it("two sentences merged into one is one edit", () => {
    const diff = edit([`${LEAD} ${DEMAND}`, QUOTE, "The next round is due in January in Washington, where Seoul paid about $870 million this year."]);
    expect(diff.sentences.edited).toHaveLength(1);
    expect(diff.sentences.edited[0]?.shape).toBe("merged");
    expect(diff.sentences.added).toEqual([]);
    expect(diff.sentences.removed).toEqual([]);
  });

  it("a paragraph moved unchanged is a refactor: marked where it went, no paragraph or word added or removed", () => {
    const diff = edit([QUOTE, `${LEAD} ${DEMAND}`, `${NEXT} ${CONTEXT}`]);
    expect(diff.kinds).toEqual(["modified-date", "body", "refactor"]);
    expect(diff.paragraphs).toEqual([
      { op: "added", after: 0, text: QUOTE, movedFrom: 1 },
      { op: "equal", before: 0, after: 1, text: `${LEAD} ${DEMAND}` },
      { op: "removed", before: 1, text: QUOTE, movedTo: 0 },
      { op: "equal", before: 2, after: 2, text: `${NEXT} ${CONTEXT}` },
    ]);
    expect(diff.sentences).toEqual({ added: [], removed: [], edited: [], moved: [{ before: { paragraph: 1, text: QUOTE }, after: { paragraph: 0, text: QUOTE } }] });
    expect(diff.stats).toEqual({
      wordsAdded: 0,
      wordsRemoved: 0,
      paragraphsAdded: 0,
      paragraphsRemoved: 0,
      paragraphsChanged: 0,
      paragraphsMoved: 1,
      sentencesAdded: 0,
      sentencesRemoved: 0,
      sentencesEdited: 0,
      sentencesMoved: 1,
    });
    expect(diff.summary).toBe("1 paragraph moved; modified timestamp moved");
  });

  it("a sentence moved to another paragraph is a refactor that adds and removes no words", () => {
    const diff = edit([LEAD, QUOTE, `${NEXT} ${CONTEXT} ${DEMAND}`]);
    expect(diff.kinds).toEqual(["modified-date", "body", "refactor"]);
    expect(diff.sentences).toEqual({ added: [], removed: [], edited: [], moved: [{ before: { paragraph: 0, text: DEMAND }, after: { paragraph: 2, text: DEMAND } }] });
    expect(diff.stats).toMatchObject({ wordsAdded: 0, wordsRemoved: 0, paragraphsChanged: 2, paragraphsMoved: 0, sentencesMoved: 1 });
    expect(diff.summary).toBe("1 sentence moved; modified timestamp moved");
  });

  it("an appended correction", () => {
    const correction = "Correction: An earlier version of this story misstated the amount Seoul paid this year.";
    const diff = edit([`${LEAD} ${DEMAND}`, QUOTE, `${NEXT} ${CONTEXT}`, correction]);
    expect(diff.kinds).toEqual(["modified-date", "body", "correction"]);
    expect(diff.summary).toBe("1 paragraph added; correction or editor's note added; +14/−0 words; modified timestamp moved");
  });

  it("a rewritten headline with a changed figure, and a stealth edit", () => {
    const diff = diffVersions(ORIGINAL, { ...ORIGINAL, title: "US asks Seoul for $5 billion as talks stall" });
    expect(diff.kinds).toEqual(["title", "stealth-edit"]);
    const figure = diffVersions(
      story(ORIGINAL.paragraphs, { title: "US demands $5 billion from Seoul" }),
      story(ORIGINAL.paragraphs, { title: "US demands $4.7 billion from Seoul", modifiedAt: UPDATED }),
    );
    expect(figure.kinds).toEqual(["title", "modified-date", "numbers-changed"]);
    expect(figure.summary).toBe("Headline edited (figures changed); modified timestamp moved");
  });
});

describe("field changes beside the content", () => {
  it("reports canonical and final URL changes when both sides know them", () => {
    const before: DiffSide = { ...ORIGINAL, canonicalUrl: "https://news.example/a/1", finalUrl: "https://news.example/a/1" };
    const after: DiffSide = { ...ORIGINAL, canonicalUrl: "https://news.example/a/1-talks", finalUrl: "https://m.news.example/a/1" };
    const diff = diffVersions(before, after);
    expect(diff.kinds).toEqual(["canonical-url", "final-url"]);
    expect(diff.fields["canonical-url"]).toEqual({ before: "https://news.example/a/1", after: "https://news.example/a/1-talks" });
    expect(diff.summary).toBe("Canonical URL changed; final URL changed");
  });

  it("does not report a URL an older version never recorded", () => {
    expect(diffVersions(ORIGINAL, { ...ORIGINAL, canonicalUrl: "https://news.example/a/1" }).kinds).toEqual([]);
  });
});

describe("significance", () => {
  const score = (paragraphs: string[], overrides: Partial<ArticleContent> = {}): number => edit(paragraphs, overrides).significance;

  it("ranks trivia low and rewrites high", () => {
    const timestampOnly = score(ORIGINAL.paragraphs);
    const punctuation = score([`${LEAD} ${DEMAND.replace(", officials said", " officials said")}`, QUOTE, `${NEXT} ${CONTEXT}`]);
    const moved = score([QUOTE, `${LEAD} ${DEMAND}`, `${NEXT} ${CONTEXT}`]);
    const oneWord = score([`${LEAD} ${DEMAND.replace("asked", "urged")}`, QUOTE, `${NEXT} ${CONTEXT}`]);
    const figure = score([`${LEAD} ${DEMAND.replace("$5 billion", "$4.7 billion")}`, QUOTE, `${NEXT} ${CONTEXT}`]);
    const headline = score(ORIGINAL.paragraphs, { title: "Seoul rejects Washington's demand" });
    const rewrite = score(["Everything about this story is new now.", "Nothing remains of the first report at all."]);

    expect(timestampOnly).toBeLessThan(0.05);
    expect(punctuation).toBeLessThan(0.1);
    expect(moved).toBeLessThanOrEqual(0.15);
    expect(oneWord).toBeGreaterThan(punctuation);
    expect(figure).toBeGreaterThan(oneWord);
    expect(headline).toBeGreaterThanOrEqual(0.6);
    expect(rewrite).toBeGreaterThan(0.8);
    for (const value of [timestampOnly, punctuation, moved, oneWord, figure, headline, rewrite]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });
  it("weighs a move alone at 0.1, and a move beside an edit by the edited words only", () => {
    const oneWord = DEMAND.replace("asked", "urged");
    expect(diffVersions(ORIGINAL, story([QUOTE, `${LEAD} ${DEMAND}`, `${NEXT} ${CONTEXT}`])).significance).toBe(0.1);
    expect(score([`${LEAD} ${oneWord}`, QUOTE, `${NEXT} ${CONTEXT}`])).toBe(0.17);
    expect(score([QUOTE, `${LEAD} ${oneWord}`, `${NEXT} ${CONTEXT}`])).toBe(0.17);
  });
});

describe("flag predicates on plain text", () => {
  const editOf = (before: string, after: string) => ({ before: { paragraph: 0, text: before }, after: { paragraph: 0, text: after }, shape: "edited" as const, words: [] });

  it("figures: changed, reordered, added", () => {
    expect(figuresChanged([editOf("Costs rose 5%.", "Costs rose 7%.")], undefined)).toBe(true);
    expect(figuresChanged([editOf("From 2 to 3 ships.", "To 3 from 2 ships.")], undefined)).toBe(false);
    expect(figuresChanged([editOf("Costs rose.", "Costs rose 7%.")], undefined)).toBe(false);
    expect(figuresChanged([], { before: "10 killed", after: "12 killed" })).toBe(true);
  });

  it("quotes: reworded, added to a sentence, untouched", () => {
    expect(quotesChanged([editOf("He said “no deal.”", "He said “no deal yet.”")])).toBe(true);
    expect(quotesChanged([editOf("He refused.", "He refused: «never».")])).toBe(true);
    expect(quotesChanged([editOf("He said “no deal,” on Friday.", "He said “no deal,” late on Friday.")])).toBe(false);
  });

  it("corrections in English and Korean, only when new", () => {
    const added = (text: string) => ({ added: [{ paragraph: 0, text }], removed: [], edited: [], moved: [] });
    expect(correctionAppeared(added("Editor's note: This story has been updated to include comment from the ministry."))).toBe(true);
    expect(correctionAppeared(added("바로잡습니다: 기사의 금액을 정정합니다."))).toBe(true);
    expect(correctionAppeared(added("The ministry declined to comment."))).toBe(false);
    expect(correctionAppeared({ added: [], removed: [], moved: [], edited: [editOf("Correction: one.", "Correction: two.")] })).toBe(false);
  });
});
