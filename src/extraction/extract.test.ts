import { describe, expect, it } from "vitest";
import type { ArticleContent, ExtractionResult } from "../model";
import { MIN_ARTICLE_WORDS, extractArticle } from "./index";

const GENERIC_URL = "https://news.example.com/2019/11/20/story.html";

/** Sentences long enough to pass for story paragraphs; `n` makes each distinct. */
const prose = (n: number): string =>
  `Paragraph ${n} reports that negotiators met again on Tuesday, and that both sides said the talks, which ran late into the evening, had made progress on the main points.`;

function page(body: string, head = ""): string {
  return `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}

function articleOf(result: ExtractionResult): ArticleContent {
  if (!result.ok) throw new Error(`expected an article, got: ${result.reason}`);
  return result.article;
}

describe("generic pages", () => {
  const boilerplate = `
    <header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav></header>
    <div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Tweet this story</a></div>
    <aside class="sidebar"><h3>Most viewed</h3><p>${prose(90)}</p></aside>`;
  const related = `<div class="box"><h4>Related articles</h4><ul>
      <li><a href="/a">Talks stall again as negotiators leave without a deal in sight</a></li>
      <li><a href="/b">Opposition calls for an inquiry into the handling of the talks</a></li></ul></div>`;

  it("reads JSON-LD (inside @graph), strips the site name from the title and finds the story by density", () => {
    const html = page(
      `${boilerplate}
      <main><article class="post">
        <h1>Talks resume in Seoul</h1>
        <p class="byline">By Kim Min-ji, Staff Reporter (minji@example.com)</p>
        <div class="article-body">
          <p>${prose(1)}</p><p>${prose(2)}</p><h2>What comes next</h2><p>${prose(3)}</p>
          <ul><li>First point of the plan, agreed on Tuesday.</li><li>Second point, still open.</li></ul>
          ${related}
          <figure><img src="a.jpg"><figcaption>Negotiators arrive. (Photo: Example)</figcaption></figure>
          <p>${prose(4)}</p>
        </div>
      </article></main>
      <footer><p>Copyright Example News. All rights reserved.</p></footer>`,
      `<title>Talks resume in Seoul | Example News</title>
       <meta property="og:site_name" content="Example News">
       <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
         {"@type":"WebPage","name":"ignored"},
         {"@type":["NewsArticle"],"headline":"Talks resume in Seoul","datePublished":"2019-11-20T17:44:00+09:00",
          "dateModified":"2019-11-21T08:00:00+09:00","author":[{"@type":"Person","name":"Kim Min-ji"},
          {"@type":"Organization","name":"Example News"}]}]}</script>`,
    );
    const result = extractArticle(html, GENERIC_URL);
    expect(result.profile).toBe("generic");
    expect(articleOf(result)).toEqual({
      title: "Talks resume in Seoul",
      byline: "Kim Min-ji",
      publishedAt: "2019-11-20T17:44:00+09:00",
      modifiedAt: "2019-11-21T08:00:00+09:00",
      paragraphs: [
        prose(1), prose(2), "What comes next", prose(3),
        "First point of the plan, agreed on Tuesday.", "Second point, still open.", prose(4),
      ],
    });
  });

  it("falls back to meta tags and <time datetime>, and to the <h1> when the title suffix is unknown", () => {
    const html = page(
      `<h1>Budget passes</h1><time datetime="2019-11-20T09:00:00Z">Nov 20</time>
       <div class="content"><p>${prose(1)}</p><p>${prose(2)}</p></div>`,
      `<title>Budget passes :: Daily Planet Online</title>
       <meta name="author" content="Lois Lane">
       <meta property="article:modified_time" content="2019-11-20T10:30:00+01:00">`,
    );
    expect(articleOf(extractArticle(html, GENERIC_URL))).toMatchObject({
      title: "Budget passes",
      byline: "Lois Lane",
      publishedAt: "2019-11-20T09:00:00Z",
      modifiedAt: "2019-11-20T10:30:00+01:00",
    });
  });

  it("takes the byline from a \"By …\" line in the story and leaves the line out of the text", () => {
    const html = page(`<div class="story"><p>By Song Sang-ho</p><p>${prose(1)}</p><p>${prose(2)}</p>
      <p>sshluck@example.com<br>(END)</p></div>`);
    expect(articleOf(extractArticle(html, GENERIC_URL))).toMatchObject({
      byline: "Song Sang-ho",
      paragraphs: [prose(1), prose(2)],
    });
  });

  it("leaves out a bold source line above the story and a caption repeating its image's alt text", () => {
    const html = page(`<div class="story"><p><b>Iran Press TV</b></p><p>${prose(1)}</p>
      <div class="photo"><img src="a.jpg" alt="Negotiators arrive in Seoul on Tuesday."><p>Negotiators arrive in Seoul on Tuesday.</p></div>
      <p><strong>What comes next</strong></p><p>${prose(2)}</p></div>`);
    expect(articleOf(extractArticle(html, GENERIC_URL)).paragraphs).toEqual([prose(1), "What comes next", prose(2)]);
  });

  it("reads Korean bylines (\"이름 기자\")", () => {
    const html = page(`<div class="text">${prose(1)}<br><br>${prose(2)}<br><br>노지원 기자</div>`);
    expect(articleOf(extractArticle(html, GENERIC_URL))).toMatchObject({ byline: "노지원", paragraphs: [prose(1), prose(2)] });
  });

  it("splits <br><br>-separated text into paragraphs and keeps a single <br> as a space", () => {
    const html = page(`<div class="text">${prose(1)}<br><br>${prose(2)}<br />line two<br>\n<br>&nbsp;${prose(3)}</div>`);
    expect(articleOf(extractArticle(html, GENERIC_URL)).paragraphs).toEqual([
      prose(1), `${prose(2)} line two`, prose(3),
    ]);
  });

  it("drops noscript duplicates and hidden elements", () => {
    const html = page(`<div class="story">
      <p>${prose(1)}</p>
      <noscript><p>${prose(1)}</p></noscript>
      <p hidden>${prose(80)}</p>
      <div aria-hidden="true"><p>${prose(81)}</p></div>
      <p style="color: red; display : none">${prose(82)}</p>
      <p>${prose(2)}</p></div>`);
    expect(articleOf(extractArticle(html, GENERIC_URL)).paragraphs).toEqual([prose(1), prose(2)]);
  });

  it("reads a story React streamed into a hidden segment (<div hidden id=\"S:0\">) that a script moves into place", () => {
    const html = page(`<template id="B:0"></template><p>Loading…</p>
      <div hidden id="S:0"><main><article><h1>Talks resume</h1><p>${prose(1)}</p><p>${prose(2)}</p></article></main></div>
      <script>$RC("B:0","S:0")</script>`);
    expect(articleOf(extractArticle(html, GENERIC_URL)).paragraphs).toEqual([prose(1), prose(2)]);
  });

  it("reads a story inside an <aside> its author left unclosed, and still drops a closed one", () => {
    const html = page(`<aside class="announcement-banner"><a href="/news">We have joined Example Corp</a>
      <main><article><h1>Talks resume</h1><p>${prose(1)}</p><p>${prose(2)}</p>
      <aside class="related"><p>${prose(90)}</p></aside></article></main>`);
    expect(articleOf(extractArticle(html, GENERIC_URL)).paragraphs).toEqual([prose(1), prose(2)]);
  });

  it("decodes entities and composes text to NFC", () => {
    const html = page(`<div class="story"><p>Caf&eacute; owners &amp; &ldquo;cooks&rdquo; met Jose\u0301 &#8212; ${prose(1)}</p><p>${prose(2)}</p></div>`);
    const [first] = articleOf(extractArticle(html, GENERIC_URL)).paragraphs;
    expect(first).toBe(`Café owners & “cooks” met Jos\u00e9 — ${prose(1)}`);
  });

  it("copes with malformed markup", () => {
    const html = `<html><body><div class="story"><p>${prose(1)}<p><b>${prose(2)}</i><div><p>${prose(3)}</span></div></div></table>
      <p>${prose(4)}<a href="x>broken</a>`;
    expect(articleOf(extractArticle(html, GENERIC_URL)).paragraphs.slice(0, 3)).toEqual([prose(1), prose(2), prose(3)]);
  });

  // How fast: `npm run bench:extract` times real pages, 1 MB+ ones among them, in Node.
  it("reads every paragraph of a 1 MB+ page buried in navigation lists", () => {
    const filler = `<div class="promo"><ul>${'<li><a href="/x">Another headline from elsewhere on the site</a></li>'.repeat(20)}</ul></div>`;
    const body = Array.from({ length: 400 }, (_, index) => `<p>${prose(index)}</p>${index % 20 === 0 ? filler : ""}`).join("");
    const html = page(`${filler.repeat(350)}<article>${body}</article>${filler.repeat(350)}`);
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(articleOf(extractArticle(html, GENERIC_URL)).paragraphs).toEqual(Array.from({ length: 400 }, (_, index) => prose(index)));
  });
});

