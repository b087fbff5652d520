import { describe, expect, it } from "vitest";
import type { ArticleContent, ParagraphDiff, WordPart } from "../model";
import { diffVersions, summarizeCreated, summarizeRemoved, summarizeRestored } from ".";

const P1 = "The city council voted on Tuesday to close the Elm Street library at the end of the year.";
const P2 = "Council members cited a budget shortfall of $2 million.";
const P3 = "Residents protested outside the town hall during the meeting.";
const P4 = "The mayor said no final decision on the building had been made.";

function article(overrides: Partial<ArticleContent> = {}): ArticleContent {
  return {
    title: "Council votes to close library",
    byline: "Jane Doe",
    publishedAt: "2026-04-01T09:00:00Z",
    modifiedAt: "2026-04-01T10:00:00Z",
    paragraphs: [P1, P2, P3, P4],
    ...overrides,
  };
}

const withParagraphs = (paragraphs: string[], modifiedAt = "2026-04-01T10:00:00Z"): ArticleContent =>
  article({ paragraphs, modifiedAt });

const join = (parts: WordPart[], skip: WordPart["op"]): string =>
  parts.filter((part) => part.op !== skip).map((part) => part.text).join("");

function changedEntries(paragraphs: ParagraphDiff[]): Extract<ParagraphDiff, { op: "changed" }>[] {
  return paragraphs.filter((entry): entry is Extract<ParagraphDiff, { op: "changed" }> => entry.op === "changed");
}

describe("field changes", () => {
  it("reports a new headline", () => {
    const diff = diffVersions(article(), article({ title: "Council delays library closure", modifiedAt: "2026-04-01T11:00:00Z" }));
    expect(diff.kinds).toEqual(["title", "modified-date"]);
    expect(diff.fields).toEqual({
      title: { before: "Council votes to close library", after: "Council delays library closure" },
      "modified-date": { before: "2026-04-01T10:00:00Z", after: "2026-04-01T11:00:00Z" },
    });
    expect(diff.paragraphs.every((entry) => entry.op === "equal")).toBe(true);
    expect(diff.summary).toBe("Headline rewritten; modified timestamp moved");
  });

  it("reports a new byline, including one that appears or disappears", () => {
    expect(diffVersions(article(), article({ byline: "Jane Doe and John Roe" })).kinds).toEqual(["byline"]);
    const dropped = diffVersions(article(), article({ byline: null }));
    expect(dropped.fields).toEqual({ byline: { before: "Jane Doe", after: null } });
    expect(dropped.summary).toBe("Byline changed");
  });

  it("reports a moved published date", () => {
    const diff = diffVersions(article(), article({ publishedAt: "2026-03-31T09:00:00Z" }));
    expect(diff.kinds).toEqual(["published-date"]);
    expect(diff.summary).toBe("Published date changed");
  });

  it("calls a lone modified-date move timestamp-only", () => {
    const diff = diffVersions(article(), article({ modifiedAt: "2026-04-01T12:30:00Z" }));
    expect(diff.kinds).toEqual(["modified-date", "timestamp-only"]);
    expect(diff.summary).toBe("Only the modified timestamp moved");
  });

  it("treats the same instant written with another offset as unchanged", () => {
    const diff = diffVersions(article(), article({ publishedAt: "2026-04-01T11:00:00+02:00", modifiedAt: "2026-04-01T05:00:00-05:00" }));
    expect(diff.kinds).toEqual([]);
    expect(diff.fields).toEqual({});
    expect(diff.summary).toBe("No changes");
  });

  it("ignores whitespace-only and Unicode-normalisation-only differences", () => {
    const decomposed = article({ title: "Cafe\u0301 closes", paragraphs: ["  Déjà   vu\n at the\tcafé. ", P2] });
    const composed = article({ title: "Café closes", paragraphs: ["Déjà vu at the café.", "", P2] });
    expect(diffVersions(decomposed, composed).kinds).toEqual([]);
  });
});

