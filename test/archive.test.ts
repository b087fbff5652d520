/** Raw captures as served, and the hash chain that shows whether stored history was altered. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, freshArticleWithTwoVersions, getRaw, track, reset } from "./helpers";

const EUC_KR_PAGE = "https://fixtures.redline.test/charset/euc-kr-header.html";

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Rewrites a stored version's snapshot in KV, as someone with write access to the namespace could. */
async function tamperWithVersion(id: string, n: number, edit: (version: Record<string, unknown>) => void): Promise<void> {
  const row = await env.DB.prepare("SELECT record_sha256 FROM versions WHERE article_id = ? AND n = ?").bind(id, n).first<{ record_sha256: string }>();
  const key = `snapshot:${row!.record_sha256}`;
  const value = await env.REDLINE_KV.get<Record<string, unknown>>(key, "json");
  edit(value!);
  await env.REDLINE_KV.put(key, JSON.stringify(value));
}

describe("raw captures", () => {
  beforeAll(async () => {
    await reset();
  });

  it("returns the body byte for byte as served, with its original content type, sandboxed", async () => {
    const id = (await track(EUC_KR_PAGE)).json.id;
    const version = (await api("GET", `/api/articles/${id}/versions/1`)).json;
    expect(version.raw).toMatchObject({ status: 200, stored: true, contentType: expect.stringMatching(/euc-kr/i) });

    const served = await (await fetch(`${env.REPLAY_ORIGIN}/fetch?url=${encodeURIComponent(EUC_KR_PAGE)}`)).arrayBuffer();
    const raw = await getRaw(`/api/articles/${id}/versions/1/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get("Content-Type")).toBe(version.raw.contentType);
    expect(raw.headers.get("Content-Security-Policy")).toBe("sandbox");
    const bytes = await raw.arrayBuffer();
    expect(new Uint8Array(bytes)).toEqual(new Uint8Array(served));
    expect(await sha256Hex(bytes)).toBe(version.raw.sha256);
    expect(version.raw.size).toBe(served.byteLength);
  });

  it("stores identical bodies once", async () => {
    const id = (await track(EUC_KR_PAGE)).json.id;
    const { raw } = (await api("GET", `/api/articles/${id}/versions/1`)).json;
    const keys = (await env.REDLINE_KV.list({ prefix: "raw:" })).keys.map((key) => key.name);
    expect(keys.filter((name) => name === `raw:${raw.sha256}`)).toHaveLength(1);
  });

  it("explains a version that has no raw capture", async () => {
    const id = (await track(EUC_KR_PAGE)).json.id;
    await tamperWithVersion(id, 1, (version) => {
      delete version.raw;
    });
    const missing = await api("GET", `/api/articles/${id}/versions/1/raw`);
    expect(missing.status).toBe(404);
    expect(missing.json.detail).toMatch(/captured before Redline kept raw responses/);
  });
});

describe("the hash chain", () => {
  let id: string;

  beforeAll(async () => {
    id = await freshArticleWithTwoVersions();
  });

  it("links each version to the previous record and verifies clean", async () => {
    const [first, second] = await Promise.all([1, 2].map(async (n) => (await api("GET", `/api/articles/${id}/versions/${n}`)).json));
    expect(first.prevRecordSha256).toBeNull();
    expect(second.prevRecordSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await api("GET", `/api/articles/${id}/verify`)).json).toEqual({ ok: true, checked: 2, unchained: [], firstBroken: null });
  });

  it("reports an edit to stored text at the version edited", async () => {
    await tamperWithVersion(id, 1, (version) => {
      (version.paragraphs as string[])[0] = "Rewritten history.";
    });
    const report = (await api("GET", `/api/articles/${id}/verify`)).json;
    expect(report).toMatchObject({ ok: false, checked: 1, firstBroken: { n: 1, field: "contentHash" } });
  });

  it("reports a consistent forgery (text and hash rewritten together) at the next link", async () => {
    await tamperWithVersion(id, 1, (version) => {
      version.title = "A forged headline";
    });
    // Recompute the forged version's content hash as a careful forger would.
    const forged = (await api("GET", `/api/articles/${id}/versions/1`)).json;
    const { contentHash } = await import("../src/diffing");
    const hash = await contentHash(forged);
    await tamperWithVersion(id, 1, (version) => {
      version.contentHash = hash;
    });
    const report = (await api("GET", `/api/articles/${id}/verify`)).json;
    expect(report).toMatchObject({ ok: false, checked: 2, firstBroken: { n: 2, field: "prevRecordSha256" } });
    expect(report.firstBroken.detail).toMatch(/version 1 was altered/);
  });
});

describe("a raw body altered in storage", () => {
  it("breaks verification at the version that names it", async () => {
    await reset();
    const id = (await track(EUC_KR_PAGE)).json.id;
    const { raw } = (await api("GET", `/api/articles/${id}/versions/1`)).json;
    const { gzip } = await import("../src/archive/gzip");
    await env.REDLINE_KV.put(`raw:${raw.sha256}`, await gzip(new TextEncoder().encode("<html>not what was served</html>")));
    const report = (await api("GET", `/api/articles/${id}/verify`)).json;
    expect(report).toMatchObject({ ok: false, firstBroken: { n: 1, field: "raw.sha256", expected: raw.sha256 } });
  });
});
