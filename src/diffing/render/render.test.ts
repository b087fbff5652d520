import { describe, expect, it } from "vitest";
import type { ArticleContent } from "../../model";
import { diffVersions } from "../diff";
import { renderRedlineFragment, renderRedlinePage, renderUnified, type DiffDocument } from ".";

const article = (overrides: Partial<ArticleContent>): ArticleContent => ({
  title: "Talks collapse",
  byline: "Kim",
  publishedAt: "2019-11-19T17:00:00+09:00",
  modifiedAt: "2019-11-19T17:00:00+09:00",
  paragraphs: ["One.", "Two.", "Three.", "Four.", "Five.", "Six."],
  ...overrides,
});

function documentFor(before: ArticleContent, after: ArticleContent): DiffDocument {
  return {
    articleUrl: "https://news.example/a?x=1&y=2",
    from: { n: 1, capturedAt: "2019-11-19T08:00:00.000Z", title: before.title },
    to: { n: 2, capturedAt: "2019-11-19T09:00:00.000Z", title: after.title },
    diff: diffVersions(before, after),
  };
}

describe("unified text", () => {
  it("prints field changes first, then hunks with one paragraph of context and paragraph numbers", () => {
    const before = article({});
    const after = article({ title: "Talks halted", paragraphs: ["One.", "Two.", "Three changed here.", "Four.", "Five.", "Six.", "Seven."] });
    expect(renderUnified(documentFor(before, after))).toBe(
      [
        "Redline diff of https://news.example/a?x=1&y=2",
        `Summary: ${documentFor(before, after).diff.summary}`,
        `Significance ${documentFor(before, after).diff.significance.toFixed(2)} · title, body, stealth-edit`,
        "Headline:",
        "- Talks collapse",
        "+ Talks halted",
        "--- version 1\t2019-11-19T08:00:00.000Z",
        "+++ version 2\t2019-11-19T09:00:00.000Z",
        "@@ -2,3 +2,3 @@",
        " Two.",
        "-Three.",
        "+Three changed here.",
        " Four.",
        "@@ -6,1 +6,2 @@",
        " Six.",
        "+Seven.",
        "",
      ].join("\n"),
    );
  });

  it("numbers a side with no paragraphs from 0, as diff -u does for an empty file", () => {
    const text = renderUnified(documentFor(article({ paragraphs: [] }), article({ paragraphs: ["New lead."] })));
    expect(text).toContain("@@ -0,0 +1,1 @@\n+New lead.\n");
  });
});

describe("HTML redline", () => {
  it("marks insertions and deletions inline and escapes article text", () => {
    const before = article({ paragraphs: ["Seoul said <b>no</b> & left."] });
    const after = article({ title: "A \"new\" <title>", paragraphs: ["Seoul said <b>yes</b> & left.", "<script>alert(1)</script>"] });
    const fragment = renderRedlineFragment(documentFor(before, after));
    expect(fragment).not.toMatch(/<b>|<script>|<title>/);
    expect(fragment).toContain("<dt>Headline</dt><dd><del>Talks collapse</del> <ins>A &quot;new&quot; &lt;title&gt;</ins></dd>");
    expect(fragment).toContain("<del>no</del>");
    expect(fragment).toContain("<ins>yes</ins>");
    expect(fragment).toContain('<p class="added"><ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins></p>');
  });

  it("leaves out unchanged paragraphs beyond the context, saying how many", () => {
    const before = article({});
    const after = article({ paragraphs: ["One.", "Two.", "Three.", "Four.", "Five changed.", "Six."] });
    const fragment = renderRedlineFragment(documentFor(before, after), { context: 1 });
    expect(fragment).toContain('<div class="body"><p class="elided">[3 unchanged paragraphs]</p><p>Four.</p><p class="changed">');
    expect(fragment).toMatch(/<p>Six\.<\/p><\/div>/);
    expect(fragment).not.toContain("Two.");
    const top = renderRedlineFragment(documentFor(before, article({ paragraphs: ["One changed.", "Two.", "Three.", "Four.", "Five.", "Six."] })), { context: 1 });
    expect(top).toMatch(/<p>Two\.<\/p><p class="elided">\[4 unchanged paragraphs\]<\/p><\/div>/);
  });

  it("wraps the fragment in a self-contained page without scripts", () => {
    const document = documentFor(article({}), article({ paragraphs: ["One.", "Two."] }));
    const page = renderRedlinePage(document);
    expect(page).toContain(renderRedlineFragment(document));
    expect(page).toContain("<style>");
    expect(page).not.toMatch(/<script|<link /);
    expect(page).toContain('href="https://news.example/a?x=1&amp;y=2"');
  });
});

describe("moved paragraphs", () => {
  const before = article({});
  const after = article({ paragraphs: ["One.", "Three.", "Four.", "Five.", "Two.", "Six."] });

  it("are marked in the HTML redline, still as <del>/<ins>", () => {
    const fragment = renderRedlineFragment(documentFor(before, after));
    expect(fragment).toContain('<p class="removed moved"><del>Two.</del> <small class="move">(moved to paragraph 5)</small></p>');
    expect(fragment).toContain('<p class="added moved"><ins>Two.</ins> <small class="move">(moved from paragraph 2)</small></p>');
  });

  it("are named in the unified preamble, the hunks staying patch-compatible", () => {
    const text = renderUnified(documentFor(before, after));
    expect(text).toContain("Paragraph 2 moved to paragraph 5\n");
    expect(text).toContain("\n-Two.\n");
    expect(text).toContain("\n+Two.\n");
  });
});
