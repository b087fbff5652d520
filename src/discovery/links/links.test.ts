import { describe, expect, it } from "vitest";
import { compileSelector } from "../../extraction/selector";
import { LINK_PROFILES, linkProfileFor, readSectionPage, sectionPageEntries } from "./index";

const page = (body: string): string => `<!doctype html><html><head><title>Section</title></head><body>${body}</body></html>`;
const urls = (html: string, pageUrl: string): string[] => sectionPageEntries(html, pageUrl).map((entry) => entry.url);

const STORY_A = "https://news.example.com/2019/11/19/us-walks-out-of-talks";
const STORY_B = "https://news.example.com/world/korea-defence-cost-sharing-resumes";

describe("sectionPageEntries", () => {
  it("reads the listing and leaves out navigation, header, footer, sidebars and most-read boxes", () => {
    const html = page(`
      <header><a href="/2019/11/18/header-top-story-link">Top story in the header</a></header>
      <nav><a href="/2019/11/17/nav-story-link-here">A story in the menu</a></nav>
      <div class="site-menu"><a href="/2019/11/16/menu-story-link-here">Menu story</a></div>
      <main>
        <ul><li><a href="${STORY_A}">US walks out of talks</a></li><li><a href="${STORY_B}">Talks resume</a></li></ul>
        <section><h2>Most read</h2><ul><li><a href="/2019/11/15/most-read-story-link">Most read story</a></li></ul></section>
        <div class="trending-box"><a href="/2019/11/14/trending-story-link-here">Trending story</a></div>
        <div class="share-bar"><a href="/2019/11/13/share-this-story-now">Share</a></div>
        <div class="pagination"><a href="/2019/11/12/older-stories-page-link">Older</a></div>
      </main>
      <aside><a href="/2019/11/11/sidebar-story-link-here">Sidebar story</a></aside>
      <footer><a href="/2019/11/10/footer-story-link-here">Footer story</a></footer>`);
    expect(urls(html, "https://news.example.com/world")).toEqual([STORY_A, STORY_B]);
  });

  it("leaves out a box titled by a bold line, as table layouts title their most-read lists", () => {
    const html = page(`<table><tr><td><ul><li><a href="${STORY_A}">A</a></li></ul></td>
      <td><table><tr><td><b>Most Read</b></td></tr><tr><td><a href="${STORY_B}">B</a></td></tr></table></td></tr></table>`);
    expect(urls(html, "https://news.example.com/")).toEqual([STORY_A]);
  });

  it("keeps a box whose furniture-sounding name wraps most of the page's links", () => {
    const html = page(`<div class="main-content has-sidebar"><a href="${STORY_A}">A</a><a href="${STORY_B}">B</a></div><nav><a href="/about">About</a></nav>`);
    expect(urls(html, "https://news.example.com/")).toEqual([STORY_A, STORY_B]);
  });

  it("reads listings inside wrappers named for ads and WordPress posts classed by their tags", () => {
    const html = page(`<div class="container--section-more-ads"><ul>
      <li class="post type-post tag-sharing-economy"><a href="${STORY_A}">A</a></li>
      <li><article class="post tag-popular"><a href="${STORY_B}">B</a></article></li></ul></div>
      <nav>${'<a href="/world">World</a>'.repeat(5)}</nav>`);
    expect(urls(html, "https://news.example.com/")).toEqual([STORY_A, STORY_B]);
  });

  it("reads a site's article links with its profile instead of the generic rule", () => {
    const html = page(`
      <a href="/view/AEN20191119003900325">U.S. walks out of defense cost talks</a>
      <a href="/news/an-interview-with-the-negotiators-today">Interview</a>
      <a href="/view/AEN20191119003900325?section=nk/index">same story, another query</a>`);
    const pageUrl = "https://en.yna.co.kr/nk/index";
    expect(urls(html, pageUrl)).toEqual(["https://en.yna.co.kr/view/AEN20191119003900325"]);
    expect(readSectionPage(html, pageUrl, null).map((entry) => entry.url)).toEqual([
      "https://en.yna.co.kr/view/AEN20191119003900325",
      "https://en.yna.co.kr/news/an-interview-with-the-negotiators-today",
      "https://en.yna.co.kr/view/AEN20191119003900325?section=nk/index",
    ]);
  });

  it("resolves relative links against the page, or its <base href>", () => {
    const relative = page(`<a href="us-walks-out-of-talks-123456">Story</a><a href="../2019/11/19/second-story">Second</a>`);
    expect(urls(relative, "https://news.example.com/world/index.html")).toEqual([
      "https://news.example.com/world/us-walks-out-of-talks-123456",
      "https://news.example.com/2019/11/19/second-story",
    ]);
    const based = `<html><head><base href="https://news.example.com/archive/"></head><body><a href="story-number-one-here">One</a></body></html>`;
    expect(urls(based, "https://news.example.com/world")).toEqual(["https://news.example.com/archive/story-number-one-here"]);
  });

  it("lists each story once, without its fragment, titled by the link that has text", () => {
    const html = page(`
      <li><a href="${STORY_A}"><img src="/photo.jpg" alt=""></a><h2><a href="${STORY_A}#comments">US walks out of talks</a></h2></li>
      <li><a href="${STORY_B}" title="Talks resume in Seoul"><img src="/b.jpg"></a></li>`);
    expect(sectionPageEntries(html, "https://news.example.com/world").map(({ url, title }) => ({ url, title }))).toEqual([
      { url: STORY_A, title: "US walks out of talks" },
      { url: STORY_B, title: "Talks resume in Seoul" },
    ]);
  });

  it("titles an image-only link by the image's alt text", () => {
    const html = page(`<a href="${STORY_A}"><img src="/a.jpg" alt="Negotiators leave the room"></a>`);
    expect(sectionPageEntries(html, "https://news.example.com/")[0]?.title).toBe("Negotiators leave the room");
  });

  it("drops links to other sites but keeps the site's other hosts, two-label suffixes included", () => {
    const html = page(`
      <a href="https://other.example.org/2019/11/19/someone-elses-story">Elsewhere</a>
      <a href="https://www.hani.co.kr/arti/politics/917233.html">Korean edition</a>
      <a href="https://www.joins.co.kr/article/23636373">Another Korean paper</a>`);
    expect(urls(html, "https://english.hani.co.kr/arti/english_edition/e_national/")).toEqual([]);
    expect(readSectionPage(html, "https://english.hani.co.kr/arti/english_edition/e_national/", null).map((entry) => entry.url)).toEqual([
      "https://www.hani.co.kr/arti/politics/917233.html",
    ]);
  });

  it("drops javascript:, mailto:, tel: and fragment-only links, and the page itself", () => {
    const html = page(`
      <a href="javascript:window.open('https://news.example.com/2019/11/19/shared-story')">Share</a>
      <a href="mailto:desk@news.example.com?subject=2019-11-19-story">Mail</a>
      <a href="tel:+82212345678">Call</a><a href="#top">Top</a>
      <a href="https://news.example.com/2019/11/19/this-very-page">Self</a>`);
    expect(urls(html, "https://news.example.com/2019/11/19/this-very-page#here")).toEqual([]);
  });

  it("keeps Korean link text as it is written", () => {
    const html = page(`<a href="/arti/politics/defense/917233.html">한미 방위비 분담금 협상 결렬</a>`);
    expect(sectionPageEntries(html, "https://www.hani.co.kr/arti/politics/")[0]?.title).toBe("한미 방위비 분담금 협상 결렬");
  });

  it("reads the teaser and the date printed beside a link, in the site's zone", () => {
    const story = "https://www.thestandard.com.hk/breaking-news/section/4/152604/Voluntary-virus-tests-for-all-in-two-weeks";
    const other = "https://www.thestandard.com.hk/breaking-news/section/4/152592/Free-voluntary-testing-could-begin";
    const html = page(`<ul>
      <li class="caption"><a href="${story}" class="pull-right"><img src="/p.jpg"></a><h1><a href="${story}">Voluntary virus tests for all in two weeks</a></h1>
        <span>7 Aug 2020 3:48 pm</span><p>The Chief Executive announced a universal, voluntary testing scheme...</p></li>
      <li class="caption"><h1><a href="${other}">Free testing could begin</a></h1></li></ul>`);
    expect(sectionPageEntries(html, "https://www.thestandard.com.hk/section-news-list/section/local/")).toEqual([
      {
        url: story,
        title: "Voluntary virus tests for all in two weeks",
        summary: "The Chief Executive announced a universal, voluntary testing scheme...",
        publishedAt: "2020-08-07T15:48:00+08:00",
        updatedAt: null,
      },
      { url: other, title: "Free testing could begin", summary: null, publishedAt: null, updatedAt: null },
    ]);
  });

  it("takes no teaser from far outside a lone story link's card", () => {
    const html = page(`<div><div><div><div><div><div><div><p>An introduction to the whole section page, not the story.</p>
      <div><div><div><div><div><div><div><h3><a href="${STORY_A}">US walks out of talks</a></h3></div></div></div></div></div></div></div></div></div></div></div></div></div></div>`);
    expect(sectionPageEntries(html, "https://news.example.com/")[0]?.summary).toBeNull();
  });

  it("lists nothing for a page address that is not an absolute URL", () => {
    expect(sectionPageEntries(page(`<a href="${STORY_A}">A</a>`), "/world")).toEqual([]);
  });

  it("reads only a profile's listing containers", () => {
    const story = "https://www.globalsecurity.org/military/library/news/2019/11/mil-191119-voa01.htm";
    const html = page(`<table><tr><td class="leftnav"><a href="/military/library/news/2019/11/mil-191118-afps01.htm">Navy</a></td>
      <td class="content"><ul><li><a href="2019/11/mil-191119-voa01.htm">US, South Korea Fail to Reach Deal</a></li></ul></td></tr></table>`);
    expect(urls(html, "https://www.globalsecurity.org/military/library/news/index.html")).toEqual([story]);
  });

  it("leaves a profile's excluded boxes out of its listing", () => {
    const ad = "https://www.thestandard.com.hk/breaking-news/section/4/152000/Sponsored-story-in-the-ad-panel";
    const html = page(`<li><div class="ts-right-bar"><a href="${ad}">Ad</a></div></li>`);
    expect(urls(html, "https://www.thestandard.com.hk/")).toEqual([]);
  });
});

