/**
 * The search box in every page's header and the results page `/search` (src/web/pages/search.tsx):
 * the API's filters as form fields, hits with their matches in <mark>, links to the version or
 * the redline, pages by cursor, a parameter it cannot use shown beside its field on a 400 page,
 * and a page's markup shown as text.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BROWSER, getRaw, HOSTILE_URL, page, reset, SEED_URLS, setReplayClock, track, trackFirst, trackTwoVersions } from "./helpers";

/** The <li> items of the results list. */
const results = (html: string): string[] => [...(html.match(/<ol class="changes search-results">([\s\S]*?)<\/ol>/)?.[1] ?? "").matchAll(/<li>([\s\S]*?)<\/li>/g)].map((match) => match[1]!);

const marks = (html: string): string[] => [...html.matchAll(/<mark>(.*?)<\/mark>/g)].map((match) => match[1]!);

describe("the search box and the results page", () => {
  let yonhap = "";
  let hankyoreh = "";

  beforeAll(async () => {
    await reset();
    yonhap = await trackTwoVersions(SEED_URLS.yonhap);
    hankyoreh = await trackFirst(SEED_URLS.hankyoreh1stRound);
    await setReplayClock("2019-01-01T00:00:00Z");
    await track(HOSTILE_URL);
  });

  it("puts a labelled GET search form to /search in every page's header", async () => {
    for (const path of ["/", "/sources", `/articles/${yonhap}`, "/search"]) {
      const html = await page(path);
      expect(html, path).toContain(
        '<form class="site-search" role="search" method="get" action="/search"><label for="site-search-q">Search every version</label> <input type="search" id="site-search-q" name="q" required="" maxlength="500"/> <button type="submit">Search</button></form>',
      );
    }
  });

  it("shows the empty form without a query: q, in, site, from, to and sort, no results", async () => {
    const html = await page("/search");
    for (const field of ['name="q"', 'name="in"', 'name="site"', 'name="from"', 'name="to"', 'name="sort"']) expect(html).toContain(field);
    expect(html).toContain('<option value="text" selected="">every version');
    expect(html).not.toContain("search-results");
    expect(html).not.toContain("Nothing found");
  });

  it("lists the versions that hold the words, each linked to its version page, the match marked", async () => {
    const html = await page("/search?q=five-fold");
    const items = results(html);
    expect(items).toHaveLength(1);
    expect(items[0]).toContain(`<a href="/articles/${yonhap}/versions/2">`);
    expect(items[0]).toContain("version 2, captured");
    expect(marks(items[0]!)).toEqual(["five-fold"]);
    // The form comes back as typed.
    expect(html).toContain('name="q" value="five-fold"');
  });

  it("lists what a change removed (in=removed), linked to its redline, and keeps the choice selected", async () => {
    const html = await page("/search?q=six-fold&in=removed");
    const items = results(html);
    expect(items).toHaveLength(1);
    expect(items[0]).toContain(`<a href="/articles/${yonhap}/diff/1..2">`);
    expect(items[0]).toContain("change 2, version 1 → 2, detected");
    expect(items[0]).toContain("Removed:");
    expect(marks(items[0]!)).toEqual(["six-fold"]);
    expect(html).toContain('<option value="removed" selected="">what a change removed</option>');
    expect(results(await page("/search?q=six-fold&in=added"))).toEqual([]);
    expect(await page("/search?q=six-fold&in=added")).toContain("Nothing found.");
  });

  it("pages by cursor with the filters kept: More results by relevance, Older results by time", async () => {
    const first = await page("/search?q=negotiat*&sort=time&limit=1&site=");
    expect(results(first)).toHaveLength(1);
    const next = /<a href="\/search\?([^"]+)" rel="next">Older results<\/a>/.exec(first);
    expect(next).not.toBeNull();
    const query = new URLSearchParams(next![1]!.replace(/&amp;/g, "&"));
    expect([...query.keys()]).toEqual(["q", "sort", "limit", "cursor"]);
    const seen = [results(first)[0]];
    let path: string | null = `/search?${query}`;
    while (path) {
      const html = await page(path);
      seen.push(...results(html));
      const more = /<a href="\/search\?([^"]+)" rel="next">/.exec(html);
      path = more ? `/search?${more[1]!.replace(/&amp;/g, "&")}` : null;
    }
    // Yonhap's two versions and The Hankyoreh's one say negotiator.
    expect(seen).toHaveLength(3);
    expect(await page("/search?q=negotiat*&limit=1")).toContain('rel="next">More results</a>');
    expect(results(await page(`/search?q=negotiat*&site=english.hani.co.kr`)).map((item) => item.includes(`/articles/${hankyoreh}/versions/1`))).toEqual([true]);
  });

  it("shows a page's markup as text: a <script> headline and text are escaped, the match still marked", async () => {
    const html = await page("/search?q=script");
    const [item] = results(html);
    expect(item).toContain("Council &quot;reviews&quot; &lt;script&gt;alert(&quot;headline&quot;)&lt;/script&gt; budget</a>");
    expect(item).toContain("&lt;<mark>script</mark>&gt;alert(");
    expect(html).not.toContain("<script");
  });

  it("answers a parameter it cannot use with a 400 page, the reason beside that field and the value as typed, escaped", async () => {
    for (const [query, field, reason] of [
      ["q=%3Cscript%3E", "q", "is not a search FTS5 understands"],
      ["q=talks&in=diff", "in", "`in` must be text"],
      ["q=talks&from=2019-02-30", "from", "`from` must be an ISO 8601 date"],
      ["q=talks&sort=newest", "sort", "`sort` must be relevance or time"],
    ] as const) {
      const response = await getRaw(`/search?${query}`, BROWSER);
      expect(response.status, query).toBe(400);
      expect(response.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
      const html = await response.text();
      const error = new RegExp(`aria-invalid="true" aria-describedby="search-${field}-error"[^>]*>[\\s\\S]*?<p class="field-error" id="search-${field}-error">([^<]*)</p>`).exec(html);
      expect(error?.[1], query).toContain(reason.replace(/"/g, "&quot;"));
      expect(results(html)).toEqual([]);
    }
    const html = await (await getRaw("/search?q=%3Cscript%3E", BROWSER)).text();
    expect(html).toContain('value="&lt;script&gt;"');
    expect(html).not.toContain("<script");
  });
});