describe("pages without an article", () => {
  it.each([
    ["an empty string", ""],
    ["whitespace", "  \n\t "],
    ["an empty body", page("")],
    ["an error page", page("<h1>404 Not Found</h1><p>The page you requested could not be found.</p>")],
    [
      "a paywall teaser",
      page(`<article><h1>Exclusive</h1><p>The minister said on Tuesday that the plan would go ahead.</p>
        <div class="paywall"><p>Subscribe to continue reading.</p></div></article>`),
    ],
  ])("%s is not ok", (_name, html) => {
    const result = extractArticle(html, GENERIC_URL);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^no article found: /);
  });

  it("a cookie-consent wall is not stored as an article, however wordy", () => {
    const html = page(`<div class="consent-layer"><div class="message">
      <h2>We value your privacy</h2>
      <p>We and our partners use cookies to store and access information on your device, for personalised ads and content, ad and content measurement, audience insights and product development.</p>
      <p>With your permission we and our partners may use precise geolocation data and identification through device scanning. You may click to consent to our and our partners' processing as described above.</p>
      <p>Alternatively you may click to refuse to consent or access more detailed information and change your preferences before consenting. Please note that some processing of your personal data may not require your consent.</p>
      <p><button>Accept all cookies</button> <a href="/privacy">Manage your privacy choices</a></p>
      </div></div>`);
    const result = extractArticle(html, GENERIC_URL);
    expect(result).toMatchObject({ ok: false, profile: "generic" });
    if (!result.ok) expect(result.reason).toMatch(/^no article found: /);
  });

  it(`needs at least ${MIN_ARTICLE_WORDS} words`, () => {
    const words = (count: number): string => Array.from({ length: count }, (_, index) => `word${index}`).join(" ");
    expect(extractArticle(page(`<p>${words(MIN_ARTICLE_WORDS - 1)}</p>`), GENERIC_URL).ok).toBe(false);
    expect(extractArticle(page(`<p>${words(MIN_ARTICLE_WORDS)}</p>`), GENERIC_URL).ok).toBe(true);
  });

  it("never throws, whatever the input", () => {
    const nasty = [
      "<", "<<<>>>", "</p></div></body>", "\uFEFF", "\u0000\u0001", "<script>", "<!--", "<![CDATA[x",
      "<div>".repeat(50_000), `<p title="${"x".repeat(10_000)}`, "<svg><p/><math><p>", "&#xFFFFFF;&#0;&bogus;",
      `<script type="application/ld+json">{"@type":"NewsArticle","author":{"name":`,
      `<script type="application/ld+json">[null, 1, "x", {"@graph": 5}]</script>`,
    ];
    for (const html of nasty) {
      for (const url of [GENERIC_URL, "https://en.yna.co.kr/view/X", "not a url", ""]) {
        expect(() => extractArticle(html, url)).not.toThrow();
      }
    }
  });
});

