import { describe, expect, it } from "vitest";
import type { ParseOutcome, SourceType } from "../model";
import { parseSource } from "./index";

const utf8 = (text: string) => new TextEncoder().encode(text);

function parse(text: string, url: string, type?: SourceType, contentType: string | null = null): ParseOutcome {
  return parseSource(utf8(text), { url, contentType, ...(type ? { type } : {}) });
}

function parsed(text: string, url: string, type?: SourceType, contentType: string | null = null) {
  const outcome = parse(text, url, type, contentType);
  if (!outcome.ok) throw new Error(`expected a parsed source, got: ${outcome.error}`);
  return outcome;
}

const HANI = "https://english.hani.co.kr/rss/english_edition";
// Shaped like The Hankyoreh's English edition feed: RSS 2.0, dc:creator, CDATA titles, one item undated.
const HANI_RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>The Hankyoreh : English Edition</title>
  <link>https://english.hani.co.kr</link>
  <item>
    <title><![CDATA[Seoul, Washington &amp; the defence cost-sharing talks]]></title>
    <link>https://english.hani.co.kr/arti/english_edition/e_international/1167890.html</link>
    <description>&lt;p&gt;The two allies met in &lt;b&gt;Honolulu&lt;/b&gt;.&lt;/p&gt;</description>
    <pubDate>Tue, 19 Nov 2019 17:44:00 +0900</pubDate>
    <dc:creator>Park Min-hee</dc:creator>
  </item>
  <item>
    <title>No date on this one</title>
    <link>/arti/english_edition/e_national/1167801.html</link>
  </item>
  <item>
    <title>Later story</title>
    <link>https://english.hani.co.kr/arti/english_edition/e_international/1167912.html</link>
    <pubDate>Wed, 20 Nov 2019 09:05:00 +0900</pubDate>
  </item>
</channel>
</rss>`;

const YONHAP = "https://en.yna.co.kr/RSS/news.xml";
const YONHAP_RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Yonhap News Agency</title>
  <link>https://en.yna.co.kr</link>
  <atom:link href="https://en.yna.co.kr/RSS/news.xml" rel="self" type="application/rss+xml"/>
  <atom:link href="https://pubsubhubbub.appspot.com/" rel="hub"/>
  <item>
    <title>S. Korea, U.S. fail to narrow gap in defense cost talks</title>
    <link>https://en.yna.co.kr/view/AEN20191119007151325</link>
    <guid isPermaLink="false">AEN20191119007151325</guid>
    <description>SEOUL, Nov. 19 (Yonhap) -- South Korea and the United States...</description>
    <pubDate>Tue, 19 Nov 2019 15:00:00 +0900</pubDate>
  </item>
  <item>
    <title>Guid-only item</title>
    <guid>https://en.yna.co.kr/view/AEN20191119000100315</guid>
    <pubDate>Tue, 19 Nov 2019 16:00:00 +0900</pubDate>
  </item>
</channel>
</rss>`;

