/**
 * Pages that must never become versions: server errors, throttling, timeouts, oversize bodies,
 * redirect loops, walls, non-HTML. And pages in legacy charsets that must decode correctly.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { api, check, track, reset } from "./helpers";

const TEST_SITE = "https://fixtures.redline.test";

async function storedCounts() {
  return (await api("GET", "/api/status")).json;
}

beforeEach(async () => {
  await reset();
});

describe("a first capture that fails stores nothing", () => {
  it.each([
    ["a server error", "/errors/503", /HTTP 503/],
    ["throttling", "/errors/429", /HTTP 429/],
    ["a page that is gone", "/errors/410", /HTTP 410/],
    ["a timeout", "/slow", /timed out/],
    ["an oversize page with Content-Length", "/oversize", /larger than/],
    ["an oversize page streamed without Content-Length", "/oversize-chunked", /larger than/],
    ["a redirect loop", "/redirect/loop-a", /more than 5 redirects/],
    ["a chain of six redirects", "/redirect/chain/1", /more than 5 redirects/],
    ["a consent wall", "/walls/consent.html", /no article found/],
    ["a paywall teaser", "/walls/paywall.html", /no article found/],
    ["an empty page", "/empty", /no article found/],
    ["a PDF", "/files/report.pdf", /not an HTML page/],
  ])("%s → 422", async (_, path, detail) => {
    const response = await track(`${TEST_SITE}${path}`);
    expect(response.status).toBe(422);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.json.detail).toMatch(detail);
    expect(response.json.detail).toMatch(/Nothing was stored/);
    const counts = await storedCounts();
    expect(counts.articles.total).toBe(0);
    expect(counts.versions).toBe(0);
    expect((await api("GET", "/api/changes")).json.items).toEqual([]);
  });

  it("follows up to five redirects and records the final URL", async () => {
    const response = await track(`${TEST_SITE}/redirect/ok`);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ url: `${TEST_SITE}/redirect/ok`, finalUrl: `${TEST_SITE}/articles/plain.html` });
    const version = (await api("GET", `/api/articles/${response.json.id}/versions/1`)).json;
    expect(version).toMatchObject({ finalUrl: `${TEST_SITE}/articles/plain.html`, title: "Allies to resume defense cost talks in January" });
  });
});

describe("legacy charsets", () => {
  it.each(["euc-kr-meta.html", "euc-kr-header.html", "euc-kr-http-equiv.html"])("decodes %s (EUC-KR bytes)", async (file) => {
    const response = await track(`${TEST_SITE}/charset/${file}`);
    expect(response.status).toBe(201);
    expect(response.json.title).toBe("미국, 방위비 분담금 3차 협상 일방 중단");
    const version = (await api("GET", `/api/articles/${response.json.id}/versions/1`)).json;
    expect(version).toMatchObject({ charset: "euc-kr", byline: "노지원", publishedAt: "2019-11-19T17:32:00+09:00" });
    expect(version.paragraphs.join("")).not.toContain("\uFFFD");
  });
});

describe("a tracked article whose checks start failing", () => {
  /** Points the stored article at another URL, as if the publisher's server began answering differently. */
  async function serveFrom(id: string, path: string) {
    await env.DB.prepare("UPDATE articles SET url = ?, etag = NULL, last_modified = NULL WHERE id = ?").bind(`${TEST_SITE}${path}`, id).run();
  }

  it("keeps every version, backs off, and recovers", async () => {
    const id = (await track(`${TEST_SITE}/articles/plain.html`)).json.id;

    for (const [path, reason] of [
      ["/errors/503", /HTTP 503/],
      ["/errors/429", /HTTP 429/],
      ["/walls/consent.html", /no article found/],
    ] as const) {
      await serveFrom(id, path);
      const { json } = await check(id);
      expect(json).toMatchObject({ changed: false, outcome: "failed", status: "failing", change: null, version: { n: 1 }, article: { versionCount: 1 } });
      expect(json.error).toMatch(reason);
      if (path === "/errors/429") {
        // Its Retry-After (120 s) holds the whole host: an immediate check is refused until then.
        const held = await check(id);
        expect(held.status).toBe(429);
        expect(held.json).toMatchObject({ host: "fixtures.redline.test", nextAllowedAt: new Date(Date.parse(json.article.lastCheckedAt) + 120_000).toISOString() });
        // As if the two minutes had passed.
        await env.DB.prepare("UPDATE hosts SET next_allowed_at = 0 WHERE host = 'fixtures.redline.test'").run();
      }
    }
    const failing = (await api("GET", `/api/articles/${id}`)).json;
    expect(failing).toMatchObject({ status: "failing", versionCount: 1 });
    expect(failing.lastError).toMatch(/no article found/);
    // Third failure in a row: 15 min × 2² = 1 h before the next try.
    expect(Date.parse(failing.nextCheckAt) - Date.parse(failing.lastCheckedAt)).toBe(60 * 60_000);
    expect((await api("GET", "/api/changes")).json.items).toHaveLength(1);

    await serveFrom(id, "/articles/plain.html");
    const { json } = await check(id);
    expect(json).toMatchObject({ changed: false, outcome: "unchanged", status: "active", error: null });
    expect((await api("GET", `/api/articles/${id}`)).json.lastError).toBeNull();
  });

  it("waits as long as a 429's Retry-After delay asks, not the 15-minute back-off", async () => {
    const id = (await track(`${TEST_SITE}/articles/plain.html`)).json.id;
    await serveFrom(id, "/errors/429?retry-after=7200");
    const { json } = await check(id);
    expect(json).toMatchObject({ outcome: "failed", status: "failing", error: "HTTP 429, Retry-After: 7200" });
    expect(Date.parse(json.article.nextCheckAt) - Date.parse(json.article.lastCheckedAt)).toBe(7200 * 1000);
    expect((await api("GET", `/api/articles/${id}`)).json.nextCheckAt).toBe(json.article.nextCheckAt);
  });

  it("waits until a 503's Retry-After date", async () => {
    const id = (await track(`${TEST_SITE}/articles/plain.html`)).json.id;
    const retryAt = new Date((Math.floor(Date.now() / 1000) + 5 * 3600) * 1000);
    await serveFrom(id, `/errors/503?retry-after=${encodeURIComponent(retryAt.toUTCString())}`);
    const { json } = await check(id);
    expect(json).toMatchObject({ outcome: "failed", status: "failing", error: `HTTP 503, Retry-After: ${retryAt.toUTCString()}` });
    expect(json.article.nextCheckAt).toBe(retryAt.toISOString());
    expect((await api("GET", `/api/articles/${id}`)).json.nextCheckAt).toBe(retryAt.toISOString());
  });

  it("waits at most the 24 h back-off cap, however long Retry-After asks", async () => {
    const id = (await track(`${TEST_SITE}/articles/plain.html`)).json.id;
    await serveFrom(id, "/errors/503?retry-after=604800");
    const { json } = await check(id);
    expect(Date.parse(json.article.nextCheckAt) - Date.parse(json.article.lastCheckedAt)).toBe(24 * 60 * 60_000);
  });

  it("a single 404 is not a removal", async () => {
    const id = (await track(`${TEST_SITE}/articles/plain.html`)).json.id;
    await serveFrom(id, "/errors/410");
    const first = (await check(id)).json;
    expect(first).toMatchObject({ outcome: "missing", changed: false, status: "active" });
    await serveFrom(id, "/articles/plain.html");
    expect((await check(id)).json).toMatchObject({ outcome: "unchanged", status: "active" });
    await serveFrom(id, "/errors/410");
    expect((await check(id)).json).toMatchObject({ outcome: "missing", changed: false });
  });
});

describe("local development", () => {
  it("tracks a page served on loopback when ALLOW_LOOPBACK is on", async () => {
    const url = `${env.REPLAY_ORIGIN}/fixtures.redline.test/articles/plain.html`;
    const response = await track(url);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ url: `${url}`, site: "127.0.0.1", title: "Allies to resume defense cost talks in January" });
  });
});
