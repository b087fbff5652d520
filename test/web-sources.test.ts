/** The HTML pages of discovery: the sources, one source's page, what found an article, the home page's source filter. */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { escapeHtml } from "../src/diffing/render";
import { adHocOrigin, answerWith, type AdHocOrigin } from "./ad-hoc-origin";
import { api, BROWSER, getRaw, page, reset, SEED_URLS, setReplayClock, track } from "./helpers";
import { captureChecks, consume, drain, type CapturedChecks } from "./queue-helpers";
import { NOT_CONFIGURED_ERROR } from "../src/discovery/websub";


/** What a reader sees of a piece of markup: the text, entities decoded, whitespace collapsed. */
const visible = (markup: string): string =>
  markup
    .replace(/<br\s*\/?>|<\/li>/g, " ")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();

/** The visible text of each body row's cells, of the first table after `heading` (or of the page's first table). */
function tableRows(html: string, heading = ""): string[][] {
  const from = html.indexOf(heading);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html.slice(from))?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => [...row!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, cell]) => visible(cell!)));
}

/** The visible text of the `<dd>` after `<dt>{term}</dt>`. */
function fact(html: string, term: string): string {
  const match = new RegExp(`<dt>${term}</dt><dd>([\\s\\S]*?)</dd>(?=<dt>|</dl>)`).exec(html);
  expect(match, term).not.toBeNull();
  return visible(match![1]!);
}

/** How the pages print an instant: to the minute, in UTC. */
const shown = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const DESK_URL = "https://fixtures.redline.test/feeds/desk.json";
const WIRE_URL = "https://fixtures.redline.test/feeds/wire.xml";
const BROKEN_URL = "https://fixtures.redline.test/feeds/broken.xml";
const QUIET_URL = "https://fixtures.redline.test/feeds/quiet.xml";
const GONE_URL = "https://fixtures.redline.test/feeds/gone.xml";
const DESK_TITLE = `Desk <script>alert("source")</script>`;
const FIRST_ENTRY_TITLE = `1st round <script>alert("entry")</script> "talks"`;
const THIRD_ENTRY_TITLE = "3rd round & walk-out";

/** A JSON Feed: its titles are plain text as given, markup included, so they reach the pages unaltered. */
const deskFeed = JSON.stringify({
  version: "https://jsonfeed.org/version/1.1",
  title: DESK_TITLE,
  items: [
    { id: "3", url: SEED_URLS.hankyoreh3rdRound, title: THIRD_ENTRY_TITLE, date_published: "2019-11-19T09:00:00+09:00" },
    { id: "1", url: SEED_URLS.hankyoreh1stRound, title: FIRST_ENTRY_TITLE, date_published: "2019-09-25T09:00:00+09:00" },
  ],
});

const HUB_URL = "https://hub.redline.test/";

