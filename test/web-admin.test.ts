/**
 * The admin pages in workerd, as a browser without script uses them: signed in with the admin
 * token's session, forms posted same-origin; each refused field's reason beside it, the values
 * typed kept (escaped), non-field problems above the form; the article's and source's buttons.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { articleIdFor } from "../src/fetching/url";
import { accessToken, AUD, jwks, teamKey } from "./access-keys";
import { answerWith, type AdHocOrigin } from "./ad-hoc-origin";
import { BROWSER_ACCEPT, call, pageHtml, SAME_ORIGIN, signInAsAdmin, type AdminBrowser } from "./auth-helpers";
import { api, SEED_URLS, serveRobots, serveTimelineEntry } from "./helpers";
import { captureChecks } from "./queue-helpers";
import { DEFENCE_FEED as FEED, freshWithDefenceFeed, SITE } from "./source-helpers";

const ARTICLE = SEED_URLS.hankyoreh1stRound;

let origin: AdHocOrigin;
let admin: AdminBrowser;

beforeEach(async () => {
  origin = await freshWithDefenceFeed();
  admin = await signInAsAdmin();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The attributes and error paragraph of a field the API refused, as the form renders them. */
const refusedField = (name: string, reason: string) => [`aria-invalid="true" aria-describedby="${name}-error ${name}-hint"`, `<p class="field-error" id="${name}-error">${reason}</p>`];

async function addedSourceId(): Promise<string> {
  const response = await admin.post("/admin/sources/new", { url: FEED, type: "auto" });
  expect(response.status).toBe(303);
  return articleIdFor(FEED);
}

describe("who may use the admin pages", () => {
  it.each(["/admin", "/admin/track", "/admin/sources/new"])("sends a visitor who is not signed in from %s to sign in and back", async (path) => {
    const response = await call(path, { headers: BROWSER_ACCEPT });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
  });

  it("tracks nothing for a form posted without a session: it is sent to sign in", async () => {
    const response = await call("/admin/track", { form: { url: ARTICLE }, headers: { ...SAME_ORIGIN, ...BROWSER_ACCEPT } });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/sign-in?next=%2Fadmin%2Ftrack");
    expect((await api("GET", "/api/articles")).json.items).toEqual([]);
  });

  it("shows a signed-in reader (a Cloudflare Access user not in ADMIN_EMAILS) a 403 page", async () => {
    const key = await teamKey("kid-admin-pages");
    const team = "admin-pages.cloudflareaccess.com";
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) =>
      new Request(input, init).url === `https://${team}/cdn-cgi/access/certs` ? Response.json(jwks(key)) : realFetch(input, init),
    );
    const assertion = await accessToken(key, Math.floor(Date.now() / 1000), { iss: `https://${team}`, email: "reader@example.org" });
    const response = await call("/admin/track", { headers: { "Cf-Access-Jwt-Assertion": assertion, ...BROWSER_ACCEPT }, bindings: { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: AUD, ADMIN_EMAILS: "ed@example.org" } });
    expect(await pageHtml(response, 403)).toContain("Signed in as reader@example.org, who is not an admin: this page changes what Redline tracks.");
  });

  it("refuses a form posted with the admin's session from another site (403), tracking nothing", async () => {
    const response = await call("/admin/track", { form: { url: ARTICLE }, headers: { Cookie: admin.cookie, Origin: "https://elsewhere.example", "Sec-Fetch-Site": "cross-site", ...BROWSER_ACCEPT } });
    expect(response.status).toBe(403);
    expect((await api("GET", "/api/articles")).json.items).toEqual([]);
  });

  it("links the admin pages from the header for an admin only, and lists them on /admin", async () => {
    expect(await pageHtml(await admin.get("/sources"), 200)).toContain('<li><a href="/admin">Admin</a></li>');
    expect(await pageHtml(await call("/sources", { headers: BROWSER_ACCEPT }), 200)).not.toContain('href="/admin"');
    const index = await pageHtml(await admin.get("/admin"), 200);
    expect(index).toContain('<a href="/admin/track">Track a URL</a>');
    expect(index).toContain('<a href="/admin/sources/new">Add a source</a>');
  });
});

