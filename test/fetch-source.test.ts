import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_SOURCE_MAX_BYTES, fetchSource, SOURCE_ACCEPT } from "../src/fetching/fetch-source";
import { adHocOrigin, answerWith, type AdHocOrigin } from "./ad-hoc-origin";

const FEED = "https://fixtures.redline.test/feeds/news.xml";
const options = { allowLoopback: true, replayOrigin: env.REPLAY_ORIGIN };
const RSS = `<?xml version="1.0" encoding="EUC-KR"?><rss version="2.0"><channel><title>t</title></channel></rss>`;

/** A body of `bytes` bytes made as it is read; `pulled` counts what the reader asked for. */
function lazyBody(bytes: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const piece = chunk.subarray(0, Math.min(chunk.byteLength, bytes - sent));
      sent += piece.byteLength;
      controller.enqueue(piece);
    },
  });
  return { stream, pulled: () => sent };
}

describe("fetchSource", () => {
  let origin: AdHocOrigin;
  beforeEach(() => {
    origin = adHocOrigin();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("answers the body undecoded with its Content-Type and validators, asking for feeds first", async () => {
    let accept: string | null = null;
    origin.serve(FEED, (request) => {
      accept = request.headers.get("Accept");
      return answerWith(RSS, "application/rss+xml; charset=EUC-KR", { ETag: '"v1"', "Last-Modified": "Tue, 19 Nov 2019 08:00:00 GMT" })(request);
    });
    const outcome = await fetchSource(FEED, options);
    expect(accept).toBe(SOURCE_ACCEPT);
    expect(outcome).toMatchObject({ kind: "ok", status: 200, finalUrl: FEED, contentType: "application/rss+xml; charset=EUC-KR", etag: '"v1"', lastModified: "Tue, 19 Nov 2019 08:00:00 GMT" });
    expect(new TextDecoder().decode(outcome.kind === "ok" ? outcome.body : new Uint8Array())).toBe(RSS);
  });

  it("reads a body whatever its Content-Type (the parser decides what it is)", async () => {
    origin.serve(FEED, answerWith("{}", "application/octet-stream"));
    expect((await fetchSource(FEED, options)).kind).toBe("ok");
  });

  it("sends the validators it is given and answers not-modified to a 304", async () => {
    origin.serve(FEED, (request) => new Response(null, { status: request.headers.get("If-None-Match") === '"v1"' ? 304 : 500 }));
    expect(await fetchSource(FEED, { ...options, etag: '"v1"' })).toEqual({ kind: "not-modified", status: 304, finalUrl: FEED });
  });

  it("refuses a 50 MB feed announced by Content-Length without reading it", async () => {
    const body = lazyBody(50 * 1024 * 1024);
    origin.serve(FEED, () => new Response(body.stream, { headers: { "Content-Type": "application/rss+xml", "Content-Length": String(50 * 1024 * 1024) } }));
    expect(await fetchSource(FEED, options)).toEqual({ kind: "refused", status: 200, finalUrl: FEED, reason: `source larger than ${DEFAULT_SOURCE_MAX_BYTES} bytes` });
    expect(body.pulled()).toBeLessThan(DEFAULT_SOURCE_MAX_BYTES);
  });

  it("refuses a 50 MB feed streamed without Content-Length once it passes the cap, reading no further", async () => {
    const body = lazyBody(50 * 1024 * 1024);
    origin.serve(FEED, () => new Response(body.stream, { headers: { "Content-Type": "application/rss+xml" } }));
    expect(await fetchSource(FEED, options)).toEqual({ kind: "refused", status: 200, finalUrl: FEED, reason: `source larger than ${DEFAULT_SOURCE_MAX_BYTES} bytes` });
    expect(body.pulled()).toBeLessThan(DEFAULT_SOURCE_MAX_BYTES + 4 * 64 * 1024);
  });

  it("keeps its own cap, not the article page's", async () => {
    origin.serve(FEED, answerWith("x".repeat(2000), "application/xml"));
    expect((await fetchSource(FEED, { ...options, maxBytes: 1000 })).kind).toBe("ok");
    expect(await fetchSource(FEED, { ...options, sourceMaxBytes: 1000 })).toMatchObject({ kind: "refused", reason: "source larger than 1000 bytes" });
  });

  it("checks every redirect hop against the host rules before requesting it", async () => {
    origin.serve(FEED, () => new Response(null, { status: 301, headers: { Location: "http://169.254.169.254/latest/meta-data" } }));
    expect(await fetchSource(FEED, options)).toEqual({
      kind: "refused",
      status: null,
      finalUrl: "http://169.254.169.254/latest/meta-data",
      reason: "host 169.254.169.254 is in 169.254.0.0/16, link-local (RFC 3927)",
    });
    expect(origin.requested).toEqual([FEED]);
  });
});