describe("parseSource: RSS", () => {
  it("reads The Hankyoreh's RSS 2.0: plain-text titles and summaries, absolute links, newest first, undated last", () => {
    expect(parsed(HANI_RSS, HANI)).toEqual({
      ok: true,
      type: "rss",
      title: "The Hankyoreh : English Edition",
      entries: [
        {
          url: "https://english.hani.co.kr/arti/english_edition/e_international/1167912.html",
          title: "Later story",
          summary: null,
          publishedAt: "2019-11-20T00:05:00.000Z",
          updatedAt: null,
        },
        {
          url: "https://english.hani.co.kr/arti/english_edition/e_international/1167890.html",
          title: "Seoul, Washington & the defence cost-sharing talks",
          summary: "The two allies met in Honolulu .",
          publishedAt: "2019-11-19T08:44:00.000Z",
          updatedAt: null,
        },
        {
          url: "https://english.hani.co.kr/arti/english_edition/e_national/1167801.html",
          title: "No date on this one",
          summary: null,
          publishedAt: null,
          updatedAt: null,
        },
      ],
      childSitemaps: [],
      hub: null,
      self: null,
    });
  });

  it("reads Yonhap's RSS with its WebSub hub and self links, and a permalink guid for an item without <link>", () => {
    const source = parsed(YONHAP_RSS, YONHAP, "rss");
    expect(source.hub).toBe("https://pubsubhubbub.appspot.com/");
    expect(source.self).toBe("https://en.yna.co.kr/RSS/news.xml");
    expect(source.entries.map((entry) => [entry.url, entry.publishedAt])).toEqual([
      ["https://en.yna.co.kr/view/AEN20191119000100315", "2019-11-19T07:00:00.000Z"],
      ["https://en.yna.co.kr/view/AEN20191119007151325", "2019-11-19T06:00:00.000Z"],
    ]);
  });

  it("reads RSS 1.0 (RDF) with dc:date as the update date", () => {
    const rdf = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.test/"><title>RDF news</title><link>https://news.test/</link></channel>
  <item rdf:about="https://news.test/a/1"><title>First</title><link>https://news.test/a/1</link><dc:date>2026-12-01T10:00+09:00</dc:date></item>
  <item rdf:about="https://news.test/a/2"><title>About only</title><dc:date>2026-12-01T11:00:00Z</dc:date></item>
</rdf:RDF>`;
    const source = parsed(rdf, "https://news.test/index.rdf");
    expect(source.type).toBe("rss");
    expect(source.title).toBe("RDF news");
    expect(source.entries).toEqual([
      { url: "https://news.test/a/2", title: "About only", summary: null, publishedAt: null, updatedAt: "2026-12-01T11:00:00.000Z" },
      { url: "https://news.test/a/1", title: "First", summary: null, publishedAt: null, updatedAt: "2026-12-01T01:00:00.000Z" },
    ]);
  });

  it("decodes an EUC-KR feed by its XML declaration, and keeps Korean titles", () => {
    const head = utf8('<?xml version="1.0" encoding="EUC-KR"?><rss version="2.0"><channel><title>');
    // "방위비" in EUC-KR.
    const korean = [0xb9, 0xe6, 0xc0, 0xa7, 0xba, 0xf1];
    const tail = utf8("</title><item><title>");
    const end = utf8(" 협상</title><link>https://www.hani.co.kr/arti/politics/1.html</link></item></channel></rss>".replace(" 협상", " talks"));
    const body = new Uint8Array([...head, ...korean, ...tail, ...korean, ...end]);
    const outcome = parseSource(body, { url: "https://www.hani.co.kr/rss/", contentType: "application/xml" });
    expect(outcome).toMatchObject({ ok: true, title: "방위비", entries: [{ title: "방위비 talks" }] });
  });

  it("prefers the HTTP charset to the XML declaration", () => {
    const body = `<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>방위비분담금</title></channel></rss>`;
    expect(parsed(body, HANI, undefined, "text/xml; charset=utf-8").title).toBe("방위비분담금");
  });

  it("reads RSS 0.91 past its Netscape DOCTYPE (the external DTD is not fetched) and a generator comment", () => {
    const rss = `<?xml version="1.0" encoding="ISO-8859-1"?>
<!-- generator="<Publisher CMS>" -->
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Caf\u00e9 news</title><link>http://news.test/</link>
<item><title>One</title><link>http://news.test/1</link><description>d</description></item></channel></rss>`;
    // "é" as ISO-8859-1's one byte, as the declaration says.
    const [before, after] = rss.split("\u00e9");
    const body = new Uint8Array([...utf8(before!), 0xe9, ...utf8(after!)]);
    expect(parseSource(body, { url: "http://news.test/rss091.xml", contentType: "text/xml" })).toMatchObject({
      ok: true,
      type: "rss",
      title: "Café news",
      entries: [{ url: "http://news.test/1", title: "One", summary: "d" }],
    });
  });

  it("reads a feed with blank lines before its XML declaration", () => {
    expect(parsed(`\n\n  ${HANI_RSS}`, HANI).entries).toHaveLength(3);
  });
});