describe("Track a URL", () => {
  it("tracks the URL as POST /api/articles does and sends the browser to the article's page, its first capture listed", async () => {
    await serveTimelineEntry(ARTICLE, 1);
    const form = await pageHtml(await admin.get("/admin/track"), 200);
    expect(form).toContain('<form method="post" action="/admin/track" class="admin-form">');
    const response = await admin.post("/admin/track", { url: ARTICLE });
    const id = await articleIdFor(ARTICLE);
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(`/articles/${id}`);
    const article = (await api("GET", `/api/articles/${id}`)).json;
    expect({ url: article.url, versionCount: article.versionCount, tracking: article.tracking }).toEqual({ url: ARTICLE, versionCount: 1, tracking: true });
    expect(await pageHtml(await admin.get(`/articles/${id}`), 200)).toContain(`<a href="/articles/${id}/versions/1">Version 1</a>`);
  });

  it("shows the reason beside the URL field with a 400, the URL typed kept and escaped", async () => {
    const typed = 'javascript:<script>alert("x")</script>';
    const page = await pageHtml(await admin.post("/admin/track", { url: typed }), 400);
    for (const part of refusedField("url", "only http and https URLs can be tracked, not javascript:")) expect(page).toContain(part);
    expect(page).toContain('value="javascript:&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"');
    expect(page).not.toContain("<script>");
    expect(page).not.toContain('class="form-errors"');
  });

  it("names a private address beside the field", async () => {
    const page = await pageHtml(await admin.post("/admin/track", { url: "http://10.0.0.1/story" }), 400);
    for (const part of refusedField("url", "host 10.0.0.1 is in 10.0.0.0/8, private-use (RFC 1918)")) expect(page).toContain(part);
  });

  it("shows a robots.txt refusal above the form with a 422, no field marked", async () => {
    await serveRobots("english.hani.co.kr", "User-agent: *\nDisallow: /\n");
    const page = await pageHtml(await admin.post("/admin/track", { url: ARTICLE }), 422);
    expect(page).toMatch(/<div class="form-errors" id="form-errors">.*<li>This URL cannot be tracked: robots\.txt of english\.hani\.co\.kr disallows /s);
    expect(page).not.toContain('aria-invalid="true"');
    expect(page).toContain(`value="${ARTICLE}"`);
  });

  it("shows a busy host above the form with a 429 and its Retry-After", async () => {
    await env.DB.prepare("INSERT INTO hosts (host, next_allowed_at) VALUES (?, ?)").bind("english.hani.co.kr", Date.now() + 30_000).run();
    const response = await admin.post("/admin/track", { url: ARTICLE });
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThanOrEqual(29);
    expect(await pageHtml(response, 429)).toMatch(/<li>english\.hani\.co\.kr is not free until .+ Nothing was fetched or stored; try again in \d+ s\.<\/li>/);
  });
});