/** An RSS feed; `hub` adds the WebSub hub it advertises. */
const rss = (title: string, links: string[], hub: string | null = null) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${title}</title><link>https://fixtures.redline.test/</link><description>d</description>${
    hub ? `<atom:link rel="hub" href="${hub}"/>` : ""
  }${links.map((link, index) => `<item><title>${title} item ${index + 1}</title><link>${link}</link></item>`).join("")}</channel></rss>`;

interface Scene {
  desk: { id: string };
  wire: { id: string };
  broken: { id: string };
  quiet: { id: string };
  gone: { id: string };
  firstId: string;
  thirdId: string;
  byHandId: string;
}

/**
 * Five sources: "desk" (a JSON Feed whose titles are markup, trackDays 1) finds both seed
 * articles of The Hankyoreh, and the 3rd-round one is checked past its trackDays (retired);
 * "wire" (RSS advertising a WebSub hub, which without PUBLIC_ORIGIN is not subscribed to) finds
 * the 1st-round one again; "broken" answered a feed when added and malformed XML at its check;
 * "quiet" is paused; "gone" found the Yonhap article and was deleted. One more article, The
 * Standard's, is added by hand.
 */
async function setScene(origin: AdHocOrigin, captured: CapturedChecks): Promise<Scene> {
  await reset();
  // The latest fixtures: every seed article is served.
  await setReplayClock("2100-01-01T00:00:00Z");
  origin.serve(DESK_URL, answerWith(deskFeed, "application/feed+json"));
  origin.serve(WIRE_URL, answerWith(rss("Wire", [SEED_URLS.hankyoreh1stRound], HUB_URL), "application/rss+xml"));
  origin.serve(BROKEN_URL, answerWith(rss("Broken", []), "application/rss+xml"));
  origin.serve(QUIET_URL, answerWith(rss("Quiet", []), "application/rss+xml"));
  origin.serve(GONE_URL, answerWith(rss("Gone", [SEED_URLS.yonhap]), "application/rss+xml"));
  const add = async (body: object) => {
    const response = await api("POST", "/api/sources", { body });
    expect(response.status, JSON.stringify(response.json)).toBe(201);
    return response.json as { id: string };
  };
  const desk = await add({ url: DESK_URL, trackDays: 1 });
  const wire = await add({ url: WIRE_URL, keywords: ["wire"], intervalMinutes: 60 });
  const broken = await add({ url: BROKEN_URL });
  const quiet = await add({ url: QUIET_URL });
  const gone = await add({ url: GONE_URL });
  origin.serve(BROKEN_URL, answerWith("<rss><channel><title>unclosed", "application/rss+xml"));
  expect((await api("PATCH", `/api/sources/${quiet.id}`, { body: { status: "paused" } })).status).toBe(200);
  // Each source's scheduled check, as the dispatcher sends it; then the first captures it queued.
  const checkSource = (source: { id: string }) => ({ body: { type: "source" as const, sourceId: source.id, host: "fixtures.redline.test", notBefore: Date.now() } });
  await consume([checkSource(desk), checkSource(broken), checkSource(gone)]);
  await drain(captured);
  expect((await api("DELETE", `/api/sources/${gone.id}`)).status).toBe(200);
  // The wire's entry is an article the desk already found: linked, not captured again.
  await consume([checkSource(wire)]);
  await drain(captured);
  const byHand = await track(SEED_URLS.theStandard);
  expect(byHand.status).toBe(201);
  const articles = (await api("GET", `/api/articles?source=${desk.id}`)).json.items as Array<{ id: string; url: string; retireAt: string }>;
  const found = (url: string) => articles.find((article) => article.url === url)!;
  // The 3rd-round article's queued check, run a minute after the desk's trackDays ended for it.
  const third = found(SEED_URLS.hankyoreh3rdRound);
  await consume([{ body: { type: "check", articleId: third.id, host: "english.hani.co.kr", notBefore: Date.parse(third.retireAt) + 60_000 } }]);
  return { desk, wire, broken, quiet, gone, firstId: found(SEED_URLS.hankyoreh1stRound).id, thirdId: third.id, byHandId: byHand.json.id };
}

describe("the pages of sources", () => {
  let scene: Scene;

  beforeAll(async () => {
    const origin = adHocOrigin();
    const captured = captureChecks();
    scene = await setScene(origin, captured);
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  const sourceJson = async (id: string) => (await api("GET", `/api/sources/${id}`)).json;
  const articleJson = async (id: string) => (await api("GET", `/api/articles/${id}`)).json;

  it("the sources page lists each source with its type, status, checks, counts, articles and feeds", async () => {
    const [desk, wire, broken, quiet] = await Promise.all([scene.desk, scene.wire, scene.broken, scene.quiet].map((source) => sourceJson(source.id)));
    const html = await page("/sources");
    const rowOf = (source: { url: string }) => tableRows(html).find((row) => row[0]!.endsWith(source.url));
    expect(rowOf(desk)).toEqual([
      `${DESK_TITLE} ${DESK_URL}`,
      "jsonfeed",
      "active",
      shown(desk.lastCheckedAt),
      shown(desk.nextCheckAt),
      "2",
      "2 articles",
      "Feed: Atom · RSS · JSON Feed",
    ]);
    expect(rowOf(wire)).toEqual([`Wire ${WIRE_URL}`, "rss", "active", shown(wire.lastCheckedAt), shown(wire.nextCheckAt), "1", "1 article", "Feed: Atom · RSS · JSON Feed"]);
    expect(rowOf(broken)![2]).toBe(`failing — ${broken.lastError}`);
    expect(broken.lastError).not.toBeNull();
    expect(rowOf(quiet)).toEqual([`Quiet ${QUIET_URL}`, "rss", "paused", "never", "not while paused", "0", "0 articles", "Feed: Atom · RSS · JSON Feed"]);
    // The deleted source is gone from the list.
    expect(tableRows(html)).toHaveLength(4);
    expect(html).not.toContain(GONE_URL);
    expect(html).toContain(`<a href="/sources/${desk.id}">${escapeHtml(DESK_TITLE)}</a>`);
    expect(html).toContain(`<a href="/?source=${desk.id}">2 articles</a>`);
    for (const extension of ["atom", "rss", "json"]) expect(html).toContain(`href="/feeds/sources/${desk.id}.${extension}"`);
    expect(html).toContain('href="/api/sources.opml"');
    expect(html).toContain('<li><a href="/sources">Sources</a></li>');
  });

  it("a source's page shows its settings and the articles it found, newest found first, with their entry titles", async () => {
    const desk = await sourceJson(scene.desk.id);
    const found = (await api("GET", `/api/articles?source=${scene.desk.id}`)).json.items as Array<{ id: string; title: string; foundAt: string; entryTitle: string }>;
    expect(found.map((article) => article.entryTitle).sort()).toEqual([FIRST_ENTRY_TITLE, THIRD_ENTRY_TITLE]);
    const html = await page(`/sources/${scene.desk.id}`);
    expect(html).toContain(`<h1>${escapeHtml(DESK_TITLE)}</h1>`);
    expect(fact(html, "URL")).toBe(DESK_URL);
    expect(fact(html, "Type")).toBe("jsonfeed");
    expect(fact(html, "Status")).toBe("active");
    expect(fact(html, "Checked")).toBe("every 15 minutes");
    expect(fact(html, "Last check")).toBe(shown(desk.lastCheckedAt));
    expect(fact(html, "Entries seen")).toBe("2 in its last read");
    expect(fact(html, "Articles found")).toBe("2 (their changes)");
    expect(fact(html, "Articles tracked for")).toBe("1 day after discovery, then retired");
    expect(fact(html, "WebSub")).toBe("no hub advertised");
    expect(tableRows(html, "Articles it found")).toEqual(
      found.map((article) => [shown(article.foundAt), article.entryTitle, article.title, article.id === scene.thirdId ? "retired" : "active"]),
    );
    expect(html).toContain(`href="/articles/${scene.firstId}"`);
    expect(html).toContain(`href="/articles/${scene.thirdId}"`);
  });

  it("a source's page shows its filter and interval", async () => {
    const html = await page(`/sources/${scene.wire.id}`);
    expect(html).toContain(
      "<dl class=\"filter\"><dt>Include (URL patterns)</dt><dd>none</dd><dt>Exclude (URL patterns)</dt><dd>none</dd><dt>Keywords (any of)</dt><dd>wire</dd><dt>Maximum age</dt><dd>none</dd></dl>",
    );
    expect(fact(html, "Checked")).toBe("every hour");
    expect(fact(html, "Articles tracked for")).toBe("as long as they are tracked (no trackDays)");
    expect(fact(html, "WebSub")).toBe(`not-configured with ${HUB_URL}: ${NOT_CONFIGURED_ERROR}`);
  });

  it("a failing source's page shows the error that made it fail", async () => {
    const broken = await sourceJson(scene.broken.id);
    expect(broken.status).toBe("failing");
    const html = await page(`/sources/${scene.broken.id}`);
    expect(fact(html, "Status")).toBe(`failing — ${broken.lastError}`);
    expect(html).toContain("<p>No articles found yet.</p>");
  });

  it("an article's page names every source that found it, with when and the entry's title", async () => {
    const article = await articleJson(scene.firstId);
    const [byDesk, byWire] = article.sources as Array<{ id: string; foundAt: string; entryTitle: string }>;
    expect([byDesk!.id, byWire!.id]).toEqual([scene.desk.id, scene.wire.id]);
    const html = await page(`/articles/${scene.firstId}`);
    expect(fact(html, "Found by")).toBe(
      `${DESK_TITLE}, found ${shown(byDesk!.foundAt)} as “${FIRST_ENTRY_TITLE}” Wire, found ${shown(byWire!.foundAt)} as “Wire item 1”`,
    );
    expect(html).toContain(`<a href="/sources/${scene.desk.id}">${escapeHtml(DESK_TITLE)}</a>`);
    expect(fact(html, "Status")).toBe(`active, tracked until ${shown(article.retireAt)}`);
    expect(fact(await page(`/articles/${scene.byHandId}`), "Found by")).toBe("added by hand");
    const yonhap = (await api("GET", `/api/articles?source=${scene.gone.id}`)).json.items[0];
    expect(fact(await page(`/articles/${yonhap.id}`), "Found by")).toBe(`${GONE_URL} (source since deleted), found ${shown(yonhap.foundAt)} as “Gone item 1”`);
  });

  it("the home page filters the changes by the source that found their articles, and names it", async () => {
    const html = await page(`/?source=${scene.desk.id}`);
    expect(html).toContain(`<p>Articles found by <a href="/sources/${scene.desk.id}">${escapeHtml(DESK_TITLE)}</a>.</p>`);
    expect(html).toContain(`href="/articles/${scene.firstId}/versions/1"`);
    expect(html).toContain(`href="/articles/${scene.thirdId}/versions/1"`);
    expect(html).not.toContain(`/articles/${scene.byHandId}/`);
    expect(html).toContain(`<option value="${scene.desk.id}" selected="">${escapeHtml(DESK_TITLE)}</option>`);
    expect(html).toContain(`<link rel="alternate" type="application/atom+xml" title="Redline: changes to articles found by ${escapeHtml(DESK_TITLE)} (Atom)" href="/feeds/sources/${scene.desk.id}.atom"/>`);
    const wire = await page(`/?source=${scene.wire.id}`);
    expect(wire).toContain(`href="/articles/${scene.firstId}/versions/1"`);
    expect(wire).not.toContain(`/articles/${scene.thirdId}/`);
    const everything = await page("/?source=");
    expect(everything).toContain(`/articles/${scene.byHandId}/versions/1`);
    expect(everything).toContain('<option value="" selected="">any source or by hand</option>');
  });

  it("prints the titles feeds give as text on every page, never as markup", async () => {
    for (const path of ["/sources", `/sources/${scene.desk.id}`, `/articles/${scene.firstId}`, `/?source=${scene.desk.id}`]) {
      const html = await page(path);
      expect(html, path).not.toMatch(/<script/i);
      expect(html, path).toContain("&lt;script&gt;alert(&quot;source&quot;)&lt;/script&gt;");
    }
    expect(await page(`/sources/${scene.desk.id}`)).toContain("1st round &lt;script&gt;alert(&quot;entry&quot;)&lt;/script&gt; &quot;talks&quot;");
  });

  it("answers unknown and malformed source ids with the API's problems, as a page for browsers", async () => {
    const cases: Array<[string, number]> = [
      ["/sources/0123456789abcdef", 404],
      ["/sources/not-an-id", 404],
      ["/?source=0123456789abcdef", 404],
      ["/?source=not-an-id", 400],
    ];
    for (const [path, status] of cases) {
      const asApi = await getRaw(path);
      expect(asApi.status, path).toBe(status);
      expect(asApi.headers.get("Content-Type")).toBe("application/problem+json");
      const { detail } = (await asApi.json()) as { detail: string };
      const asPage = await getRaw(path, BROWSER);
      expect(asPage.status, path).toBe(status);
      expect(await asPage.text()).toContain(`<p>${escapeHtml(detail)}</p>`);
    }
    expect(((await (await getRaw("/sources/0123456789abcdef")).json()) as { detail: string }).detail).toBe(
      (await api("GET", "/api/sources/0123456789abcdef")).json.detail,
    );
  });

  it("an article past its source's trackDays is shown retired, with when", async () => {
    const article = await articleJson(scene.thirdId);
    expect(article.status).toBe("retired");
    const html = await page(`/articles/${scene.thirdId}`);
    expect(fact(html, "Status")).toBe(
      `retired ${shown(article.retireAt)}, the trackDays of the source that found it; its history is kept and a manual check resumes it`,
    );
  });
});

describe("the sources page without sources", () => {
  it("explains how to add one", async () => {
    await reset();
    const html = await page("/sources");
    expect(html).toContain("<p>No sources yet. Add a feed, sitemap or section page with the admin token:</p>");
    expect(visible(/<pre>([\s\S]*?)<\/pre>/.exec(html)![1]!)).toBe(
      `curl -X POST http://redline.test/api/sources -H "Authorization: Bearer $TOKEN" \\ -d '{"url": "https://en.yna.co.kr/RSS/news.xml"}'`,
    );
    expect(html).not.toContain("<table");
    expect(html).toContain('href="/api/sources.opml"');
    // No source to choose: the home page's filter offers none.
    expect(await page("/")).not.toContain('<select name="source">');
  });
});