describe("parseSource: Atom and JSON Feed", () => {
  it("reads an Atom feed with a hub: the alternate link, html summaries as text, published and updated", () => {
    const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Defence &amp;lt;news&amp;gt;</title>
  <link rel="hub" href="https://hub.example.test/"/>
  <link rel="self" href="/atom.xml"/>
  <entry>
    <title>Older</title>
    <link rel="enclosure" href="https://news.test/a/1.mp3"/>
    <link href="https://news.test/a/1"/>
    <published>2026-11-30T08:00:00Z</published>
    <updated>2026-12-01T08:00:00Z</updated>
    <summary type="html">&lt;p&gt;Cost-sharing&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title type="text">A &lt;b&gt; tag, literally</title>
    <link rel="alternate" type="text/html" href="/a/2"/>
    <updated>2026-12-01T09:00:00+09:00</updated>
    <content type="html">&lt;p&gt;Body&lt;/p&gt;</content>
  </entry>
</feed>`;
    expect(parsed(atom, "https://news.test/atom.xml")).toEqual({
      ok: true,
      type: "atom",
      title: "Defence <news>",
      // Sorted by published, else updated: the first entry was published before the second was updated.
      entries: [
        { url: "https://news.test/a/2", title: "A <b> tag, literally", summary: "Body", publishedAt: null, updatedAt: "2026-12-01T00:00:00.000Z" },
        {
          url: "https://news.test/a/1",
          title: "Older",
          summary: "Cost-sharing",
          publishedAt: "2026-11-30T08:00:00.000Z",
          updatedAt: "2026-12-01T08:00:00.000Z",
        },
      ],
      childSitemaps: [],
      hub: "https://hub.example.test/",
      self: "https://news.test/atom.xml",
    });
  });

  it.each([
    ["1.0", "https://jsonfeed.org/version/1", { author: { name: "A" } }],
    ["1.1", "https://jsonfeed.org/version/1.1", { authors: [{ name: "A" }], language: "en" }],
  ])("reads JSON Feed %s with its WebSub hub and feed_url", (_, version, extra) => {
    const feed = {
      version,
      title: "Standard news",
      feed_url: "https://www.thestandard.test/feed.json",
      hubs: [{ type: "rssCloud", url: "https://cloud.test/" }, { type: "WebSub", url: "https://hub.test/" }],
      ...extra,
      items: [
        { id: "1", url: "/news/1", title: "One", content_html: "<p>Hong <i>Kong</i></p>", date_published: "2026-12-01T01:00:00+08:00" },
        { id: "2", url: "https://www.thestandard.test/news/2", title: "Two", summary: "Short", content_text: "Long", date_modified: "2026-12-01T02:00:00Z" },
        { id: "3", title: "No url: no entry", date_published: "2026-12-01T03:00:00Z" },
      ],
    };
    expect(parsed(JSON.stringify(feed), "https://www.thestandard.test/feed.json")).toEqual({
      ok: true,
      type: "jsonfeed",
      title: "Standard news",
      entries: [
        { url: "https://www.thestandard.test/news/2", title: "Two", summary: "Short", publishedAt: null, updatedAt: "2026-12-01T02:00:00.000Z" },
        { url: "https://www.thestandard.test/news/1", title: "One", summary: "Hong Kong", publishedAt: "2026-11-30T17:00:00.000Z", updatedAt: null },
      ],
      childSitemaps: [],
      hub: "https://hub.test/",
      self: "https://www.thestandard.test/feed.json",
    });
  });

  it("reads a feed registered as RSS that is now Atom as Atom", () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>Moved</title><entry><title>x</title><link href="https://news.test/x"/></entry></feed>`;
    expect(parsed(atom, "https://news.test/rss", "rss").type).toBe("atom");
  });
});

const YONHAP_NEWS_SITEMAP = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://en.yna.co.kr/view/AEN20191119007151325</loc>
    <news:news>
      <news:publication><news:name>Yonhap News Agency</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2019-11-19T15:00:00+09:00</news:publication_date>
      <news:title>S. Korea, U.S. fail to narrow gap in defense cost talks</news:title>
    </news:news>
  </url>
  <url>
    <loc>https://en.yna.co.kr/view/AEN20191119009000315?section=nk&amp;site=en</loc>
    <news:news>
      <news:publication><news:name>Yonhap News Agency</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2019-11-19T18:30:00+09:00</news:publication_date>
      <news:title>N. Korea &amp; U.S.</news:title>
    </news:news>
  </url>
