import { describe, expect, it } from "vitest";
import type { ArticleContent } from "../model";
import { contentHash, diffVersions, normalizeContent } from ".";

const content: ArticleContent = {
  title: "Café owner speaks out",
  byline: "Jane Doe",
  publishedAt: "2026-04-01T09:00:00Z",
  modifiedAt: "2026-04-01T10:00:00Z",
  paragraphs: ["The owner of the café said she would reopen on Monday.", "Regulars welcomed the news."],
};

describe("normalizeContent", () => {
  it("collapses whitespace, composes Unicode, drops blank paragraphs and blank optional fields", () => {
    expect(
      normalizeContent({
        title: "  Cafe\u0301 owner\n speaks\u00A0out ",
        byline: "   ",
        publishedAt: " 2026-04-01T09:00:00Z ",
        modifiedAt: "",
        paragraphs: ["", "  The owner\tof the café", "\n", "said she would re\u00ADopen.\u200B"],
      }),
    ).toEqual({
      title: "Café owner speaks out",
      byline: null,
      publishedAt: "2026-04-01T09:00:00Z",
      modifiedAt: null,
      paragraphs: ["The owner of the café", "said she would reopen."],
    });
  });
});

describe("contentHash", () => {
  it("is a SHA-256 hex digest that is stable for the same content", async () => {
    const hash = await contentHash(content);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentHash(structuredClone(content))).toBe(hash);
  });

  it("hashes whitespace, NFC and timestamp-offset variants equal", async () => {
    const variant: ArticleContent = {
      title: " Cafe\u0301   owner speaks out",
      byline: "Jane\nDoe",
      publishedAt: "2026-04-01T11:00:00+02:00",
      modifiedAt: "2026-04-01T10:00:00.000Z",
      paragraphs: ["  The owner of the  café said she would reopen on Monday.", "", "Regulars welcomed the news. "],
    };
    expect(await contentHash(variant)).toBe(await contentHash(content));
    expect(diffVersions(content, variant).kinds).toEqual([]);
  });

  it("hashes any word change differently", async () => {
    const original = await contentHash(content);
    const variants: ArticleContent[] = [
      { ...content, title: "Café owner speaks" },
      { ...content, byline: null },
      { ...content, publishedAt: "2026-04-01T09:00:01Z" },
      { ...content, modifiedAt: null },
      { ...content, paragraphs: ["The owner of the café said she would reopen on Tuesday.", "Regulars welcomed the news."] },
      { ...content, paragraphs: ["Regulars welcomed the news.", "The owner of the café said she would reopen on Monday."] },
      { ...content, paragraphs: ["The owner of the café said she would reopen on Monday. Regulars welcomed the news."] },
    ];
    const hashes = await Promise.all(variants.map(contentHash));
    expect(new Set([original, ...hashes]).size).toBe(variants.length + 1);
  });
});