describe("generic pages: whole stories and what follows them", () => {
  it("reads every section of a guide set in one box per section, not the highest-scoring box alone", () => {
    const section = (n: number) =>
      `<div class="guide-section"><h2>Step ${n}</h2><p>${prose(n * 10)}</p><p>${prose(n * 10 + 1)}</p></div>`;
    const html = page(`<div class="layout"><div class="guide">${[1, 2, 3, 4].map(section).join("")}</div></div>`);
    const { paragraphs } = articleOf(extractArticle(html, GENERIC_URL));
    expect(paragraphs.filter((paragraph) => paragraph.startsWith("Step "))).toEqual(["Step 1", "Step 2", "Step 3", "Step 4"]);
    expect(paragraphs).toContain(prose(41));
  });

  it("ends the story at a trailing 'More from …' section and drops 'N minutes ago' labels", () => {
    const html = page(`<article><h1>Talks resume</h1><div>Updated 5 minutes ago</div>
      <p>${prose(1)}</p><p>${prose(2)}</p><p>${prose(3)}</p>
      <h3>More from World</h3><p>Another story entirely, about the weather over the weekend and the roads.</p></article>`);
    const { paragraphs } = articleOf(extractArticle(html, GENERIC_URL));
    expect(paragraphs).toEqual([prose(1), prose(2), prose(3)]);
  });

  it("keeps a story wrapped in a page-wide form (ASP.NET) and drops a small search form", () => {
    const html = page(`<form id="aspnetForm" action="/page.aspx" method="post">
      <form class="search"><label>Search the site for more stories and topics</label></form>
      <div class="content"><p>${prose(1)}</p><p>${prose(2)}</p></div></form>`);
    expect(articleOf(extractArticle(html, GENERIC_URL)).paragraphs).toEqual([prose(1), prose(2)]);
  });

  it("prefers the visible <h1> when the declared title is a reworded SEO title, and decodes JSON-LD entities", () => {
    const jsonLd = `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Best Movers in NYC 2025 | Top 19 Companies","author":{"@type":"Person","name":"Maria &amp; Katerina"}}</script>`;
    const html = page(`<article><h1>Best Residential Movers in NYC 2025</h1><p>${prose(1)}</p><p>${prose(2)}</p></article>`, jsonLd);
    const article = articleOf(extractArticle(html, GENERIC_URL));
    expect(article.title).toBe("Best Residential Movers in NYC 2025");
    expect(article.byline).toBe("Maria & Katerina");
  });

  it("takes the byline from a link to the writer's page in the story, not from a recent-posts list", () => {
    const html = page(`<ul class="recent"><li><a href="/author/someone-else">Someone Else</a></li></ul>
      <article><h1>Talks resume</h1><span>Written by <a href="/author/jane-doe">Jane Doe</a></span>
      <p>${prose(1)}</p><p>${prose(2)}</p></article>`);
    expect(articleOf(extractArticle(html, GENERIC_URL)).byline).toBe("Jane Doe");
  });

  it("takes the name from inside an author box that also holds a bio", () => {
    const bio = "Halina Goetz tutors writing at the university and has written about learning for ten years, mostly for students.";
    const html = page(`<article><h1>Talks resume</h1><div class="author"><p>${bio}</p>
      <p><a rel="author" href="/people/hgoetz">Halina Goetz</a></p></div><p>${prose(1)}</p><p>${prose(2)}</p></article>`);
    expect(articleOf(extractArticle(html, GENERIC_URL)).byline).toBe("Halina Goetz");
  });

  it("credits the site when the page visibly does, but not for a site name found only in metadata", () => {
    const head = `<meta property="og:site_name" content="Example News"><meta name="author" content="Example News">`;
    const story = `<p>${prose(1)}</p><p>${prose(2)}</p>`;
    const creditedInMetadataOnly = page(`<article><h1>Talks resume</h1>${story}</article>`, head);
    expect(articleOf(extractArticle(creditedInMetadataOnly, GENERIC_URL)).byline).toBeNull();
    const creditedVisibly = page(`<article><h1>Talks resume</h1><p class="byline">By Example News Staff</p>${story}</article>`, head);
    expect(articleOf(extractArticle(creditedVisibly, GENERIC_URL)).byline).toBe("Example News Staff");
  });
});
