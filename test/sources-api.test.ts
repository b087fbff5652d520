/** /api/sources end to end: adding a source (one polite fetch), reading, changing and deleting it, OPML, and what found each article. */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { articleIdFor } from "../src/fetching/url";
import { answerWith, type AdHocOrigin } from "./ad-hoc-origin";
import { captureChecks } from "./queue-helpers";
import { DEFENCE_FEED as FEED, DEFENCE_RSS as RSS, freshWithDefenceFeed, SITE } from "./source-helpers";
import { ADMIN, api, getRaw, reset, SEED_URLS, serveRobots, serveTimelineEntry, track } from "./helpers";

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:x</id><updated>2019-11-19T08:00:00Z</updated>
<entry><title>One</title><id>urn:1</id><link href="${SITE}/articles/plain.html"/><updated>2019-11-19T08:00:00Z</updated></entry></feed>`;
const JSON_FEED = JSON.stringify({ version: "https://jsonfeed.org/version/1.1", title: "JSON news", items: [{ id: "1", url: `${SITE}/articles/plain.html`, title: "One" }] });
const NEWS_SITEMAP = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>${SITE}/articles/plain.html</loc><news:news><news:publication><news:name>F</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2019-11-19T08:00:00Z</news:publication_date><news:title>One</news:title></news:news></url></urlset>`;

let origin: AdHocOrigin;

