import { describe, expect, it } from "vitest";
import { parseOpml, renderOpml } from "./opml";

const SUBSCRIPTIONS = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Cost-sharing talks &amp; Korea</title></head>
  <body>
    <outline text="Korea">
      <outline text="Yonhap" title="Yonhap News Agency" type="rss" xmlUrl="https://en.yna.co.kr/RSS/news.xml" htmlUrl="https://en.yna.co.kr/"/>
      <outline text="Yonhap news sitemap" type="news-sitemap" xmlUrl="https://en.yna.co.kr/sitemap/news.xml"/>
      <outline text="Deeper">
        <outline text="한겨레" xmlUrl=" https://english.hani.co.kr/rss/english_edition "/>
      </outline>
    </outline>
    <outline text="GlobalSecurity" type="link" url="https://www.globalsecurity.org/"/>
    <outline text="The Standard" type="page" xmlUrl="https://www.thestandard.com.hk/section-news/section/4/"/>
  </body>
</opml>`;

describe("parseOpml", () => {
  it("flattens nested outlines with an xmlUrl in document order; type rss means detect; others are ignored", () => {
    expect(parseOpml(SUBSCRIPTIONS)).toEqual({
      ok: true,
      title: "Cost-sharing talks & Korea",
      outlines: [
        { url: "https://en.yna.co.kr/RSS/news.xml", title: "Yonhap News Agency", type: null },
        { url: "https://en.yna.co.kr/sitemap/news.xml", title: "Yonhap news sitemap", type: "news-sitemap" },
        { url: "https://english.hani.co.kr/rss/english_edition", title: "한겨레", type: null },
        { url: "https://www.thestandard.com.hk/section-news/section/4/", title: "The Standard", type: "page" },
      ],
    });
  });

  it.each([
    [
      "entity declarations",
      `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml version="2.0"><head><title>&x;</title></head><body/></opml>`,
      "the OPML document declares XML entities in its DOCTYPE; refused unread (entities are never expanded nor fetched)",
    ],
    [
      "malformed XML",
      `<opml version="2.0"><body><outline text="a"></body></opml>`,
      "the OPML document is malformed XML: Expected closing tag 'outline' (opened in line 1, col 27) instead of closing tag 'body'. (line 1, column 45)",
    ],
    ["a feed instead of OPML", `<rss version="2.0"><channel><title>x</title></channel></rss>`, "the body is not an OPML document (Invalid OPML format)"],
  ])("refuses %s", (_, text, error) => {
    expect(parseOpml(text)).toEqual({ ok: false, error });
  });
});

describe("renderOpml", () => {
  it("writes OPML 2.0 that reads back the same, titles with <&\" included", () => {
    const sources = [
      { url: "https://en.yna.co.kr/RSS/news.xml?a=1&b=2", title: 'Yonhap <"News"> & more', type: "rss" as const },
      { url: "https://www.thestandard.com.hk/section-news/section/4/", title: "", type: "page" as const },
    ];
    const text = renderOpml('Redline <&"> sources', sources, "2026-12-01T00:00:00.000Z");
    expect(text).toContain("<dateCreated>Tue, 01 Dec 2026 00:00:00 GMT</dateCreated>");
    expect(parseOpml(text)).toEqual({
      ok: true,
      title: 'Redline <&"> sources',
      outlines: [
        { url: "https://en.yna.co.kr/RSS/news.xml?a=1&b=2", title: 'Yonhap <"News"> & more', type: null },
        { url: "https://www.thestandard.com.hk/section-news/section/4/", title: "https://www.thestandard.com.hk/section-news/section/4/", type: "page" },
      ],
    });
  });
});
