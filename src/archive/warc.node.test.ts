/**
 * The WARC writer read back by warcio (Webrecorder's WARC library for JavaScript), not by string
 * matching: every record must parse, its digests must match what warcio computes from the same
 * bytes (and SHA-256 from node:crypto), and the payloads must be the bytes that went in.
 */
import { createHash } from "node:crypto";
import { WARCParser, WARCSerializer, type WARCRecord } from "warcio";
import { beforeAll, describe, expect, it } from "vitest";
import { USER_AGENT } from "../fetching/fetch-page";
import { gzip } from "./gzip";
import { warcGzipStream, warcRecords, type WarcCapture, type WarcInfo } from "./warc";

const utf8 = (text: string) => new TextEncoder().encode(text);

const KOREAN_HTML = utf8("<html><head><title>방위비 분담금</title></head><body><p>한미 방위비 분담금 협상이 결렬됐다. 🇰🇷</p></body></html>");
/** "한국어" in EUC-KR: bytes that are not valid UTF-8 must come out untouched too. */
const EUC_KR_HTML = new Uint8Array([...utf8("<p>"), 0xc7, 0xd1, 0xb1, 0xb9, 0xbe, 0xee, ...utf8("</p>")]);

const metadataOf = (n: number): Array<[string, string]> => [
  ["redline-article-id", "3f2a9c0d1b7e4a55"],
  ["redline-version", String(n)],
];

const CAPTURES: WarcCapture[] = [
  {
    id: "3f2a9c0d1b7e4a55/1",
    capturedAt: "2019-11-19T08:44:00.123Z",
    targetUri: "https://english.hani.co.kr/arti/%EB%89%B4%EC%8A%A4/917772.html?page=1&lang=ko",
    metadata: metadataOf(1),
    response: {
      status: 200,
      headers: [
        ["content-type", "text/html; charset=utf-8"],
        // As workerd reports a gzip-encoded response whose body it already decoded.
        ["content-encoding", "gzip"],
        ["content-length", "77"],
        ["set-cookie", "a=1; Path=/"],
        ["etag", '"v1"'],
      ],
      body: KOREAN_HTML,
    },
  },
  {
    id: "3f2a9c0d1b7e4a55/2",
    capturedAt: "2019-11-20T00:00:59.999Z",
    targetUri: "https://english.hani.co.kr/arti/917772.html",
    metadata: metadataOf(2),
    response: { status: 200, headers: [["content-type", "text/html; charset=euc-kr"], ["transfer-encoding", "chunked"]], body: EUC_KR_HTML },
  },
  {
    id: "3f2a9c0d1b7e4a55/3",
    capturedAt: "2019-11-21T12:00:00Z",
    targetUri: "http://localhost:8788/empty",
    metadata: metadataOf(3),
    response: { status: 200, headers: [], body: new Uint8Array() },
  },
  {
    id: "3f2a9c0d1b7e4a55/4",
    capturedAt: "2019-11-22T12:00:00Z",
    targetUri: "https://english.hani.co.kr/arti/917772.html",
    metadata: metadataOf(4),
    response: null,
    unavailable: "not kept: the compressed body exceeds KV's 25 MiB value limit",
  },
];

const INFO: WarcInfo = {
  filename: "redline-3f2a9c0d1b7e4a55-20191123000000.warc.gz",
  exportedAt: "2019-11-23T00:00:00.000Z",
  fields: [["redline-article-url", "https://english.hani.co.kr/arti/917772.html"]],
};

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

function base32Decode(text: string): Uint8Array {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...text.replace(/=+$/, "")].map((char) => alphabet.indexOf(char).toString(2).padStart(5, "0")).join("");
  return new Uint8Array(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
}

