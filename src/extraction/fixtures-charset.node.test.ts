/// <reference types="node" />
/**
 * The fixture pages stored in a legacy charset (the EUC-KR set), which fixtures.test.ts must skip
 * because workerd's `?raw` imports read files as UTF-8: here they are read from disk and decoded
 * as the fetcher decodes responses, then must extract exactly to their expected.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import timeline from "../../fixtures/timeline.json";
import { decodeBody } from "../fetching/charset";
import { extractArticle } from "./index";

interface FixtureVersion {
  file?: string;
  expected?: string;
  headers?: Record<string, string>;
}

const fixtures = join(import.meta.dirname, "..", "..", "fixtures");
const { articles, redirectTargets, testPages } = timeline as unknown as Record<
  "articles" | "redirectTargets" | "testPages",
  { url: string; versions: FixtureVersion[] }[]
>;

const legacyCharsetPages = [...articles, ...redirectTargets, ...testPages].flatMap((article) =>
  article.versions
    .filter((version) => version.file && version.expected)
    .map((version) => ({ url: article.url, version, bytes: readFileSync(join(fixtures, version.file ?? "")) }))
    .filter(({ bytes }) => new TextDecoder().decode(bytes).includes("\uFFFD")),
);

describe("fixture pages in a legacy charset extract to their expected.json", () => {
  it("there are such pages", () => expect(legacyCharsetPages.length).toBeGreaterThan(0));

  for (const { url, version, bytes } of legacyCharsetPages) {
    it(`${version.file}`, () => {
      const { text } = decodeBody(bytes, version.headers?.["Content-Type"] ?? null);
      const result = extractArticle(text, url);
      if (!result.ok) throw new Error(`not extracted: ${result.reason}`);
      const expected = JSON.parse(readFileSync(join(fixtures, version.expected ?? ""), "utf8"));
      expect(result.article).toStrictEqual(expected);
    });
  }
});
