/** The HTML pages: what each shows, filters, the two diff views, errors, and escaping of article text. */
import { beforeAll, describe, expect, it } from "vitest";
import { escapeHtml } from "../src/diffing/render";
import { api, BROWSER, freshArticleWithTwoVersions, freshHostileArticle, getRaw, page } from "./helpers";


const autodiscovery = (html: string): string[] =>
  [...html.matchAll(/<link rel="alternate" type="([^"]+)"[^>]* href="([^"]+)"/g)].map(([, type, href]) => `${type} ${href}`);

describe("web pages", () => {
  let id: string;
  /** The paragraph version 2 of the seed article adds at its end. */
  let addedParagraph: string;

  beforeAll(async () => {
    id = await freshArticleWithTwoVersions();
    const [v1, v2] = await Promise.all([api("GET", `/api/articles/${id}/versions/1`), api("GET", `/api/articles/${id}/versions/2`)]);
    addedParagraph = v2.json.paragraphs.at(-1);
    expect(v1.json.paragraphs).not.toContain(addedParagraph);
  });

  it("home lists the changes newest first with summaries, kinds, significance and links to the redline", async () => {
    const changes = (await api("GET", "/api/changes")).json.items;
    const html = await page("/");
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
    const first = html.indexOf(escapeHtml(changes[0].summary));
    const second = html.indexOf(escapeHtml(changes[1].summary));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(html).toContain(`href="/articles/${id}/diff/1..2"`);
    expect(html).toContain(`href="/articles/${id}/versions/1"`);
    expect(html).toContain("<li>created</li>");
    expect(html).toContain(`significance ${changes[0].significance.toFixed(2)}`);
    expect(html).toContain(`<time datetime="${changes[0].detectedAt}">`);
    expect(html).toContain('href="/?site=english.hani.co.kr"');
    for (const landmark of ["<header", "<nav", '<main id="main"', "<footer", 'class="skip" href="#main"']) expect(html).toContain(landmark);
    expect(html).not.toMatch(/<script/i);
  });

  it("home filters by kind, significance and site through the query string", async () => {
    const createdOnly = await page("/?kinds=created");
    expect(createdOnly).toContain(`/articles/${id}/versions/1`);
    expect(createdOnly).not.toContain(`/articles/${id}/diff/1..2`);
    expect(createdOnly).toMatch(/<input type="checkbox" name="kinds" value="created" checked=""/);
    const bothBoxes = await page("/?kinds=created&kinds=body");
    expect(bothBoxes).toContain(`/articles/${id}/diff/1..2`);
    expect(bothBoxes).toContain(`/articles/${id}/versions/1"`);
    const significant = await page("/?min_significance=1");
    expect(significant).toContain(`/articles/${id}/versions/1`);
    expect(significant).not.toContain(`/diff/1..2`);
    expect(await page("/?site=english.hani.co.kr")).toContain(`/diff/1..2`);
    const elsewhere = await page("/?site=example.com");
    expect(elsewhere).toContain("No change on this page matches these filters.");
    expect(autodiscovery(elsewhere)).toContain("application/atom+xml /feeds/sites/example.com.atom");
    const badKind = await getRaw("/?kinds=nonsense");
    expect(badKind.status).toBe(400);
    expect(badKind.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("home pages back through older changes with a cursor that keeps the filters", async () => {
    const newest = await page("/?limit=1");
    expect(newest).toContain(`/articles/${id}/diff/1..2`);
    expect(newest).not.toContain(`/articles/${id}/versions/1"`);
    expect(newest).not.toContain("Newest changes");
    const older = /<a href="\/\?(limit=1&amp;cursor=[^"]+)" rel="next">Older changes<\/a>/.exec(newest)?.[1];
    expect(older).toBeDefined();
    const second = await page(`/?${older!.replaceAll("&amp;", "&")}`);
    expect(second).toContain(`/articles/${id}/versions/1"`);
    expect(second).not.toContain(`/diff/1..2`);
    expect(second).toContain('<a href="/?limit=1">Newest changes</a>');
    expect(second).not.toContain("Older changes");
    // A filter that skips the newest change lists the next page of the index to fill this one.
    const created = await page("/?limit=1&kinds=created");
    expect(created).toContain(`/articles/${id}/versions/1"`);
    expect(created).toContain('<input type="hidden" name="limit" value="1"/>');
  });

  it("offers the feed of what each page shows for autodiscovery", async () => {
    expect(autodiscovery(await page("/"))).toEqual([
      "application/atom+xml /feeds/changes.atom",
      "application/rss+xml /feeds/changes.rss",
      "application/feed+json /feeds/changes.json",
    ]);
    expect(autodiscovery(await page("/?kinds=body&min_significance=0.2"))).toContain("application/atom+xml /feeds/changes.atom?kinds=body&amp;min_significance=0.2");
    for (const path of [`/articles/${id}`, `/articles/${id}/diff/1..2`, `/articles/${id}/versions/2`]) {
      expect(autodiscovery(await page(path))).toEqual([
        `application/atom+xml /feeds/articles/${id}.atom`,
        `application/rss+xml /feeds/articles/${id}.rss`,
        `application/feed+json /feeds/articles/${id}.json`,
      ]);
    }
  });

  it("the article page lists versions with raw captures, changes with diff links, and its archive links", async () => {
    const article = (await api("GET", `/api/articles/${id}`)).json;
    const html = await page(`/articles/${id}`);
    expect(html).toContain(`<h1>${escapeHtml(article.title)}</h1>`);
    expect(html).toContain(`href="${article.url}"`);
    expect(html).toContain("active, tracked");
    for (const n of [1, 2]) {
      expect(html).toContain(`href="/articles/${id}/versions/${n}"`);
      expect(html).toContain(`href="/api/articles/${id}/versions/${n}/raw"`);
    }
    expect(html).toContain(`href="/articles/${id}/diff/1..2"`);
    expect(html).toContain(`href="/timemap/link/${article.url}"`);
    expect(html).toContain(`href="/api/articles/${id}/warc"`);
    const changes = (await api("GET", "/api/changes")).json.items;
    for (const change of changes) expect(html).toContain(escapeHtml(change.summary));
  });

  it("the diff page shows the redline inline, with summary, significance, kinds and sentence stats", async () => {
    const diff = (await api("GET", `/api/articles/${id}/diff?from=1&to=2`)).json;
    const html = await page(`/articles/${id}/diff/1..2`);
    expect(html).toContain(`<p class="added"><ins>${escapeHtml(addedParagraph)}</ins></p>`);
    expect(html).toContain(`<dt>Modified</dt><dd><del>${diff.fields["modified-date"].before}</del> <ins>${diff.fields["modified-date"].after}</ins></dd>`);
    expect(html).toContain(escapeHtml(diff.summary));
    expect(html).toContain(`significance ${diff.significance.toFixed(2)}`);
    for (const kind of diff.kinds) expect(html).toContain(`<li>${kind}</li>`);
    expect(html).toContain(`<dt>Sentences</dt><dd>${diff.stats.sentencesAdded} added, `);
    expect(html).toMatch(/<a href="[^"]+\/diff\/1\.\.2" aria-current="page">Inline redline<\/a>/);
    expect(html).not.toContain('<table class="side">');
  });

  it("the side-by-side view puts the old text left and the new text right", async () => {
    const html = await page(`/articles/${id}/diff/1..2?view=side`);
    expect(html).toContain('<table class="side">');
    expect(html).toContain(`<tr class="added"><td></td><td data-label="Version 2"><ins>${escapeHtml(addedParagraph)}</ins></td></tr>`);
    expect(html).toMatch(/<tr class="field"><td data-label="Version 1"><strong>Modified:<\/strong> <del>/);
    expect(html).toMatch(/<a href="[^"]+\/diff\/1\.\.2\?view=side" aria-current="page">Side by side<\/a>/);
    // A reversed range is a diff too: what version 1 lacks, seen from version 2.
    expect(await page(`/articles/${id}/diff/2..1?view=side`)).toContain(`<tr class="removed"><td data-label="Version 2"><del>${escapeHtml(addedParagraph)}</del></td><td></td></tr>`);
  });

  it("the version page shows the captured text with its neighbours and raw capture linked", async () => {
    const version = (await api("GET", `/api/articles/${id}/versions/2`)).json;
    const html = await page(`/articles/${id}/versions/2`);
    for (const paragraph of version.paragraphs) expect(html).toContain(`<p>${escapeHtml(paragraph)}</p>`);
    expect(html).toContain(`<dd>${version.byline}</dd>`);
    expect(html).toContain(`<a href="/articles/${id}/versions/1" rel="prev">`);
    expect(html).toContain(`href="/articles/${id}/diff/1..2"`);
    expect(html).toContain(`href="/api/articles/${id}/versions/2/raw"`);
    expect(html).not.toContain('rel="next"');
    expect(await page(`/articles/${id}/versions/1`)).toContain(`<a href="/articles/${id}/versions/2" rel="next">`);
  });

  it("answers unknown articles and versions and bad ranges with the API's problems, as a page for browsers", async () => {
    const cases: Array<[string, number]> = [
      ["/articles/0123456789abcdef", 404],
      ["/articles/not-an-id/versions/1", 404],
      [`/articles/${id}/versions/3`, 404],
      [`/articles/${id}/versions/0`, 400],
      [`/articles/${id}/diff/1..3`, 404],
      [`/articles/${id}/diff/2..2`, 400],
      [`/articles/${id}/diff/1-2`, 400],
      [`/articles/${id}/diff/1..2?view=sideways`, 400],
    ];
    for (const [path, status] of cases) {
      const asApi = await getRaw(path);
      expect(asApi.status, path).toBe(status);
      expect(asApi.headers.get("Content-Type")).toBe("application/problem+json");
      const { detail } = (await asApi.json()) as { detail: string };
      const asPage = await getRaw(path, BROWSER);
      expect(asPage.status, path).toBe(status);
      expect(asPage.headers.get("Content-Type")).toBe("text/html; charset=UTF-8");
      expect(await asPage.text()).toContain(`<p>${escapeHtml(detail)}</p>`);
    }
  });

  it("serves its stylesheet and icon from versioned URLs, cacheable for a year", async () => {
    const html = await page("/");
    const stylesheet = /<link rel="stylesheet" href="(\/static\/redline\.[0-9a-f]{8}\.css)"/.exec(html)?.[1];
    const icon = /<link rel="icon" type="image\/svg\+xml" href="(\/static\/icon\.[0-9a-f]{8}\.svg)"/.exec(html)?.[1];
    for (const [path, type] of [[stylesheet, "text/css; charset=utf-8"], [icon, "image/svg+xml"]]) {
      expect(path).toBeDefined();
      const response = await getRaw(path!);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe(type);
      expect(response.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    }
    expect(await (await getRaw(stylesheet!)).text()).toContain("prefers-color-scheme:dark");
    expect((await getRaw("/static/redline.00000000.css")).status).toBe(404);
  });

  it("leaves the API, feeds and Memento routes where they were", async () => {
    const article = (await api("GET", `/api/articles/${id}`)).json;
    expect((await api("GET", "/api/changes")).json.items).toHaveLength(2);
    expect((await getRaw(`/feeds/articles/${id}.atom`)).headers.get("Content-Type")).toContain("application/atom+xml");
    expect((await getRaw(`/timemap/link/${article.url}`)).headers.get("Content-Type")).toContain("application/link-format");
    expect((await getRaw(`/api/articles/${id}/diff?format=html`)).status).toBe(200);
  });
});

describe("article text that is markup", () => {
  let id: string;

  beforeAll(async () => {
    id = await freshHostileArticle();
  });

  it("is printed as text on every page, never as markup", async () => {
    const paths = ["/", `/articles/${id}`, `/articles/${id}/versions/1`, `/articles/${id}/versions/2`, `/articles/${id}/diff/1..2`, `/articles/${id}/diff/1..2?view=side`];
    for (const path of paths) {
      const html = await page(path);
      expect(html, path).not.toMatch(/<script|<img|<b /i);
      expect(html, path).toContain("&lt;script&gt;alert(&quot;headline&quot;)&lt;/script&gt;");
    }
    expect(await page(`/articles/${id}/versions/1`)).toContain("roads &amp; schools &lt;img src=x onerror=alert(1)&gt;");
    const redline = await page(`/articles/${id}/diff/1..2`);
    expect(redline).toContain("roads &amp; <del>schools</del><ins>parks</ins> &lt;<del>img src</del><ins>b onmouseover</ins>=");
    expect(redline).toContain("&lt;script&gt;alert(&quot;<del>v1</del><ins>v2</ins>&quot;)&lt;/script&gt;");
  });
});
