import { beforeAll, describe, expect, it, vi } from "vitest";
import { exports } from "cloudflare:workers";
import { ADMIN, api, SEED_URLS, serveTimelineEntry, track } from "./helpers";

function expectProblem(response: { status: number; headers: Headers; json: { status: number; title: string; detail: string } }, status: number, detail: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(response.json.status).toBe(status);
  expect(response.json.title).toEqual(expect.any(String));
  expect(response.json.detail).toMatch(detail);
}

describe("writes require the admin token", () => {
  it.each([
    ["no Authorization header", {}],
    ["a wrong token", { Authorization: "Bearer not-the-token" }],
    ["a non-bearer scheme", { Authorization: "Basic YWRtaW46YWRtaW4=" }],
  ])("POST /api/articles with %s is 401", async (_, headers) => {
    const response = await api("POST", "/api/articles", { body: { url: SEED_URLS.yonhap }, headers });
    expectProblem(response, 401, /token|Bearer/);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
  });

  it("check and delete are 401 without the token", async () => {
    expectProblem(await api("POST", "/api/articles/0123456789abcdef/check", { headers: {} }), 401, /Bearer/);
    expectProblem(await api("DELETE", "/api/articles/0123456789abcdef", { headers: {} }), 401, /Bearer/);
  });
});

describe("POST /api/articles rejects bad input with a clear detail", () => {
  it.each([
    ["malformed JSON", "{not json", /not valid JSON/],
    ["a JSON array", "[]", /must be a JSON object, e.g. {"url"/],
    ["no url field", '{"link": "https://example.com"}', /`url` field/],
    ["an empty url", '{"url": ""}', /non-empty/],
    ["a number", '{"url": 5}', /non-empty string/],
    ["a relative URL", '{"url": "/arti/1.html"}', /not a valid absolute URL/],
    ["an ftp URL", '{"url": "ftp://example.com/a"}', /only http and https/],
    ["a URL with credentials", '{"url": "https://user:secret@example.com/a"}', /credentials/],
    ["a private address", '{"url": "http://192.168.1.10/news"}', /private/],
    ["a link-local address", '{"url": "http://169.254.169.254/latest"}', /link-local/],
  ])("%s → 400", async (_, rawBody, detail) => {
    expectProblem(await api("POST", "/api/articles", { rawBody }), 400, detail);
  });
});

describe("errors echo at most 200 characters of the offending input", () => {
  const cutMarker = /…" \(cut: \d+ characters in all\)/;

  it.each([
    ["an invalid", 400, "https://exa mple.com/"],
    ["a well-formed", 400, "https://example.com/"],
  ])("answers %s 10 MB url with a short %i that marks the echo as cut, fetching nothing", async (_, status, start) => {
    const url = `${start}${"a".repeat(10 * 1024 * 1024)}`;
    const outbound = vi.spyOn(globalThis, "fetch");
    const response = await exports.default.fetch(
      new Request("http://redline.test/api/articles", { method: "POST", headers: ADMIN, body: JSON.stringify({ url }) }),
    );
    expect(outbound).not.toHaveBeenCalled();
    outbound.mockRestore();
    const body = await response.text();
    expect(response.status).toBe(status);
    expect(body.length).toBeLessThan(1000);
    const { detail } = JSON.parse(body);
    expect(detail).toMatch(cutMarker);
    expect(detail).toContain(`${JSON.stringify(url.slice(0, 200)).slice(0, -1)}…" (cut: ${url.length} characters in all)`);
  });

  it("answers a long query parameter with a short 400", async () => {
    const limit = "9".repeat(5000);
    const response = await api("GET", `/api/changes?limit=${limit}`);
    expectProblem(response, 400, cutMarker);
    expect(response.json.detail).toBe(`\`limit\` must be an integer from 1 to 100, not "${"9".repeat(200)}…" (cut: 5000 characters in all).`);
  });

  it("echoes a short value whole", async () => {
    expect((await api("GET", "/api/changes?limit=ten")).json.detail).toBe('`limit` must be an integer from 1 to 100, not "ten".');
  });
});

describe("reads reject bad parameters", () => {
  let id: string;
  beforeAll(async () => {
    await serveTimelineEntry(SEED_URLS.yonhap, 1);
    id = (await track(SEED_URLS.yonhap)).json.id;
  });

  it.each(["0", "101", "-1", "ten", "2.5"])("limit=%s → 400", async (limit) => {
    expectProblem(await api("GET", `/api/articles?limit=${limit}`), 400, /`limit` must be an integer from 1 to 100/);
    expectProblem(await api("GET", `/api/changes?limit=${limit}`), 400, /`limit`/);
  });

  it("since must be a date", async () => {
    expectProblem(await api("GET", "/api/changes?since=yesterday"), 400, /`since` must be an ISO 8601/);
  });

  it.each(["2024-02-30", "2023-02-29", "2024-04-31T00:00:00Z", "2024-13-01", "2024-01-01T25:00:00Z", "2024-01-01T12:00:61+09:00"])(
    "answers 400 for the impossible since=%s instead of rolling it over",
    async (since) => {
      expectProblem(await api("GET", `/api/changes?since=${encodeURIComponent(since)}`), 400, /`since` must be .*a real calendar date and time/);
      expectProblem(await api("GET", `/api/warc?since=${encodeURIComponent(since)}`), 400, /`since` must be .*a real calendar date and time/);
    },
  );

  it("accepts a leap day and a time with an offset as since", async () => {
    expect((await api("GET", "/api/changes?since=2024-02-29")).status).toBe(200);
    expect((await api("GET", `/api/changes?since=${encodeURIComponent("2024-02-29T23:59:59.999+09:00")}`)).status).toBe(200);
  });

  it("unknown article ids are 404", async () => {
    expectProblem(await api("GET", "/api/articles/0123456789abcdef"), 404, /No article/);
    expectProblem(await api("GET", "/api/articles/not-an-id/versions"), 404, /No article/);
    expectProblem(await api("POST", "/api/articles/0123456789abcdef/check"), 404, /No article/);
  });

  it("non-numeric versions are 400 and missing ones 404", async () => {
    expectProblem(await api("GET", `/api/articles/${id}/versions/abc`), 400, /version number/);
    expectProblem(await api("GET", `/api/articles/${id}/versions/0`), 400, /version number/);
    expectProblem(await api("GET", `/api/articles/${id}/versions/99`), 404, /no version 99/);
    expectProblem(await api("GET", `/api/articles/${id}/diff?from=x`), 400, /`from`/);
    expectProblem(await api("GET", `/api/articles/${id}/diff?from=1&to=1`), 400, /two different versions/);
    expectProblem(await api("GET", `/api/articles/${id}/diff?format=pdf`), 400, /`format` must be one of json, unified, html/);
  });

  it("a diff needs two versions", async () => {
    expectProblem(await api("GET", `/api/articles/${id}/diff`), 404, /only 1 version/);
  });

  it("unknown routes are problem documents too", async () => {
    expectProblem(await api("GET", "/api/nothing-here"), 404, /No route/);
  });
});