/** `sha256:<base32>` checked against node:crypto, an implementation independent of the writer's. */
function expectDigestOf(digest: string | null, bytes: Uint8Array): void {
  expect(digest).toMatch(/^sha256:[A-Z2-7]{52}====$/);
  expect(Buffer.from(base32Decode(digest!.slice("sha256:".length))).toString("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
}

interface ParsedRecord {
  type: string;
  headers: Map<string, string>;
  block: Uint8Array;
}

/** Every record with its WARC headers and whole block, unparsed. */
async function readBlocks(warc: Uint8Array): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  for await (const record of new WARCParser([warc], { parseHttp: false, keepHeadersCase: true })) {
    expect(record.warcHeaders.statusline).toBe("WARC/1.1");
    records.push({ type: record.warcType, headers: new Map(record.warcHeaders.headers), block: await record.readFully(false) });
  }
  return records;
}

const payloadOf = (block: Uint8Array): Uint8Array => block.slice(Buffer.from(block).indexOf("\r\n\r\n") + 4);
const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe("WARC writer, read back with warcio", () => {
  let warc: Uint8Array;
  let records: ParsedRecord[];

  beforeAll(async () => {
    warc = await collect(warcGzipStream(warcRecords(INFO, fromArray(CAPTURES))));
    records = await readBlocks(warc);
  });

  it("writes each record as its own gzip member", async () => {
    const members = [];
    for await (const record of warcRecords(INFO, fromArray(CAPTURES))) members.push(await gzip(record));
    expect(warc).toEqual(new Uint8Array(Buffer.concat(members)));
    expect(members).toHaveLength(records.length);
  });

  it("reads a capture only when the consumer pulls its records", async () => {
    let pulled = 0;
    async function* counted(): AsyncGenerator<WarcCapture> {
      for (const capture of CAPTURES) {
        pulled++;
        yield capture;
      }
    }
    const reader = warcGzipStream(warcRecords(INFO, counted())).getReader();
    await reader.read(); // warcinfo
    await reader.read(); // the first capture's request
    expect(pulled).toBeLessThanOrEqual(2);
    await reader.cancel();
    expect(pulled).toBeLessThan(CAPTURES.length);
  });

  it("writes warcinfo, then request, response and metadata per kept capture, and only metadata for the rest", () => {
    expect(records.map((record) => record.type)).toEqual([
      "warcinfo",
      ...["request", "response", "metadata"],
      ...["request", "response", "metadata"],
      ...["request", "response", "metadata"],
      "metadata",
    ]);
  });

  it("gives every record the WARC 1.1 headers, linked to warcinfo and to the response", () => {
    const [info, ...rest] = records;
    const ids = records.map((record) => record.headers.get("WARC-Record-ID"));
    for (const id of ids) expect(id).toMatch(/^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>$/);
    expect(new Set(ids).size).toBe(records.length);

    expect(info!.headers.get("WARC-Date")).toBe("2019-11-23T00:00:00Z");
    expect(info!.headers.get("WARC-Filename")).toBe(INFO.filename);
    expect(info!.headers.get("Content-Type")).toBe("application/warc-fields");
    const infoText = textOf(info!.block);
    expect(infoText).toContain("software: Redline\r\n");
    expect(infoText).toContain("format: WARC File Format 1.1\r\n");
    expect(infoText).toContain("redline-article-url: https://english.hani.co.kr/arti/917772.html\r\n");

    const captureRecords = [rest.slice(0, 3), rest.slice(3, 6), rest.slice(6, 9), rest.slice(9)];
    captureRecords.forEach((group, index) => {
      const capture = CAPTURES[index]!;
      const response = group.find((record) => record.type === "response");
      for (const record of group) {
        expect(record.headers.get("WARC-Warcinfo-ID")).toBe(info!.headers.get("WARC-Record-ID"));
        expect(record.headers.get("WARC-Target-URI")).toBe(capture.targetUri);
        expect(record.headers.get("WARC-Date")).toBe(`${capture.capturedAt.slice(0, 19)}Z`);
        expect(Number(record.headers.get("Content-Length"))).toBe(record.block.byteLength);
        if (record.type !== "response") expect(record.headers.get("WARC-Concurrent-To")).toBe(response?.headers.get("WARC-Record-ID"));
      }
      const contentTypes = Object.fromEntries(group.map((record) => [record.type, record.headers.get("Content-Type")]));
      expect(contentTypes.metadata).toBe("application/warc-fields");
      if (response) {
        expect(contentTypes.request).toBe("application/http;msgtype=request");
        expect(contentTypes.response).toBe("application/http;msgtype=response");
      }
    });
  });

  it("writes block and payload digests that match the bytes", () => {
    for (const record of records) {
      expectDigestOf(record.headers.get("WARC-Block-Digest") ?? null, record.block);
      if (record.type === "request" || record.type === "response") {
        expectDigestOf(record.headers.get("WARC-Payload-Digest") ?? null, payloadOf(record.block));
      }
    }
  });

  it("writes digests warcio recomputes identically from its own parse", async () => {
    let checked = 0;
    for await (const record of new WARCParser([warc], { keepHeadersCase: true })) {
      if (record.warcType === "warcinfo") continue;
      const written = { block: record.warcBlockDigest, payload: record.warcPayloadDigest };
      await new WARCSerializer(record, { digest: { algo: "sha-256", prefix: "sha256:", base32: true } }).digestRecord({ recompute: true });
      expect(record.warcBlockDigest).toBe(written.block);
      // warcio gives every non-revisit record a payload digest; Redline writes one for HTTP records.
      if (record.warcType !== "metadata") expect(record.warcPayloadDigest).toBe(written.payload);
      checked++;
    }
    expect(checked).toBe(records.length - 1);
  });

  it("keeps the payload as served and frames it for readers", async () => {
    const responses: WARCRecord[] = [];
    const payloads: Uint8Array[] = [];
    for await (const record of new WARCParser([warc])) {
      if (record.warcType !== "response") continue;
      responses.push(record);
      payloads.push(await record.readFully(true));
    }
    const kept = CAPTURES.filter((capture) => capture.response !== null);
    expect(payloads).toEqual(kept.map((capture) => capture.response!.body));
    expect(textOf(payloads[0]!)).toContain("한미 방위비 분담금 협상이 결렬됐다. 🇰🇷");

    for (const [index, record] of responses.entries()) {
      const http = record.httpHeaders!;
      expect(http.statusCode).toBe(200);
      expect(http.headers.get("Content-Length")).toBe(String(kept[index]!.response!.body.byteLength));
      expect(http.headers.get("Content-Encoding")).toBeNull();
      expect(http.headers.get("Transfer-Encoding")).toBeNull();
    }
    expect(responses[0]!.httpHeaders!.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(responses[0]!.httpHeaders!.headers.get("ETag")).toBe('"v1"');
    expect(responses[0]!.httpHeaders!.headers.get("Set-Cookie")).toBe("a=1; Path=/");
  });

  it("reconstructs the request Redline's fetcher sent", async () => {
    const requests: WARCRecord[] = [];
    for await (const record of new WARCParser([warc])) {
      if (record.warcType === "request") {
        await record.readFully(true);
        requests.push(record);
      }
    }
    const first = requests[0]!.httpHeaders!;
    expect(first.statusline).toBe("GET /arti/%EB%89%B4%EC%8A%A4/917772.html?page=1&lang=ko HTTP/1.1");
    expect(first.headers.get("Host")).toBe("english.hani.co.kr");
    expect(first.headers.get("User-Agent")).toBe(USER_AGENT);
    expect(requests[2]!.httpHeaders!.headers.get("Host")).toBe("localhost:8788");
  });

  it("says in metadata what Redline knows, what it changed and why a body is missing", () => {
    const metadata = records.filter((record) => record.type === "metadata").map((record) => textOf(record.block));
    expect(metadata[0]).toContain("redline-version: 1\r\n");
    expect(metadata[0]).toContain("redline-http-header-dropped: content-encoding: gzip\r\n");
    expect(metadata[0]).toContain("redline-http-header-dropped: content-length: 77\r\n");
    expect(metadata[1]).toContain("redline-http-header-dropped: transfer-encoding: chunked\r\n");
    expect(metadata[3]).toContain("redline-version: 4\r\n");
    expect(metadata[3]).toContain("redline-raw-unavailable: not kept: the compressed body exceeds KV's 25 MiB value limit\r\n");
  });
});