</urlset>`;

describe("parseSource: sitemaps", () => {
  it("reads Yonhap's Google News sitemap as news-sitemap with publication dates and titles", () => {
    expect(parsed(YONHAP_NEWS_SITEMAP, "https://en.yna.co.kr/sitemap/news.xml")).toEqual({
      ok: true,
      type: "news-sitemap",
      title: null,
      entries: [
        {
          url: "https://en.yna.co.kr/view/AEN20191119009000315?section=nk&site=en",
          title: "N. Korea & U.S.",
          summary: null,
          publishedAt: "2019-11-19T09:30:00.000Z",
          updatedAt: null,
        },
        {
          url: "https://en.yna.co.kr/view/AEN20191119007151325",
          title: "S. Korea, U.S. fail to narrow gap in defense cost talks",
          summary: null,
          publishedAt: "2019-11-19T06:00:00.000Z",
          updatedAt: null,
        },
      ],
      childSitemaps: [],
      hub: null,
      self: null,
    });
  });

  it("reads a plain urlset's lastmod as the update date, and an empty news sitemap keeps its registered type", () => {
    const urlset = `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.globalsecurity.org/military/library/news/2019/11/mil-191119-1.htm</loc><lastmod>2019-11-19</lastmod></url>
  <url><loc> /military/library/news/2019/11/mil-191120-1.htm </loc><lastmod>2019-11-20T04:00:00Z</lastmod></url>
