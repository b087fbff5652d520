/// <reference types="vite/types/importMeta.d.ts" />
/**
 * The noise property on the committed fixture pages (the corpus-wide suite is
 * noise.node.test.ts): boilerplate-only edits leave the extracted article identical, story edits
 * change it.
 */
import { describe, expect, it } from "vitest";
import timeline from "../../fixtures/timeline.json";
import { extractArticle } from "./index";
import { BOILERPLATE_MUTATIONS, STORY_MUTATIONS } from "./noise/mutations";

const pages: Record<string, string> = import.meta.glob("../../fixtures/sites/**/*.html", {
  query: "?raw",
  import: "default",
  eager: true,
});

const { articles } = timeline as unknown as { articles: { url: string; versions: { file?: string; expected?: string }[] }[] };
/** The first extractable version of every tracked fixture article (UTF-8 pages only). */
const fixtures = articles.flatMap(({ url, versions }) => {
  const version = versions.find(({ file, expected }) => file && expected);
  const html = version?.file ? pages[`../../fixtures/${version.file}`] : undefined;
  return html && !html.includes("\uFFFD") ? [{ name: version?.file ?? url, url, html }] : [];
});

describe("boilerplate-only edits leave the extraction identical", () => {
  for (const { name, url, html } of fixtures) {
    it(name, () => {
      const original = extractArticle(html, url);
      if (!original.ok) throw new Error(original.reason);
      let applied = 0;
      for (const mutation of BOILERPLATE_MUTATIONS) {
        const mutated = mutation.apply(html, original.article.paragraphs);
        if (mutated === null) continue;
        applied++;
        // The content and profile; not the page's canonical link, which the cache-buster mutation also rewrites.
        const after = extractArticle(mutated, url);
        expect(after.ok ? after.article : after.reason, mutation.name).toStrictEqual(original.article);
        expect(after.profile, mutation.name).toBe(original.profile);
      }
      expect(applied).toBeGreaterThan(2);
    });
  }
});

describe("story edits always change the extraction", () => {
  for (const { name, url, html } of fixtures) {
    it(name, () => {
      const original = extractArticle(html, url);
      if (!original.ok) throw new Error(original.reason);
      for (const mutation of STORY_MUTATIONS) {
        const mutated = mutation.apply(html, original.article.paragraphs);
        expect(mutated, `${mutation.name} found its place in the HTML`).not.toBeNull();
        const after = extractArticle(mutated ?? html, url);
        expect(after.ok, mutation.name).toBe(true);
        if (after.ok) expect(after.article.paragraphs, mutation.name).not.toStrictEqual(original.article.paragraphs);
      }
    });
  }
});
