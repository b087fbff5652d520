import { describe, expect, it } from "vitest";
import { isArticleUrl, registrableDomain } from "./generic";

describe("isArticleUrl", () => {
  it("takes a long number, a date, a slug of three words, an opaque id or a story segment", () => {
    const articles = [
      "https://example.com/news/152604",
      "https://example.com/2019/11/19/talks",
      "https://example.com/2019/11/talks-collapse",
      "https://example.com/politics/20191119-talks",
      "https://example.com/politics/2019-11-19-talks",
      "https://example.com/world/us-walks-out-of-talks",
      "https://example.com/news/articles/c05v28eqjyvo",
      "https://example.com/story/talks",
      "https://example.com/story.php?id=111401",
      "https://example.com/features/2023/the-protein-problem/plant-based-meat/index.html",
      "https://example.com/news/Wine-11.4-Released",
    ];
    expect(articles.filter((url) => !isArticleUrl(new URL(url)))).toEqual([]);
  });

  it("refuses sections, listings, profiles, logins, feeds, media and files", () => {
    const others = [
      "https://example.com/",
      "https://example.com/world",
      "https://example.com/home-and-garden",
      "https://example.com/tag/us-korea-alliance-talks",
      "https://example.com/author/noh-ji-won-reporter",
      "https://example.com/search?q=2019-11-19",
      "https://example.com/login/return-to-the-story",
      "https://example.com/feeds/2019/11/19/rss",
      "https://example.com/videos/2019/11/19/talks-walkout-video",
      "https://example.com/printAd/2020080620201020200807_photo.jpg",
      "https://example.com/page/2",
      "https://example.com/forums/node/1618157",
      "https://example.com/organization/17023280/the-villa-group.html",
      "https://example.com/transcripts/nx-s1-5738445",
    ];
    expect(others.filter((url) => isArticleUrl(new URL(url)))).toEqual([]);
  });
});

describe("registrableDomain", () => {
  it("is the last two labels, or three under a two-label public suffix", () => {
    expect(["en.yna.co.kr", "www.thestandard.com.hk", "news.mit.edu", "www.bbc.co.uk", "127.0.0.1", "localhost"].map(registrableDomain)).toEqual([
      "yna.co.kr", "thestandard.com.hk", "mit.edu", "bbc.co.uk", "127.0.0.1", "localhost",
    ]);
  });
});
