/** The WARC export routes; the format itself is checked with warcio in src/archive/warc.node.test.ts. */
import { gunzipSync } from "node:zlib";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, freshArticleWithTwoVersions, getRaw } from "./helpers";

/** Each record is its own gzip member: zlib reads the concatenation (workerd's DecompressionStream stops at the first). */
async function gunzipAll(response: Response): Promise<string> {
  return new TextDecoder().decode(gunzipSync(new Uint8Array(await response.arrayBuffer())));
}

const recordTypes = (warc: string): string[] => [...warc.matchAll(/^WARC-Type: (\S+)\r$/gm)].map((match) => match[1]!);

describe("WARC export", () => {
  let id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let versions: any[];

  beforeAll(async () => {
    id = await freshArticleWithTwoVersions();
    versions = await Promise.all([1, 2].map(async (n) => (await api("GET", `/api/articles/${id}/versions/${n}`)).json));
  });

  it("streams an article's captures as a gzipped WARC 1.1 file", async () => {
    const response = await getRaw(`/api/articles/${id}/warc`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/warc");
    expect(response.headers.get("Content-Disposition")).toMatch(new RegExp(`^attachment; filename="redline-${id}-\\d{14}\\.warc\\.gz"$`));
    const warc = await gunzipAll(response);
    expect(warc.startsWith("WARC/1.1\r\n")).toBe(true);
    expect(recordTypes(warc)).toEqual(["warcinfo", "request", "response", "metadata", "request", "response", "metadata"]);
    expect(warc).toMatch(/^software: Redline\r$/m);
    expect(warc).toMatch(/^HTTP\/1\.1 200 OK\r$/m);
    expect(warc).toMatch(/^redline-version: 2\r$/m);
    expect(warc).toMatch(/^WARC-Block-Digest: sha256:[A-Z2-7]{52}====\r$/m);
    // The metadata ties each capture to the hash chain: version 2 names version 1's record digest.
    expect(warc).toContain(`redline-raw-sha256: ${versions[0].raw.sha256}\r\n`);
    expect(warc).toContain(`redline-record-sha256: ${versions[1].prevRecordSha256}\r\n`);
  });

  it("carries the body exactly as /raw serves it", async () => {
    const raw = new Uint8Array(await (await getRaw(`/api/articles/${id}/versions/1/raw`)).arrayBuffer());
    const warc = gunzipSync(new Uint8Array(await (await getRaw(`/api/articles/${id}/warc`)).arrayBuffer()));
    expect(Buffer.from(warc).indexOf(Buffer.from(raw))).toBeGreaterThan(0);
  });

  it("exports every article's captures at or after `since`", async () => {
    const since = versions[1].capturedAt;
    const response = await getRaw(`/api/warc?since=${encodeURIComponent(since)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/warc");
    const warc = await gunzipAll(response);
    expect(recordTypes(warc)).toEqual(["warcinfo", "request", "response", "metadata"]);
    expect(warc).toMatch(/^redline-version: 2\r$/m);

    const everything = await gunzipAll(await getRaw("/api/warc?since=1970-01-01"));
    expect(recordTypes(everything).filter((type) => type === "response")).toHaveLength(2);
  });

  it("writes only a metadata record, saying why, for a capture whose body is missing", async () => {
    await env.REDLINE_KV.delete(`raw:${versions[0].raw.sha256}`);
    const warc = await gunzipAll(await getRaw(`/api/articles/${id}/warc`));
    expect(recordTypes(warc)).toEqual(["warcinfo", "metadata", "request", "response", "metadata"]);
    expect(warc).toMatch(/^redline-raw-unavailable: missing from storage; GET \/api\/articles\/[0-9a-f]{16}\/verify reports it\r$/m);
  });

  it("answers problems for a bad `since` and an unknown article", async () => {
    for (const path of ["/api/warc?since=yesterday", "/api/warc", "/api/articles/0123456789abcdef/warc", "/api/articles/nope/warc"]) {
      const response = await api("GET", path);
      expect(response.status, path).toBe(path.includes("articles") ? 404 : 400);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    }
  });
});