</urlset>`;
    const source = parsed(urlset, "https://www.globalsecurity.org/sitemap.xml");
    expect(source.type).toBe("sitemap");
    expect(source.entries.map((entry) => [entry.url, entry.updatedAt])).toEqual([
      ["https://www.globalsecurity.org/military/library/news/2019/11/mil-191120-1.htm", "2019-11-20T04:00:00.000Z"],
      ["https://www.globalsecurity.org/military/library/news/2019/11/mil-191119-1.htm", "2019-11-19T00:00:00.000Z"],
    ]);
    const empty = `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"></urlset>`;
    expect(parsed(empty, "https://en.yna.co.kr/sitemap/news.xml", "news-sitemap")).toMatchObject({ type: "news-sitemap", entries: [] });
  });

  it("reads a sitemap index, one that names itself included, into its child sitemaps", () => {
    const index = `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://en.yna.co.kr/sitemap/index.xml</loc></sitemap>
  <sitemap><loc>/sitemap/news-1.xml</loc><lastmod>2019-11-19</lastmod></sitemap>
</sitemapindex>`;
    expect(parsed(index, "https://en.yna.co.kr/sitemap/index.xml", "news-sitemap")).toEqual({
      ok: true,
      type: "news-sitemap",
      title: null,
      entries: [],
      childSitemaps: ["https://en.yna.co.kr/sitemap/index.xml", "https://en.yna.co.kr/sitemap/news-1.xml"],
      hub: null,
      self: null,
    });
  });

  // About 2.5 s of parsing in workerd (validation, fast-xml-parser, 100,000 dates and URLs), linear
  // in the entries; the timeout leaves room for a loaded machine, it measures nothing.
  it("reads a 100,000-entry sitemap, newest first", { timeout: 60_000 }, () => {
    const urls = Array.from({ length: 100_000 }, (_, i) => {
      // Dates out of document order (i * 7919 mod 100,000 is a permutation), every tenth undated.
      const lastmod = i % 10 === 9 ? "" : `<lastmod>${new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 100_000) * 60_000).toISOString()}</lastmod>`;
      return `<url><loc>https://news.test/a/${i}</loc>${lastmod}</url>`;
    });
    const source = parsed(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.join("")}</urlset>`, "https://news.test/sitemap.xml");
    expect(source.entries).toHaveLength(100_000);
    const dated = source.entries.slice(0, 90_000).map((entry) => Date.parse(entry.updatedAt!));
    expect(dated.every((ms, i) => i === 0 || ms <= dated[i - 1]!)).toBe(true);
    expect(source.entries[0]!.updatedAt).toBe("2026-03-11T10:39:00.000Z");
    expect(source.entries.slice(90_000, 90_003).map((entry) => entry.url)).toEqual([
      "https://news.test/a/9",
      "https://news.test/a/19",
      "https://news.test/a/29",
    ]);
  });
});

describe("parseSource: section pages", () => {
  it("reads an HTML page as a page source: its <title>, its article links, teaser dates in UTC, newest first", () => {
    const html = `<!DOCTYPE html><html><head><title>World | The Standard</title></head><body>
<main><ul>
  <li><a href="/section-news/section/6/213950/Talks-on-troop-costs-resume-in-Seoul">Talks on troop costs resume in Seoul</a>
    <time datetime="2019-11-18T09:00:00+08:00">18 Nov 2019</time></li>
  <li><a href="/section-news/section/6/214158/Seoul-seeks-fair-troop-cost-deal-after-talks-break-down">Seoul seeks fair troop cost deal</a>
    <time datetime="2019-11-20T12:35:00+08:00">20 Nov 2019</time></li>
</ul></main></body></html>`;
    const source = parsed(html, "https://www.thestandard.com.hk/section-news-list/section/world/", undefined, "text/html");
    expect(source).toMatchObject({ ok: true, type: "page", title: "World | The Standard", childSitemaps: [], hub: null, self: null });
    expect(source.entries.map((entry) => [entry.url, entry.publishedAt])).toEqual([
      ["https://www.thestandard.com.hk/section-news/section/6/214158/Seoul-seeks-fair-troop-cost-deal-after-talks-break-down", "2019-11-20T04:35:00.000Z"],
      ["https://www.thestandard.com.hk/section-news/section/6/213950/Talks-on-troop-costs-resume-in-Seoul", "2019-11-18T01:00:00.000Z"],
    ]);
  });

  it("decodes a page by its <meta charset>, which XML decoding does not read", () => {
    // "방위비" in EUC-KR.
    const korean = [0xb9, 0xe6, 0xc0, 0xa7, 0xba, 0xf1];
    const body = new Uint8Array([
      ...utf8('<!DOCTYPE html><html><head><meta charset="euc-kr"><title>'),
      ...korean,
      ...utf8("</title></head><body><main></main></body></html>"),
    ]);
    expect(parseSource(body, { url: "https://www.hani.co.kr/arti/politics/", contentType: "text/html" })).toMatchObject({
      ok: true,
      type: "page",
      title: "방위비",
      entries: [],
    });
  });
});

describe("parseSource: hostile and broken bodies", () => {
  const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>`;
  const EXTERNAL = `<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>
<urlset><url><loc>&xxe;</loc></url></urlset>`;
  const REFUSED = "declares XML entities in its DOCTYPE; refused unread (entities are never expanded nor fetched)";

  it.each([
    ["billion laughs", BILLION_LAUGHS, undefined, `https://bad.test/feed ${REFUSED}`],
    ["an external entity", EXTERNAL, "sitemap", `https://bad.test/feed ${REFUSED}`],
    [
      "malformed XML",
      `<rss version="2.0"><channel><title>x</title><item><title>x</channel></rss>`,
      undefined,
      "https://bad.test/feed is malformed XML: Expected closing tag 'title' (opened in line 1, col 51) instead of closing tag 'channel'. (line 1, column 59)",
    ],
    [
      "a truncated feed",
      `<rss version="2.0"><channel><title>x</title><item>`,
      "rss",
      "https://bad.test/feed is malformed XML: it ends inside <rss> <channel> <item>",
    ],
    [
      "an HTML page where RSS was asked",
      `<!DOCTYPE html><html><head><title>Not found</title></head><body>Sorry</body></html>`,
      "rss",
      "https://bad.test/feed is an HTML page, not an RSS feed",
    ],
    ["a sitemap where a page was asked", YONHAP_NEWS_SITEMAP, "page", "https://bad.test/feed is a sitemap, not an HTML page"],
    ["a feed where a sitemap was asked", HANI_RSS, "sitemap", "https://bad.test/feed is an RSS feed, not a sitemap"],
    [
      "JSON that is not a JSON Feed",
      `{"version": "2.0", "items": []}`,
      undefined,
      'https://bad.test/feed is JSON but not a JSON Feed: its "version" is not https://jsonfeed.org/version/1 or /1.1',
    ],
    ["JSON that does not parse", `{"version": `, "jsonfeed", "https://bad.test/feed is not valid JSON (Unexpected end of JSON input)"],
    ["an empty body", " \n\t", undefined, "https://bad.test/feed answered an empty body"],
    ["plain text", "Service unavailable", undefined, "https://bad.test/feed is neither XML, JSON nor HTML: no element found"],
    [
      "an OPML list",
      `<opml version="2.0"><head/><body/></opml>`,
      undefined,
      "https://bad.test/feed is an OPML subscription list, not a source: import it with POST /api/sources/opml",
    ],
    ["unknown XML", `<svg xmlns="http://www.w3.org/2000/svg"/>`, undefined, "https://bad.test/feed is XML whose root element <svg> is not a feed's or a sitemap's"],
  ])("refuses %s with a clear error", (_, body, type, error) => {
    expect(parse(body, "https://bad.test/feed", type as SourceType | undefined)).toEqual({ ok: false, error });
  });

  it("refuses well-formed XML nested past the parser's limit with an error, not an exception", () => {
    const nested = `<urlset>${"<url>".repeat(200)}${"</url>".repeat(200)}</urlset>`;
    expect(parse(nested, "https://bad.test/sitemap.xml")).toEqual({
      ok: false,
      error: "https://bad.test/sitemap.xml could not be read as a sitemap: Maximum nested tags exceeded",
    });
  });

  it("never expands entities declared by a DOCTYPE placed inside the document", () => {
    const sitemap = `<urlset><!DOCTYPE x [<!ENTITY a "https://evil.test/expanded">]><url><loc>https://news.test/&a;</loc></url></urlset>`;
    expect(parsed(sitemap, "https://news.test/sitemap.xml").entries.map((entry) => entry.url)).toEqual(["https://news.test/&a;"]);
    const rss = `<rss version="2.0"><!DOCTYPE x [<!ENTITY a "expanded">]><channel><title>&a;</title></channel></rss>`;
    expect(parsed(rss, "https://news.test/feed").title).toBe("&a;");
  });

  it("keeps entries whose links are other schemes or unresolvable, for the URL check to skip with its reason", () => {
    const rss = `<rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>javascript:alert(1)</link></item>
<item><title>b</title><link>http://[::1</link></item>
<item><title>c</title><link>http://10.0.0.1/admin</link></item>
<item><title>d</title></item>
</channel></rss>`;
    expect(parsed(rss, "https://bad.test/feed").entries.map((entry) => entry.url)).toEqual([
      "javascript:alert(1)",
      "http://[::1",
      "http://10.0.0.1/admin",
    ]);
  });

  it("keeps duplicate entries for the caller to skip as duplicates, and reads unparseable dates as none", () => {
    const rss = `<rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>https://news.test/1</link><pubDate>sometime soon</pubDate></item>
<item><title>a again</title><link>https://news.test/1</link></item>
</channel></rss>`;
    expect(parsed(rss, "https://news.test/feed").entries.map((entry) => [entry.url, entry.publishedAt])).toEqual([
      ["https://news.test/1", null],
      ["https://news.test/1", null],
    ]);
  });

  it("reads a description of 100,000 unclosed tags as text in linear time, cut to 2000 characters", () => {
    const rss = `<rss version="2.0"><channel><title>t</title><item><title>a</title><link>https://news.test/1</link><description>${"&lt;a".repeat(100_000)}</description></item></channel></rss>`;
    const [entry] = parsed(rss, "https://news.test/feed").entries;
    expect(entry!.summary).toBe("<a".repeat(1000));
  });
});