describe("link profiles", () => {
  it("match each seed site's real article addresses and nothing of its sections", () => {
    const cases: [string, string, boolean][] = [
      ["english.hani.co.kr", "/arti/english_edition/e_national/917233.html", true],
      ["english.hani.co.kr", "/arti/english_edition/e_national/", false],
      ["en.yna.co.kr", "/view/AEN20191119003900325", true],
      ["english.yonhapnews.co.kr", "/news/2017/06/01/0200000000AEN20170601002651315.html", true],
      ["en.yna.co.kr", "/nk/index", false],
      ["www.globalsecurity.org", "/military/library/news/2019/11/mil-191119-yonhap01.htm", true],
      ["www.globalsecurity.org", "/military/library/news/2019/11/", false],
      ["www.thestandard.com.hk", "/section-news/section/6/214039/US-walks-out-of-South-Korea-defense-cost-sharing-talks", true],
      ["www.thestandard.com.hk", "/breaking-news.php?id=111401&sid=4", true],
      ["www.thestandard.com.hk", "/section-news-list/section/local/", false],
      ["www.thestandard.com.hk", "/video-list/1/46/The-Historic-Centre-of-Macao", false],
    ];
    for (const [host, path, isArticle] of cases) {
      expect({ host, path, isArticle: linkProfileFor(host)?.article.test(path) }).toEqual({ host, path, isArticle });
    }
  });

  it("have selectors that compile", () => {
    for (const profile of LINK_PROFILES) {
      for (const selector of [profile.container, profile.exclude]) {
        if (selector !== undefined) expect(compileSelector(selector).source).toBe(selector);
      }
    }
  });
});
