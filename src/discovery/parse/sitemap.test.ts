import { describe, expect, it } from "vitest";
import { MAX_CHILD_SITEMAPS, nextSitemaps } from "./sitemap";

const INDEX = "https://en.yna.co.kr/sitemap/index.xml";

describe("nextSitemaps", () => {
  it("drops the index naming itself, visited sitemaps, repeats and URLs that do not parse", () => {
    const children = [
      INDEX,
      "https://en.yna.co.kr/sitemap/news-1.xml",
      "https://en.yna.co.kr/sitemap/news-1.xml#again",
      "https://en.yna.co.kr/sitemap/news-0.xml",
      "not a url",
      "https://en.yna.co.kr/sitemap/news-2.xml",
    ];
    const visited = new Set([INDEX, "https://en.yna.co.kr/sitemap/news-0.xml"]);
    expect(nextSitemaps(visited, children, MAX_CHILD_SITEMAPS)).toEqual([
      "https://en.yna.co.kr/sitemap/news-1.xml",
      "https://en.yna.co.kr/sitemap/news-2.xml",
    ]);
  });

  it("reads no more than the bound in all, the visited sitemaps counted", () => {
    const children = Array.from({ length: 200 }, (_, i) => `https://news.test/sitemap-${i}.xml`);
    expect(nextSitemaps(new Set([INDEX]), children, MAX_CHILD_SITEMAPS)).toEqual(children.slice(0, MAX_CHILD_SITEMAPS - 1));
    expect(nextSitemaps(new Set([INDEX, children[0]!, children[1]!]), children, 4)).toEqual([children[2]]);
    expect(nextSitemaps(new Set([INDEX, children[0]!]), children, 2)).toEqual([]);
  });
});
