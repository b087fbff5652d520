/**
 * Feeds read by real parsers, not string matching: feedsmith and @rowanmanning/feed-parser are
 * independent implementations, and fast-xml-parser's validator checks XML well-formedness.
 */
import { parseFeed as parseWithRowanmanning } from "@rowanmanning/feed-parser";
import { XMLValidator } from "fast-xml-parser";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { describe, expect, it } from "vitest";
import { buildFeed } from "./build";
import type { Feed } from "./model";

/** Everything that breaks naive XML: markup characters, a CDATA terminator, emoji, RTL, Korean, C0 controls. */
const HOSTILE = "Tom & Jerry <b>bold</b> ]]> 🇰🇷 عاجل 방위비 분담금\u0000\u0007\u001b\uFFFE end";
const HOSTILE_CLEAN = "Tom & Jerry <b>bold</b> ]]> 🇰🇷 عاجل 방위비 분담금 end";

const feed: Feed = {
  id: "https://redline.example/feeds/changes",
  title: `Changes: ${HOSTILE}`,
  description: "Every edit",
  selfUrl: "https://redline.example/feeds/changes.atom?limit=2&kinds=body",
  nextUrl: "https://redline.example/feeds/changes.atom?limit=2&cursor=abc%3D",
  homeUrl: "https://redline.example/api/changes",
  updated: "2019-11-20T08:44:00.000Z",
  entries: [
    {
      id: "urn:redline:change:3f2a9c0d1b7e4a55-2",
      title: HOSTILE,
      summary: `Headline changed: ${HOSTILE}`,
      detectedAt: "2019-11-20T08:44:00.000Z",
      link: "https://redline.example/api/articles/3f2a9c0d1b7e4a55/diff?from=1&to=2&format=html",
      articleUrl: "https://english.hani.co.kr/arti/english_edition/e_international/917772.html",
      kinds: ["title", "stealth-edit"],
      significance: 0.6,
      contentHtml: `<section class="redline"><p class="changed">Talks <del>collapsed</del><ins>halted</ins> &amp; ${HOSTILE.replace("<", "&lt;")}</p></section>`,
    },
    {
      id: "urn:redline:change:3f2a9c0d1b7e4a55-1",
      title: "First",
      summary: "First capture: 9 paragraphs, 812 words",
      detectedAt: "2019-11-19T08:00:00.000Z",
      link: "https://redline.example/api/articles/3f2a9c0d1b7e4a55/versions/1",
      articleUrl: "https://english.hani.co.kr/arti/english_edition/e_international/917772.html",
      kinds: ["created"],
      significance: 1,
      contentHtml: null,
    },
  ],
};

const REDLINE_CLEAN = stripControls(feed.entries[0]!.contentHtml!);
function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE]/g, "");
}

const body = (format: "atom" | "rss" | "json"): string => buildFeed(feed, format).body;

describe("feed conformance", () => {
  it("Atom and RSS are well-formed XML 1.0 with control characters stripped", () => {
    for (const format of ["atom", "rss"] as const) {
      expect(XMLValidator.validate(body(format))).toBe(true);
      expect(body(format)).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE]/);
    }
  });

  it("feedsmith reads Atom entries, links and categories back exactly", () => {
    const parsed = parseAtomFeed(body("atom"));
    expect(parsed.title?.value).toBe(`Changes: ${HOSTILE_CLEAN}`);
    expect(parsed.links?.find((link) => link.rel === "next")?.href).toBe(feed.nextUrl);
    expect(parsed.entries).toHaveLength(2);
    const [entry] = parsed.entries!;
    expect(entry!.id).toBe("urn:redline:change:3f2a9c0d1b7e4a55-2");
    expect(entry!.title?.value).toBe(HOSTILE_CLEAN);
    expect(entry!.summary?.value).toBe(`Headline changed: ${HOSTILE_CLEAN}`);
    expect(entry!.updated).toBe("2019-11-20T08:44:00.000Z");
    expect(entry!.links?.find((link) => link.rel === "alternate")?.href).toBe(feed.entries[0]!.link);
    expect(entry!.categories?.map((category) => category.term)).toEqual(["title", "stealth-edit"]);
    expect(entry!.content?.value).toBe(REDLINE_CLEAN);
    expect(parsed.entries![1]!.content).toBeUndefined();
  });

  it("feedsmith reads RSS items back exactly", () => {
    const parsed = parseRssFeed(body("rss"));
    expect(parsed.items).toHaveLength(2);
    const [item] = parsed.items!;
    expect(item!.title).toBe(HOSTILE_CLEAN);
    expect(item!.guid?.value).toBe("urn:redline:change:3f2a9c0d1b7e4a55-2");
    expect(item!.link).toBe(feed.entries[0]!.link);
    expect(new Date(item!.pubDate!).toISOString()).toBe("2019-11-20T08:44:00.000Z");
  });

  it("feedsmith reads JSON Feed 1.1 back exactly", () => {
    const parsed = parseJsonFeed(JSON.parse(body("json")));
    expect(parsed.items).toHaveLength(2);
    expect(parsed.items?.[0]).toMatchObject({ id: "urn:redline:change:3f2a9c0d1b7e4a55-2", title: HOSTILE_CLEAN, url: feed.entries[0]!.link, content_html: REDLINE_CLEAN });
    expect(parsed.items?.[1]).toMatchObject({ content_text: "First capture: 9 paragraphs, 812 words" });
  });

  it("@rowanmanning/feed-parser reads Atom and RSS the same way", () => {
    for (const format of ["atom", "rss"] as const) {
      const parsed = parseWithRowanmanning(body(format));
      expect(parsed.title).toBe(`Changes: ${HOSTILE_CLEAN}`);
      expect(parsed.items.map((item) => item.id)).toEqual(feed.entries.map((entry) => entry.id));
      expect(parsed.items[0]!.title).toBe(HOSTILE_CLEAN);
      expect(parsed.items[0]!.url).toBe(feed.entries[0]!.link);
      expect(parsed.items[0]!.published?.toISOString()).toBe("2019-11-20T08:44:00.000Z");
      expect(parsed.items[0]!.categories.map((category) => category.term)).toEqual(["title", "stealth-edit"]);
      // This parser also decodes the entities inside the HTML; the redline markup must survive.
      expect(parsed.items[0]!.content).toContain("Talks <del>collapsed</del><ins>halted</ins>");
      expect(parsed.items[0]!.content).toContain("방위비 분담금 end</p></section>");
    }
  });
});