describe("Add a source", () => {
  it("adds the source as POST /api/sources does, with its filter, and sends the browser to the source's page", async () => {
    const response = await admin.post("/admin/sources/new", {
      url: FEED,
      type: "rss",
      include: "/articles/*\n",
      exclude: "",
      keywords: "talks\r\ncost-sharing",
      maxAgeDays: "",
      trackDays: "30",
      intervalMinutes: "60",
    });
    const id = await articleIdFor(FEED);
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(`/sources/${id}`);
    const source = (await api("GET", `/api/sources/${id}`)).json;
    expect({ type: source.type, title: source.title, filter: source.filter, trackDays: source.trackDays, intervalMinutes: source.intervalMinutes }).toEqual({
      type: "rss",
      title: "Defence & talks",
      filter: { include: ["/articles/*"], keywords: ["talks", "cost-sharing"] },
      trackDays: 30,
      intervalMinutes: 60,
    });
  });

  it.each<[string, Record<string, string>, string, string]>([
    ["a trackDays that is not a number", { trackDays: "a week" }, "trackDays", "must be a whole number of days from 1 to 3650, or null, not &quot;a week&quot;"],
    ["an intervalMinutes of 0", { intervalMinutes: "0" }, "intervalMinutes", "must be a whole number of minutes from 1 to 10080, not 0"],
    ["an include line URLPattern cannot read", { include: "/ok/*\nview/*" }, "include", 'include[1] is not a URLPattern (an absolute one, or a pathname starting with &quot;/&quot;): &quot;view/*&quot;'],
    ["a maxAgeDays below zero", { maxAgeDays: "-2" }, "maxAgeDays", "maxAgeDays must be a positive number of days, got -2"],
  ])("shows %s beside its field with a 400, fetching nothing and keeping every value typed", async (_, fields, name, reason) => {
    const page = await pageHtml(await admin.post("/admin/sources/new", { url: FEED, type: "rss", keywords: "<b>talks</b>", ...fields }), 400);
    for (const part of refusedField(name, reason)) expect(page).toContain(part);
    expect(page.match(/aria-invalid="true"/g)).toHaveLength(1);
    expect(page).toContain(`value="${FEED}"`);
    expect(page).toContain('<option value="rss" selected="">RSS</option>');
    expect(page).toContain(">&lt;b&gt;talks&lt;/b&gt;</textarea>");
    expect(origin.requested).toEqual([]);
    expect((await api("GET", "/api/sources")).json.items).toEqual([]);
  });

  it("shows a source that does not parse above the form with a 422", async () => {
    origin.serve(FEED, answerWith("<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>", "text/html"));
    const page = await pageHtml(await admin.post("/admin/sources/new", { url: FEED, type: "rss" }), 422);
    expect(page).toContain(`<li>&quot;${FEED}&quot; could not be read as a source: `);
    expect(page).not.toContain('aria-invalid="true"');
  });
});

describe("the article page's buttons", () => {
  async function trackedArticle(): Promise<string> {
    await serveTimelineEntry(ARTICLE, 1);
    expect((await admin.post("/admin/track", { url: ARTICLE })).status).toBe(303);
    return articleIdFor(ARTICLE);
  }

  it("are shown to an admin only", async () => {
    const id = await trackedArticle();
    const asAdmin = await pageHtml(await admin.get(`/articles/${id}`), 200);
    expect(asAdmin).toContain(`<form method="post" action="/admin/articles/${id}/untrack"><button type="submit">Untrack</button></form>`);
    expect(asAdmin).toContain(`<form method="post" action="/admin/articles/${id}/check"><button type="submit">Check now</button></form>`);
    expect(await pageHtml(await call(`/articles/${id}`, { headers: BROWSER_ACCEPT }), 200)).not.toContain("/admin/articles/");
  });

  it("untrack and resume the article, each back to its page", async () => {
    const id = await trackedArticle();
    const untracked = await admin.post(`/admin/articles/${id}/untrack`);
    expect([untracked.status, untracked.headers.get("Location")]).toEqual([303, `/articles/${id}`]);
    expect((await api("GET", `/api/articles/${id}`)).json.tracking).toBe(false);
    const stopped = await pageHtml(await admin.get(`/articles/${id}`), 200);
    expect(stopped).toContain(`action="/admin/articles/${id}/resume"><button type="submit">Resume tracking</button>`);
    expect(stopped).not.toContain(`/admin/articles/${id}/check`);
    const resumed = await admin.post(`/admin/articles/${id}/resume`);
    expect([resumed.status, resumed.headers.get("Location")]).toEqual([303, `/articles/${id}`]);
    expect((await api("GET", `/api/articles/${id}`)).json.tracking).toBe(true);
  });

  it("check now shows the check's outcome: a new version, linked to its redline", async () => {
    const id = await trackedArticle();
    await serveTimelineEntry(ARTICLE, 2);
    const page = await pageHtml(await admin.post(`/admin/articles/${id}/check`), 200);
    expect(page).toContain("<h1>Checked now: found a new version</h1>");
    expect(page).toContain(`<a href="/articles/${id}/versions/2">Version 2</a>`);
    expect(page).toContain(`href="/articles/${id}/diff/1..2"`);
  });

  it("answer an unknown article with the API's 404 as a page", async () => {
    const page = await pageHtml(await admin.post("/admin/articles/0123456789abcdef/check"), 404);
    expect(page).toContain("No article with id &quot;0123456789abcdef&quot;.");
  });
});

