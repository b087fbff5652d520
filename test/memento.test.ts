/**
 * Memento conformance: start at the TimeGate, follow its Link headers to the TimeMap, and from
 * there to every memento, checking relations, datetimes and the bytes served.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, getRaw, SEED_URLS, serveTimelineEntry, track, reset } from "./helpers";
import { parseLinkHeader, withRel, type Link } from "./link-header";
import { captureChecks, drain, tick } from "./queue-helpers";

const HOUR = 3_600_000;
const ARTICLE = SEED_URLS.hankyoreh3rdRound;

/** A request for an absolute URL that the worker answers; redirects are returned, not followed. */
const get = (url: string, headers: Record<string, string> = {}) => {
  const { pathname, search } = new URL(url);
  return getRaw(`${pathname}${search}`, headers);
};

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

describe("Memento (RFC 7089)", () => {
  let id: string;
  let versions: Array<{ n: number; capturedAt: string }>;

  beforeAll(async () => {
    await reset();
    await serveTimelineEntry(ARTICLE, 1);
    id = (await track(ARTICLE)).json.id;
    const createdAt = Date.parse((await api("GET", `/api/articles/${id}`)).json.firstSeenAt);
    // Cron ticks an hour apart (each drained through the checks consumer) give each version its own capture second.
    const queue = captureChecks();
    for (let k = 2; k <= 4; k++) {
      await serveTimelineEntry(ARTICLE, k);
      await tick(createdAt + (k - 1) * HOUR);
      await drain(queue);
    }
    queue.spies.forEach((spy) => spy.mockRestore());
    versions = (await api("GET", `/api/articles/${id}/versions`)).json.items;
    expect(versions.length).toBe(4);
  });

  it("goes from the TimeGate through the TimeMap to every memento", async () => {
    const gate = await getRaw(`/timegate/${ARTICLE}`);
    expect(gate.status).toBe(302);
    expect(gate.headers.get("Vary")).toBe("accept-datetime");
    const gateLinks = parseLinkHeader(gate.headers.get("Link")!);
    expect(withRel(gateLinks, "original")[0]!.uri).toBe(ARTICLE);
    const timemapLink = withRel(gateLinks, "timemap")[0]!;
    expect(timemapLink.params.type).toBe("application/link-format");

    const timemap = await get(timemapLink.uri);
    expect(timemap.status).toBe(200);
    expect(timemap.headers.get("Content-Type")).toBe("application/link-format");
    // Decoded by hand: workerd warns when .text() reads a type it does not know as text.
    const links = parseLinkHeader(new TextDecoder().decode(await timemap.arrayBuffer()));
    expect(withRel(links, "original")[0]!.uri).toBe(ARTICLE);
    expect(withRel(links, "self")[0]!.uri).toBe(timemapLink.uri);
    expect(withRel(links, "timegate")[0]!.uri).toBe(`http://redline.test/timegate/${ARTICLE}`);
    const mementos = withRel(links, "memento");
    expect(mementos).toHaveLength(4);
    expect(withRel(links, "first")).toEqual([mementos[0]]);
    expect(withRel(links, "last")).toEqual([mementos[3]]);
    // Without Accept-Datetime the TimeGate picks the most recent memento.
    expect(gate.headers.get("Location")).toBe(mementos[3]!.uri);

    const byDatetime = (link: Link) => Date.parse(link.params.datetime!);
    for (const [index, link] of mementos.entries()) {
      const response = await get(link.uri);
      expect(response.status).toBe(200);
      expect(response.headers.get("Memento-Datetime")).toBe(link.params.datetime);
      expect(byDatetime(link)).toBe(Math.floor(Date.parse(versions[index]!.capturedAt) / 1000) * 1000);
      const relations = parseLinkHeader(response.headers.get("Link")!);
      expect(withRel(relations, "original")[0]!.uri).toBe(ARTICLE);
      expect(withRel(relations, "timegate")[0]!.uri).toBe(`http://redline.test/timegate/${ARTICLE}`);
      expect(withRel(relations, "timemap")[0]!.uri).toBe(timemapLink.uri);
      expect(withRel(relations, "first")[0]!.uri).toBe(mementos[0]!.uri);
      expect(withRel(relations, "last")[0]!.uri).toBe(mementos[3]!.uri);
      expect(withRel(relations, "prev")[0]?.uri).toBe(mementos[index - 1]?.uri);
      expect(withRel(relations, "next")[0]?.uri).toBe(mementos[index + 1]?.uri);

      const version = (await api("GET", `/api/articles/${id}/versions/${index + 1}`)).json;
      expect(await sha256Hex(await response.arrayBuffer())).toBe(version.raw.sha256);
      const text = await (await get(`${link.uri}?view=text`)).text();
      expect(text.split("\n")[0]).toBe(version.title);
    }
  });

  it("honours Accept-Datetime and answers the JSON TimeMap with the same mementos", async () => {
    const timemap = (await api("GET", `/timemap/json/${ARTICLE}`)).json;
    expect(timemap.original_uri).toBe(ARTICLE);
    expect(timemap.mementos.list.map((item: { version: number }) => item.version)).toEqual([1, 2, 3, 4]);
    const second = timemap.mementos.list[1];
    const nearSecond = new Date(Date.parse(second.datetime) + 10 * 60_000).toUTCString();
    const gate = await getRaw(`/timegate/${ARTICLE}`, { "Accept-Datetime": nearSecond });
    expect(gate.headers.get("Location")).toBe(second.uri);
    const early = await getRaw(`/timegate/${ARTICLE}`, { "Accept-Datetime": "Mon, 01 Jan 2001 00:00:00 GMT" });
    expect(early.headers.get("Location")).toBe(timemap.mementos.first.uri);
  });

  it("redirects an inexact memento datetime to the capture it resolves to", async () => {
    const year = new Date(versions[0]!.capturedAt).getUTCFullYear();
    const response = await getRaw(`/memento/${year}/${ARTICLE}`);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(new RegExp(`^http://redline\\.test/memento/\\d{14}/${ARTICLE.replace(/[.?]/g, "\\$&")}$`));
  });

  it("lists the Wayback Machine's captures as alternate mementos, each once, leaving first, last, self's range and the TimeGate to Redline's own", async () => {
    // SPN2's capture of a version, 90 s after Redline's.
    const capturedAt = (n: number) => Math.floor(Date.parse(versions[n - 1]!.capturedAt) / 1000) * 1000 + 90_000;
    const wayback = (n: number) => `https://web.archive.org/web/${new Date(capturedAt(n)).toISOString().replace(/\D/g, "").slice(0, 14)}/${ARTICLE}`;
    // Versions 2 and 3 were handed one capture (SPN2 reused it); version 4 has its own; version 1's failed.
    const rows: Array<[number, string, string | null, number | null]> = [
      [1, "failed", null, null],
      [2, "success", wayback(2), capturedAt(2)],
      [3, "success", wayback(2), capturedAt(2)],
      [4, "success", wayback(4), capturedAt(4)],
    ];
    const insert = env.DB.prepare(
      "INSERT INTO wayback_captures (article_id, n, subscription_id, status, claimed_at_ms, memento_url, memento_at_ms, updated_at_ms) VALUES (?, ?, 'sub', ?, 0, ?, ?, 0)",
    );
    await env.DB.batch(rows.map(([n, status, uri, atMs]) => insert.bind(id, n, status, uri, atMs)));
    try {
      const timemap = await getRaw(`/timemap/link/${ARTICLE}`);
      const links = parseLinkHeader(new TextDecoder().decode(await timemap.arrayBuffer()));
      const alternates = withRel(links, "memento").filter((link) => link.uri.startsWith("https://web.archive.org/"));
      expect(alternates.map((link) => link.uri)).toEqual([wayback(2), wayback(4)]);
      expect(alternates.map((link) => [link.rels, link.params.datetime])).toEqual([
        [["memento"], new Date(capturedAt(2)).toUTCString()],
        [["memento"], new Date(capturedAt(4)).toUTCString()],
      ]);
      const own = withRel(links, "memento").filter((link) => !link.uri.startsWith("https://web.archive.org/"));
      expect(own).toHaveLength(4);
      expect(withRel(links, "first")).toEqual([own[0]]);
      expect(withRel(links, "last")).toEqual([own[3]]);
      expect(withRel(links, "self")[0]!.params.until).toBe(own[3]!.params.datetime);
      expect((await getRaw(`/timegate/${ARTICLE}`)).headers.get("Location")).toBe(own[3]!.uri);

      const json = (await api("GET", `/timemap/json/${ARTICLE}`)).json;
      expect(json.mementos.list.filter((item: { archive?: string }) => item.archive === "web.archive.org").map((item: { version: number }) => item.version)).toEqual([2, 4]);
      expect(json.mementos.last.uri).toBe(own[3]!.uri);
    } finally {
      await env.DB.prepare("DELETE FROM wayback_captures WHERE article_id = ?").bind(id).run();
    }
  });

  it("answers problems for untracked URLs and bad datetimes", async () => {
    expect((await api("GET", "/timemap/link/https://example.com/not-tracked")).status).toBe(404);
    expect((await api("GET", "/timegate/not a url")).status).toBe(400);
    const bad = await api("GET", `/timegate/${ARTICLE}`, { headers: { "Accept-Datetime": "yesterday" } });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toMatch(/RFC 1123/);
    expect((await api("GET", `/memento/20191399000000/${ARTICLE}`)).status).toBe(400);
  });

  it.each(["/timemap/link/%E0%A4%A", "/timemap/json/%", "/timegate/%C0%AF", "/memento/2024/%FF"])(
    "answers 400 for the malformed percent-encoding in %s",
    async (path) => {
      const response = await api("GET", path);
      expect(response.status).toBe(400);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(response.json.detail).toMatch(/^The path is not valid percent-encoded UTF-8: "/);
    },
  );

  it.each(["Fri, 30 Feb 2024 00:00:00 GMT", "Wed, 31 Apr 2024 12:00:00 GMT", "Mon, 01 Jan 2024 25:00:00 GMT", "Mon, 01 Jan 2024 23:59:60 GMT"])(
    "answers 400 for the impossible Accept-Datetime %s instead of rolling it over",
    async (datetime) => {
      const response = await api("GET", `/timegate/${ARTICLE}`, { headers: { "Accept-Datetime": datetime } });
      expect(response.status).toBe(400);
      expect(response.json.detail).toMatch(/RFC 1123/);
    },
  );

  it.each(["20240230000000", "20230229", "20241301", "20240101250000", "20240101000060"])(
    "answers 400 for the impossible memento datetime %s instead of rolling it over",
    async (datetime) => {
      const response = await api("GET", `/memento/${datetime}/${ARTICLE}`);
      expect(response.status).toBe(400);
      expect(response.json.detail).toMatch(/YYYYMMDDhhmmss/);
    },
  );
});