describe("body changes", () => {
  it("shows an edited paragraph as one change with exact word parts", () => {
    const edited = "Council members cited a budget shortfall of $3.5 million and rising costs.";
    const diff = diffVersions(article(), withParagraphs([P1, edited, P3, P4], "2026-04-01T11:00:00Z"));
    expect(diff.kinds).toEqual(["modified-date", "body", "numbers-changed"]);
    expect(diff.paragraphs.map((entry) => entry.op)).toEqual(["equal", "changed", "equal", "equal"]);
    const [change] = changedEntries(diff.paragraphs);
    expect(change).toMatchObject({ before: 1, after: 1 });
    expect(change?.words).toEqual([
      { op: "equal", text: "Council members cited a budget shortfall of $" },
      { op: "removed", text: "2" },
      { op: "added", text: "3.5" },
      { op: "equal", text: " million" },
      { op: "added", text: " and rising costs" },
      { op: "equal", text: "." },
    ]);
    expect(diff.stats).toMatchObject({ wordsAdded: 4, wordsRemoved: 1, paragraphsAdded: 0, paragraphsRemoved: 0, paragraphsChanged: 1, sentencesEdited: 1 });
    expect(diff.summary).toBe("1 sentence edited (figures changed); +4/−1 words; modified timestamp moved");
  });

  it("keeps a new paragraph as added, even next to an edited one", () => {
    const brandNew = "A petition to keep the library open has gathered 4,000 signatures since Friday.";
    const edited = P3.replace("town hall", "council chamber");
    const diff = diffVersions(article(), withParagraphs([P1, P2, brandNew, edited, P4], "2026-04-01T11:00:00Z"));
    expect(diff.paragraphs).toEqual([
      { op: "equal", before: 0, after: 0, text: P1 },
      { op: "equal", before: 1, after: 1, text: P2 },
      { op: "added", after: 2, text: brandNew },
      {
        op: "changed",
        before: 2,
        after: 3,
        words: [
          { op: "equal", text: "Residents protested outside the " },
          { op: "removed", text: "town hall" },
          { op: "added", text: "council chamber" },
          { op: "equal", text: " during the meeting." },
        ],
      },
      { op: "equal", before: 3, after: 4, text: P4 },
    ]);
    expect(diff.stats).toMatchObject({ paragraphsAdded: 1, paragraphsChanged: 1, wordsAdded: 13 + 2, wordsRemoved: 2 });
    expect(diff.summary).toBe("1 paragraph added; 1 sentence edited; +15/−2 words; modified timestamp moved");
  });

  it("does not pair a rewritten paragraph with an unrelated one", () => {
    const unrelated = "Library staff will be offered jobs at other branches, a spokeswoman said.";
    const diff = diffVersions(article(), withParagraphs([P1, unrelated, P3, P4], "2026-04-01T11:00:00Z"));
    expect(diff.paragraphs[1]).toEqual({ op: "removed", before: 1, text: P2 });
    expect(diff.paragraphs[2]).toEqual({ op: "added", after: 1, text: unrelated });
    expect(diff.summary).toBe("1 paragraph added; 1 paragraph removed; +12/−9 words; modified timestamp moved");
  });

  it("reports a removed paragraph at the place it was", () => {
    const diff = diffVersions(article(), withParagraphs([P1, P2, P4], "2026-04-01T11:00:00Z"));
    expect(diff.paragraphs).toEqual([
      { op: "equal", before: 0, after: 0, text: P1 },
      { op: "equal", before: 1, after: 1, text: P2 },
      { op: "removed", before: 2, text: P3 },
      { op: "equal", before: 3, after: 2, text: P4 },
    ]);
    expect(diff.stats).toMatchObject({ wordsAdded: 0, wordsRemoved: 9, paragraphsAdded: 0, paragraphsRemoved: 1, paragraphsChanged: 0, sentencesRemoved: 1 });
  });

  it("pairs several edited paragraphs in order within one run of changes", () => {
    const after = [P1.replace("Tuesday", "Monday"), "An entirely new paragraph about something else.", P2.replace("$2", "$2.4"), P3, P4];
    const diff = diffVersions(article(), withParagraphs(after, "2026-04-01T11:00:00Z"));
    expect(diff.paragraphs.map((entry) => entry.op)).toEqual(["changed", "added", "changed", "equal", "equal"]);
    expect(changedEntries(diff.paragraphs).map(({ before, after: at }) => [before, at])).toEqual([
      [0, 0],
      [1, 2],
    ]);
  });

  it("word parts rebuild both versions of every edited paragraph exactly", () => {
    const edits: Array<[string, string]> = [
      ["Police said 12 people died.", "Police said at least 14 people died on Tuesday."],
      ["one two three four five six", "one two THREE FOUR five six"],
      ["The minister resigned on Monday after the report.", "The minister, who denied wrongdoing, resigned on Tuesday following publication of the report."],
      ["A B C D E F G H", "A C B D F E H G"],
      ["«Nous partirons», a-t-il déclaré à 9 h.", "«Nous resterons», a-t-il déclaré à 10 h 30."],
    ];
    for (const [before, after] of edits) {
      const diff = diffVersions(withParagraphs([before]), withParagraphs([after]));
      const [change] = changedEntries(diff.paragraphs);
      expect(change, `${before} → ${after}`).toBeDefined();
      expect(join(change?.words ?? [], "removed")).toBe(after);
      expect(join(change?.words ?? [], "added")).toBe(before);
    }
  });

  it("keeps a rewritten run of words as one removal and one addition", () => {
    const diff = diffVersions(withParagraphs(["He said one two three today."]), withParagraphs(["He said four five six today."]));
    expect(changedEntries(diff.paragraphs)[0]?.words).toEqual([
      { op: "equal", text: "He said " },
      { op: "removed", text: "one two three" },
      { op: "added", text: "four five six" },
      { op: "equal", text: " today." },
    ]);
  });

  it("handles empty paragraph lists on either side", () => {
    const appeared = diffVersions(withParagraphs([]), withParagraphs([P1, P2]));
    expect(appeared.paragraphs).toEqual([
      { op: "added", after: 0, text: P1 },
      { op: "added", after: 1, text: P2 },
    ]);
    expect(appeared.stats).toMatchObject({ paragraphsAdded: 2, wordsAdded: 18 + 9 });

    const emptied = diffVersions(withParagraphs([P1]), withParagraphs([]));
    expect(emptied.paragraphs).toEqual([{ op: "removed", before: 0, text: P1 }]);

    expect(diffVersions(withParagraphs([]), withParagraphs([])).paragraphs).toEqual([]);
  });
});

