/// <reference types="vite/types/importMeta.d.ts" />
// (The reference types `import.meta.glob`, which vitest provides in every test.)
/**
 * Every fixture page in fixtures/timeline.json (the seed articles, the stories their sites' feeds
 * announce, redirect targets and test pages): pages with an `expected` JSON must extract to
 * exactly that; pages without one (error pages, walls, empty bodies) must not extract at all.
 */
import { describe, expect, it } from "vitest";
import timeline from "../../fixtures/timeline.json";
import type { ArticleContent } from "../model";
import { extractArticle } from "./index";

interface FixtureVersion {
  at: string;
  file?: string;
  expected?: string;
  body?: string;
}

interface FixtureArticle {
  url: string;
  versions: FixtureVersion[];
}

const { articles, discovered, redirectTargets, testPages } = timeline as unknown as Record<
  "articles" | "discovered" | "redirectTargets" | "testPages",
  FixtureArticle[]
>;

const FIXTURES = "../../fixtures/";
const pages: Record<string, string> = import.meta.glob("../../fixtures/sites/**/*.html", {
  query: "?raw",
  import: "default",
  eager: true,
});
const expectations: Record<string, ArticleContent> = import.meta.glob(
  "../../fixtures/sites/**/*.expected.json",
  { import: "default", eager: true },
);

function fixture<T>(files: Record<string, T>, path: string): T {
  const content = files[`${FIXTURES}${path}`];
  if (content === undefined) throw new Error(`fixture ${path} is listed in timeline.json but missing`);
  return content;
}

/**
 * Pages stored in another charset (the EUC-KR set) arrive here mangled, since `?raw` reads files
 * as UTF-8. Decoding is the fetcher's job and its tests run those pages end to end; here they can
 * only be skipped, visibly.
 */
const isUndecodable = (html: string): boolean => html.includes("\uFFFD");

const cases = [...articles, ...discovered, ...redirectTargets, ...testPages].flatMap((article) =>
  article.versions.map((version, index) => ({
    name: `${article.url} v${index + 1} (${version.file ?? "inline body"})`,
    url: article.url,
    version,
  })),
);

describe("fixture pages extract to their expected.json", () => {
  const withExpectations = cases.filter(({ version }) => version.file && version.expected);

  it("covers every seed site", () => {
    const hosts = new Set(withExpectations.map(({ url }) => new URL(url).hostname));
    for (const host of ["english.hani.co.kr", "en.yna.co.kr", "www.globalsecurity.org", "www.thestandard.com.hk"]) {
      expect(hosts).toContain(host);
    }
  });

  for (const { name, url, version } of withExpectations) {
    const html = fixture(pages, version.file ?? "");
    it.skipIf(isUndecodable(html))(name, () => {
      const result = extractArticle(html, url);
      if (!result.ok) throw new Error(`not extracted: ${result.reason}`);
      expect(result.article).toStrictEqual(fixture(expectations, version.expected ?? ""));
    });
  }
});

describe("fixture pages without an article do not extract", () => {
  for (const { name, url, version } of cases.filter(({ version }) => !version.expected)) {
    const html = version.file ? fixture(pages, version.file) : version.body;
    if (html === undefined) continue;
    it(name, () => {
      const result = extractArticle(html, url);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^no article found: /);
    });
  }
});