beforeEach(async () => {
  origin = await freshWithDefenceFeed();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const addSource = (body: unknown) => api("POST", "/api/sources", { body });

/** The view of the RSS source just added, as every route shows it. */
async function expectedView(patch: Record<string, unknown> = {}) {
  return {
    id: await articleIdFor(FEED),
    url: FEED,
    type: "rss",
    title: "Defence & talks",
    status: "active",
    filter: {},
    trackDays: null,
    intervalMinutes: 15,
    lastCheckedAt: null,
    nextCheckAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    entriesSeen: 0,
    articlesTracked: 0,
    lastError: null,
    ...patch,
  };
}

const problemOf = (status: number, title: string, detail: string) => ({ type: "about:blank", status, title, detail });

describe("POST /api/sources", () => {
  it("fetches the source once, detects its type and title, and answers 201 with Location and the source, due at once", async () => {
    const before = Date.now();
    const { status, headers, json } = await addSource({ url: FEED });
    expect(status).toBe(201);
    expect(headers.get("Location")).toBe(`/api/sources/${json.id}`);
    expect(json).toEqual(await expectedView());
    expect(Date.parse(json.nextCheckAt)).toBeGreaterThanOrEqual(before);
    expect(origin.requested).toEqual([FEED]);
  });

  it("stores the filter, trackDays and interval it is given", async () => {
    const body = { url: FEED, include: ["/articles/*"], exclude: ["/articles/sport-*"], keywords: ["방위비", "cost-sharing"], maxAgeDays: 3, trackDays: 30, intervalMinutes: 60 };
    const { status, json } = await addSource(body);
    expect(status).toBe(201);
    expect(json).toEqual(
      await expectedView({ filter: { include: ["/articles/*"], exclude: ["/articles/sport-*"], keywords: ["방위비", "cost-sharing"], maxAgeDays: 3 }, trackDays: 30, intervalMinutes: 60 }),
    );
  });

  it("answers 200 with the existing source for the same canonical URL, fetching nothing", async () => {
    const first = await addSource({ url: FEED });
    const again = await addSource({ url: `${FEED}?utm_source=x#top`, keywords: ["ignored"] });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(origin.requested).toEqual([FEED]);
  });

  it.each([
    ["an Atom feed", ATOM, "application/atom+xml", "atom", "Atom news"],
    ["a JSON Feed", JSON_FEED, "application/feed+json", "jsonfeed", "JSON news"],
    ["a Google News sitemap", NEWS_SITEMAP, "application/xml", "news-sitemap", ""],
  ])("detects %s", async (_, body, contentType, type, title) => {
    origin.serve(FEED, answerWith(body, contentType));
    const { status, json } = await addSource({ url: FEED });
    expect(status).toBe(201);
    expect({ type: json.type, title: json.title }).toEqual({ type, title });
  });

  it.each<[string, unknown, string, { name: string; reason: string }]>([
    ["no url", { type: "rss" }, 'The request body must be a JSON object with a `url` field, e.g. {"url": "https://…/rss.xml"}.', { name: "url", reason: "required" }],
    ["an unknown field", { url: FEED, tags: ["x"] }, 'Unknown field "tags"; the fields are url, type, include, exclude, keywords, maxAgeDays, trackDays, intervalMinutes.', { name: "tags", reason: "unknown field" }],
    ["an unknown type", { url: FEED, type: "podcast" }, '`type` must be one of rss, atom, jsonfeed, sitemap, news-sitemap, page, not "podcast".', { name: "type", reason: 'must be one of rss, atom, jsonfeed, sitemap, news-sitemap, page, not "podcast"' }],
    ["keywords that are not an array", { url: FEED, keywords: "defence" }, 'Invalid filter: keywords must be an array of strings, got "defence".', { name: "keywords", reason: 'keywords must be an array of strings, got "defence"' }],
    ["an empty keyword", { url: FEED, keywords: ["defence", " "] }, 'Invalid filter: keywords[1] must not be empty, got " ".', { name: "keywords", reason: 'keywords[1] must not be empty, got " "' }],
    ["a negative maxAgeDays", { url: FEED, maxAgeDays: -1 }, "Invalid filter: maxAgeDays must be a positive number of days, got -1.", { name: "maxAgeDays", reason: "maxAgeDays must be a positive number of days, got -1" }],
    ["a trackDays of 0", { url: FEED, trackDays: 0 }, "`trackDays` must be a whole number of days from 1 to 3650, or null, not 0.", { name: "trackDays", reason: "must be a whole number of days from 1 to 3650, or null, not 0" }],
    ["a fractional intervalMinutes", { url: FEED, intervalMinutes: 1.5 }, "`intervalMinutes` must be a whole number of minutes from 1 to 10080, not 1.5.", { name: "intervalMinutes", reason: "must be a whole number of minutes from 1 to 10080, not 1.5" }],
    ["a URL that is not http(s)", { url: "ftp://fixtures.redline.test/feed.xml" }, "Invalid `url`: only http and https URLs can be tracked, not ftp:.", { name: "url", reason: "only http and https URLs can be tracked, not ftp:" }],
    ["a private address", { url: "http://10.0.0.1/feed.xml" }, "This URL cannot be a source: host 10.0.0.1 is in 10.0.0.0/8, private-use (RFC 1918).", { name: "url", reason: "host 10.0.0.1 is in 10.0.0.0/8, private-use (RFC 1918)" }],
  ])("refuses %s with a 400 naming it (the field in invalid-params), fetching and storing nothing", async (_, body, detail, invalidParam) => {
    const { status, headers, json } = await addSource(body);
    expect(status).toBe(400);
    expect(headers.get("Content-Type")).toBe("application/problem+json");
    expect(json).toEqual({ ...problemOf(400, "Bad Request", detail), "invalid-params": [invalidParam] });
    expect(origin.requested).toEqual([]);
    expect((await api("GET", "/api/sources")).json.items).toEqual([]);
  });

  it("refuses an include pattern URLPattern cannot read, naming it", async () => {
    const { status, json } = await addSource({ url: FEED, include: ["/articles/(unclosed"] });
    expect(status).toBe(400);
    expect(json.detail).toMatch(/^Invalid filter: include\[0\] /);
    expect(json.detail).toContain('"/articles/(unclosed"');
  });

  it("refuses writes without the admin token", async () => {
    const { status, json } = await api("POST", "/api/sources", { body: { url: FEED }, headers: {} });
    expect(status).toBe(401);
    expect(json).toEqual(problemOf(401, "Unauthorized", "This endpoint needs `Authorization: Bearer <ADMIN_TOKEN>` or a signed-in admin."));
  });

  it("answers 422 naming why when the body does not parse as a source, storing nothing", async () => {
    origin.serve(FEED, answerWith("<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hello</p></body></html>", "text/html"));
    const { status, json } = await addSource({ url: FEED, type: "rss" });
    expect(status).toBe(422);
    expect(json.title).toBe("Unprocessable Content");
    expect(json.detail).toMatch(/^"https:\/\/fixtures\.redline\.test\/feeds\/defence\.xml" could not be read as a source: .+\. Nothing was stored\.$/);
    expect((await api("GET", "/api/sources")).json.items).toEqual([]);
  });

  it("answers 422 with the HTTP status when the source answers 404", async () => {
    origin.serve(FEED, () => new Response("gone", { status: 404 }));
    const { status, json } = await addSource({ url: FEED });
    expect(status).toBe(422);
    expect(json.detail).toBe(`"${FEED}" could not be read as a source: HTTP 404. Nothing was stored.`);
  });

  it("answers 422 naming the rule when robots.txt disallows the source, fetching nothing", async () => {
    await serveRobots("fixtures.redline.test", "User-agent: *\nDisallow: /feeds/\n");
    const { status, json } = await addSource({ url: FEED });
    expect(status).toBe(422);
    expect(json.detail).toBe(
      'This URL cannot be a source: robots.txt of fixtures.redline.test disallows /feeds/defence.xml for Redline ("Disallow: /feeds/"). Nothing was fetched or stored.',
    );
    expect(origin.requested).toEqual([]);
  });

  it("answers 429 with Retry-After when the source's host is not free yet, fetching nothing", async () => {
    await env.DB.prepare("INSERT INTO hosts (host, next_allowed_at) VALUES (?, ?)").bind("fixtures.redline.test", Date.now() + 30_000).run();
    const { status, headers, json } = await addSource({ url: FEED });
    expect(status).toBe(429);
    expect(Number(headers.get("Retry-After"))).toBeGreaterThanOrEqual(29);
    expect(json.host).toBe("fixtures.redline.test");
    expect(origin.requested).toEqual([]);
  });
});

describe("reading, changing and deleting sources", () => {
  it("lists sources in id order with a cursor, and reads one", async () => {
    const other = `${SITE}/feeds/other.xml`;
    origin.serve(other, answerWith(RSS, "application/rss+xml"));
    const a = (await addSource({ url: FEED })).json;
    const b = (await addSource({ url: other })).json;
    const [first, second] = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1));
    const page1 = await api("GET", "/api/sources?limit=1");
    expect(page1.json).toEqual({ items: [first], cursor: first.id });
    const page2 = await api("GET", `/api/sources?limit=1&cursor=${first.id}`);
    expect(page2.json).toEqual({ items: [second], cursor: null });
    expect((await api("GET", `/api/sources/${a.id}`, { headers: {} })).json).toEqual(a);
  });

  it.each([
    ["an unknown id", "0123456789abcdef"],
    ["a malformed id", "not-an-id"],
  ])("answers 404 for %s", async (_, id) => {
    const { status, json } = await api("GET", `/api/sources/${id}`);
    expect(status).toBe(404);
    expect(json).toEqual(problemOf(404, "Not Found", `No source with id "${id}".`));
  });

  it("pauses a source (no next check) and resumes it due at once, with a new filter, trackDays and interval", async () => {
    const { id } = (await addSource({ url: FEED, keywords: ["talks"] })).json;
    const paused = await api("PATCH", `/api/sources/${id}`, { body: { status: "paused", maxAgeDays: 2, trackDays: 7, intervalMinutes: 30 } });
    expect(paused.status).toBe(200);
    expect(paused.json).toEqual(await expectedView({ status: "paused", nextCheckAt: null, filter: { keywords: ["talks"], maxAgeDays: 2 }, trackDays: 7, intervalMinutes: 30 }));
    const before = Date.now();
    const resumed = await api("PATCH", `/api/sources/${id}`, { body: { status: "active", keywords: null, trackDays: null } });
    expect(resumed.json).toEqual(await expectedView({ filter: { maxAgeDays: 2 }, intervalMinutes: 30 }));
    expect(Date.parse(resumed.json.nextCheckAt)).toBeGreaterThanOrEqual(before);
  });

  it.each<[string, unknown, string, { name: string; reason: string }]>([
    ["an unknown status", { status: "failing" }, '`status` must be "active" or "paused", not "failing".', { name: "status", reason: 'must be "active" or "paused", not "failing"' }],
    ["a field a source cannot change", { url: FEED }, 'Unknown field "url"; the fields are status, include, exclude, keywords, maxAgeDays, trackDays, intervalMinutes.', { name: "url", reason: "unknown field" }],
    ["a bad filter", { exclude: [3] }, "Invalid filter: exclude[0] must be a string, got 3.", { name: "exclude", reason: "exclude[0] must be a string, got 3" }],
  ])("refuses a PATCH with %s, naming the field in invalid-params", async (_, body, detail, invalidParam) => {
    const { id } = (await addSource({ url: FEED })).json;
    const { status, json } = await api("PATCH", `/api/sources/${id}`, { body });
    expect(status).toBe(400);
    expect(json).toEqual({ ...problemOf(400, "Bad Request", detail), "invalid-params": [invalidParam] });
  });

  it("deletes a source: 200 with what it was, then 404; the articles it found stay tracked and keep saying so", async () => {
    const { id } = (await addSource({ url: FEED })).json;
    const articleId = await foundArticle(id);
    const deleted = await api("DELETE", `/api/sources/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json.id).toBe(id);
    expect((await api("GET", `/api/sources/${id}`)).status).toBe(404);
    const article = (await api("GET", `/api/articles/${articleId}`)).json;
    expect(article.tracking).toBe(true);
    expect(article.sources).toEqual([{ id, url: FEED, foundAt: "2019-11-19T08:05:00.000Z", entryTitle: "US walks out" }]);
    expect((await api("GET", `/api/articles?source=${id}`)).json.items.map((item: { id: string }) => item.id)).toEqual([articleId]);
  });
});

describe("POST /api/sources/:id/check", () => {
  it("checks the source now and answers what it found: the new entry queued as a first capture and listed in tracked", async () => {
    const queue = captureChecks();
    const { id } = (await addSource({ url: FEED })).json;
    const before = Date.now();
    const { status, json } = await api("POST", `/api/sources/${id}/check`);
    queue.spies.forEach((spy) => spy.mockRestore());
    expect(status).toBe(200);
    const articleId = await articleIdFor(`${SITE}/articles/plain.html`);
    expect(json).toEqual({
      outcome: "read",
      found: 1,
      tracked: [articleId],
      linked: [],
      queued: [{ url: `${SITE}/articles/plain.html`, articleId, notBefore: expect.any(String) }],
      skipped: [],
      error: null,
      source: await expectedView({ id, lastCheckedAt: expect.any(String), entriesSeen: 1 }),
    });
    expect(Date.parse(json.queued[0].notBefore)).toBeGreaterThanOrEqual(before);
    expect(queue.pending.map((message) => message.body)).toEqual([expect.objectContaining({ type: "discover", sourceId: id, url: `${SITE}/articles/plain.html` })]);
  });

  it("answers 404 for an unknown source and 401 without the token", async () => {
    expect((await api("POST", "/api/sources/0123456789abcdef/check")).json).toEqual(problemOf(404, "Not Found", 'No source with id "0123456789abcdef".'));
    expect((await api("POST", "/api/sources/0123456789abcdef/check", { headers: {} })).status).toBe(401);
  });
});

/** Tracks a seed article and records that source `sourceId` found it (as a source check's commit does). */
async function foundArticle(sourceId: string, url: string = SEED_URLS.theStandard, foundAt = "2019-11-19T08:05:00.000Z"): Promise<string> {
  const timelineUrl = url === SEED_URLS.theStandard ? url : SEED_URLS.yonhap;
  await serveTimelineEntry(timelineUrl, 1);
  const created = await track(url);
  expect(created.status).toBe(201);
  await env.DB.prepare("INSERT INTO article_sources (article_id, source_id, source_url, found_at, entry_title) VALUES (?, ?, ?, ?, ?)")
    .bind(created.json.id, sourceId, FEED, foundAt, "US walks out")
    .run();
  return created.json.id;
}

describe("what found each article", () => {
  it("GET /api/articles/:id lists its sources, and an article no source found has none", async () => {
    const { id } = (await addSource({ url: FEED })).json;
    const articleId = await foundArticle(id);
    expect((await api("GET", `/api/articles/${articleId}`)).json.sources).toEqual([{ id, url: FEED, foundAt: "2019-11-19T08:05:00.000Z", entryTitle: "US walks out" }]);
    expect((await api("GET", `/api/sources/${id}`)).json.articlesTracked).toBe(1);
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    const byHand = (await track(SEED_URLS.yonhap)).json.id;
    expect((await api("GET", `/api/articles/${byHand}`)).json.sources).toEqual([]);
  });

  it("GET /api/articles?source= lists a source's articles newest found first, paged", async () => {
    const { id } = (await addSource({ url: FEED })).json;
    const older = await foundArticle(id, SEED_URLS.theStandard, "2019-11-19T08:05:00.000Z");
    const newer = await foundArticle(id, SEED_URLS.yonhap, "2019-12-18T09:00:00.000Z");
    const page1 = await api("GET", `/api/articles?source=${id}&limit=1`);
    expect(page1.json.items.map((item: { id: string; foundAt: string }) => [item.id, item.foundAt])).toEqual([[newer, "2019-12-18T09:00:00.000Z"]]);
    expect(page1.json.items[0].entryTitle).toBe("US walks out");
    const page2 = await api("GET", `/api/articles?source=${id}&limit=1&cursor=${page1.json.cursor}`);
    expect(page2.json.items.map((item: { id: string }) => item.id)).toEqual([older]);
    expect(page2.json.cursor).toBeNull();
  });

  it.each([
    ["an unknown source", "0123456789abcdef", 404, 'No source with id "0123456789abcdef".'],
    ["a malformed source id", "feed", 400, '`source` must be a source id (16 hexadecimal digits), not "feed".'],
  ])("GET /api/articles?source= answers a problem for %s", async (_, source, status, detail) => {
    const answer = await api("GET", `/api/articles?source=${source}`);
    expect(answer.status).toBe(status);
    expect(answer.json.detail).toBe(detail);
  });
});

describe("OPML", () => {
  const OPML = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Korea desk</title></head><body>
<outline text="Defence"><outline text="Yonhap" title="Yonhap English" type="rss" xmlUrl="${SITE}/feeds/yonhap.xml"/>
<outline text="News sitemap" type="news-sitemap" xmlUrl="${SITE}/sitemaps/news.xml"/></outline>
<outline text="Again" type="rss" xmlUrl="${SITE}/feeds/yonhap.xml?utm_medium=rss"/>
<outline text="Intranet" type="rss" xmlUrl="http://192.168.1.10/feed.xml"/>
<outline text="Broken" type="rss" xmlUrl="not a url"/>
</body></opml>`;

  it("imports every outline as a source without fetching it, reporting created, existing and failed", async () => {
    const imported = await api("POST", "/api/sources/opml", { rawBody: OPML, headers: { ...ADMIN, "Content-Type": "text/x-opml" } });
    expect(imported.status).toBe(200);
    expect(imported.json.created.map((s: { url: string; type: string | null; title: string }) => [s.url, s.type, s.title])).toEqual([
      [`${SITE}/feeds/yonhap.xml`, null, "Yonhap English"],
      [`${SITE}/sitemaps/news.xml`, "news-sitemap", "News sitemap"],
    ]);
    expect(imported.json.existing).toEqual([]);
    expect(imported.json.failed).toEqual([
      { url: "http://192.168.1.10/feed.xml", reason: "host 192.168.1.10 is in 192.168.0.0/16, private-use (RFC 1918)" },
      { url: "not a url", reason: expect.any(String) },
    ]);
    expect(origin.requested).toEqual([]);
    const again = await api("POST", "/api/sources/opml", { rawBody: OPML, headers: { ...ADMIN, "Content-Type": "text/x-opml" } });
    expect({ created: again.json.created, existing: again.json.existing }).toEqual({ created: [], existing: imported.json.created });
  });

  it("round-trips: the export imported into a fresh state gives the same sources", async () => {
    await addSource({ url: FEED });
    await api("POST", "/api/sources/opml", { rawBody: OPML, headers: ADMIN });
    const exported = await getRaw("/api/sources.opml");
    expect(exported.status).toBe(200);
    expect(exported.headers.get("Content-Type")).toBe("text/x-opml; charset=utf-8");
    const text = await exported.text();
    const shape = (items: Array<{ id: string; url: string; title: string }>) => items.map(({ id, url, title }) => ({ id, url, title })).sort((x, y) => (x.id < y.id ? -1 : 1));
    const before = shape((await api("GET", "/api/sources")).json.items);
    await reset();
    const imported = await api("POST", "/api/sources/opml", { rawBody: text, headers: ADMIN });
    expect(imported.json.failed).toEqual([]);
    expect(shape((await api("GET", "/api/sources")).json.items)).toEqual(before);
    // A registered type other than a feed's survives; a feed's is detected again at its first check.
    expect(Object.fromEntries(imported.json.created.map((s: { url: string; type: string | null }) => [s.url, s.type]))).toEqual({
      [FEED]: null,
      [`${SITE}/feeds/yonhap.xml`]: null,
      [`${SITE}/sitemaps/news.xml`]: "news-sitemap",
    });
  });

  it("escapes what a source's title holds in the export", async () => {
    origin.serve(FEED, answerWith(RSS.replace("Defence &amp; talks", 'Q&amp;A: a &lt; b "c"'), "application/rss+xml"));
    expect((await addSource({ url: FEED })).json.title).toBe('Q&A: a < b "c"');
    const text = await (await getRaw("/api/sources.opml")).text();
    expect(text).toContain('text="Q&amp;A: a &lt; b &quot;c&quot;"');
  });

  it.each([
    ["a body that is not XML", "just text"],
    ["an OPML with an entity declaration", `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml version="2.0"><head/><body><outline xmlUrl="${SITE}/&a;"/></body></opml>`],
  ])("refuses %s with a 400, storing nothing", async (_, body) => {
    const { status, json } = await api("POST", "/api/sources/opml", { rawBody: body, headers: ADMIN });
    expect(status).toBe(400);
    expect(json.title).toBe("Bad Request");
    expect((await api("GET", "/api/sources")).json.items).toEqual([]);
  });
});

describe("/api/status", () => {
  it("counts the sources by status", async () => {
    const { id } = (await addSource({ url: FEED })).json;
    origin.serve(`${SITE}/feeds/other.xml`, answerWith(RSS, "application/rss+xml"));
    await addSource({ url: `${SITE}/feeds/other.xml` });
    await api("PATCH", `/api/sources/${id}`, { body: { status: "paused" } });
    expect((await api("GET", "/api/status")).json.sources).toEqual({ total: 2, active: 1, failing: 0, paused: 1 });
  });
});