describe("the source page's buttons", () => {
  it("are shown to an admin only, as is the sources page's link to the form", async () => {
    const id = await addedSourceId();
    const asAdmin = await pageHtml(await admin.get(`/sources/${id}`), 200);
    for (const action of ["pause", "check", "delete"]) expect(asAdmin).toContain(`action="/admin/sources/${id}/${action}"`);
    expect(await pageHtml(await call(`/sources/${id}`, { headers: BROWSER_ACCEPT }), 200)).not.toContain("/admin/sources/");
    expect(await pageHtml(await admin.get("/sources"), 200)).toContain('<a href="/admin/sources/new">Add a source</a>');
    expect(await pageHtml(await call("/sources", { headers: BROWSER_ACCEPT }), 200)).not.toContain("/admin/sources/new");
  });

  it("pause and resume the source, each back to its page", async () => {
    const id = await addedSourceId();
    expect((await admin.post(`/admin/sources/${id}/pause`)).headers.get("Location")).toBe(`/sources/${id}`);
    expect((await api("GET", `/api/sources/${id}`)).json.status).toBe("paused");
    expect(await pageHtml(await admin.get(`/sources/${id}`), 200)).toContain(`action="/admin/sources/${id}/resume"><button type="submit">Resume</button>`);
    expect((await admin.post(`/admin/sources/${id}/resume`)).status).toBe(303);
    expect((await api("GET", `/api/sources/${id}`)).json.status).toBe("active");
  });

  it("check now shows what the check found, queued and skipped", async () => {
    const id = await addedSourceId();
    const queue = captureChecks();
    const page = await pageHtml(await admin.post(`/admin/sources/${id}/check`), 200);
    queue.spies.forEach((spy) => spy.mockRestore());
    expect(page).toContain("<h1>Checked now: read</h1>");
    expect(page).toContain("<dt>Found</dt><dd>1 entry</dd><dt>Queued</dt><dd>1 new article to capture</dd><dt>Linked</dt><dd>0 articles already tracked</dd><dt>Skipped</dt><dd>0 entries</dd>");
    expect(page).toContain(`<td>${SITE}/articles/plain.html</td>`);
    expect(queue.pending.map((message) => message.body)).toEqual([expect.objectContaining({ type: "discover", sourceId: id, url: `${SITE}/articles/plain.html` })]);
  });

  it("delete the source only with the box ticked, then go to the sources", async () => {
    const id = await addedSourceId();
    expect(await pageHtml(await admin.post(`/admin/sources/${id}/delete`), 400)).toContain("Tick the box beside “Delete this source” to confirm; nothing was deleted.");
    expect((await api("GET", `/api/sources/${id}`)).status).toBe(200);
    const deleted = await admin.post(`/admin/sources/${id}/delete`, { confirm: "yes" });
    expect([deleted.status, deleted.headers.get("Location")]).toEqual([303, "/sources"]);
    expect((await api("GET", `/api/sources/${id}`)).status).toBe(404);
  });
});

describe("invalid-params of the API", () => {
  it("names the url field of POST /api/articles", async () => {
    const { status, json } = await api("POST", "/api/articles", { body: { url: "ftp://fixtures.redline.test/a" } });
    expect(status).toBe(400);
    expect(json).toEqual({
      type: "about:blank",
      status: 400,
      title: "Bad Request",
      detail: "Invalid `url`: only http and https URLs can be tracked, not ftp:.",
      "invalid-params": [{ name: "url", reason: "only http and https URLs can be tracked, not ftp:" }],
    });
  });

  it("names a query parameter, e.g. limit", async () => {
    expect((await api("GET", "/api/articles?limit=0")).json["invalid-params"]).toEqual([{ name: "limit", reason: 'must be an integer from 1 to 100, not "0"' }]);
  });
});