describe("stealth edits", () => {
  it("flags a body edit that leaves the modified timestamp alone", () => {
    const diff = diffVersions(article(), withParagraphs([P1, P2.replace("$2", "$3"), P3, P4]));
    expect(diff.kinds).toEqual(["body", "numbers-changed", "stealth-edit"]);
    expect(diff.summary).toBe("Text changed without a new modified timestamp (stealth edit): 1 sentence edited (figures changed); +1/−1 words");
  });

  it("flags a headline edit on a page that has no modified timestamp at all", () => {
    const before = article({ modifiedAt: null });
    const diff = diffVersions(before, { ...before, title: "Library to close" });
    expect(diff.kinds).toEqual(["title", "stealth-edit"]);
    expect(diff.summary).toBe("Text changed without a new modified timestamp (stealth edit): headline rewritten");
  });
});

describe("combined changes", () => {
  it("lists every kind in order and summarises them in one line", () => {
    const before = article();
    const after = article({
      title: "Council delays library closure",
      byline: "Jane Doe and John Roe",
      publishedAt: "2026-04-01T08:00:00Z",
      modifiedAt: "2026-04-02T08:00:00Z",
      paragraphs: [P1.replace("close", "delay closing"), P2, "Another vote is expected in June.", P4],
    });
    const diff = diffVersions(before, after);
    expect(diff.kinds).toEqual(["title", "byline", "published-date", "modified-date", "body"]);
    expect(diff.summary).toBe(
      "Headline rewritten; byline changed; published date changed; 1 paragraph added; 1 paragraph removed; 1 sentence edited; +8/−10 words; modified timestamp moved",
    );
  });
});

describe("other summaries", () => {
  it("describes a first capture", () => {
    expect(summarizeCreated(article())).toBe("First capture: 4 paragraphs, 48 words");
    expect(summarizeCreated(withParagraphs(["Breaking.", "  "]))).toBe("First capture: 1 paragraph, 1 word");
  });

  it("describes a page going away and coming back", () => {
    expect(summarizeRemoved(404)).toBe("Page gone (HTTP 404)");
    expect(summarizeRestored(200)).toBe("Page back (HTTP 200)");
    expect(summarizeRestored()).toBe("Page back");
  });
});

/*
 * What the cost guards do to the result. How long a diff takes is measured by `npm run bench:diff`
 * in Node (these tests run inside workerd, whose clock stands still during CPU work).
 */
describe("cost guards", () => {
  const sentence = (seed: number): string =>
    Array.from({ length: 20 }, (_, word) => `w${(seed * 31 + word * 17) % 997}`).join(" ") + ".";
  const longArticle = (paragraphCount: number, wordsPerParagraph: number, salt = ""): string[] =>
    Array.from({ length: paragraphCount }, (_, p) =>
      Array.from({ length: wordsPerParagraph / 20 }, (_, s) => sentence(p * 100 + s)).join(" ") + salt,
    );

  it("pairs every edited paragraph of a 10,000-word article with scattered edits", () => {
    const before = longArticle(40, 250);
    const after = before.map((paragraph, index) => (index % 8 === 0 ? paragraph.replace(/w1/g, "x1") : paragraph));
    after.splice(20, 0, "A new paragraph inserted in the middle of the story.");
    const diff = diffVersions(withParagraphs(before), withParagraphs(after, "2026-04-02T00:00:00Z"));
    expect(diff.stats.paragraphsChanged).toBe(5);
    expect(diff.stats.paragraphsAdded).toBe(1);
  });

  it("falls back to plain additions and removals when thousands of paragraphs all change", () => {
    const before = longArticle(3000, 20);
    const after = longArticle(3000, 20, " Updated.");
    const diff = diffVersions(withParagraphs(before), withParagraphs(after));
    expect(diff.stats).toMatchObject({ paragraphsRemoved: 3000, paragraphsAdded: 3000, paragraphsChanged: 0 });
  });

  it("still aligns a long live blog that gained many entries at the top", () => {
    const entries = longArticle(600, 20);
    const diff = diffVersions(withParagraphs(entries.slice(400)), withParagraphs(entries));
    expect(diff.stats).toMatchObject({ paragraphsAdded: 400, paragraphsRemoved: 0, paragraphsChanged: 0 });
    expect(diff.paragraphs.at(-1)).toEqual({ op: "equal", before: 199, after: 599, text: entries[599] });
  });
});
