/**
 * WARC 1.1 (ISO 28500:2017) writing: one `warcinfo` record, then a `request`, `response` and
 * `metadata` record per capture, each record its own gzip member so readers can seek to any
 * record. Pure: the caller supplies the captures as an async iterable, and the archive comes out
 * as a stream that holds one record at a time.
 */
import { toHex } from "../digest";
import { ACCEPT, USER_AGENT } from "../fetching/fetch-page";
import { gzip } from "./gzip";

export const WARC_MEDIA_TYPE = "application/warc";

export interface WarcInfo {
  filename: string;
  /** ISO 8601; the warcinfo record's date. */
  exportedAt: string;
  /** What this archive holds (the article URL, the `since` bound), written as warc-fields. */
  fields: Array<[string, string]>;
}

export interface CapturedResponse {
  status: number;
  /** As served, in order. */
  headers: Array<[string, string]>;
  /** The body as served, after the platform undid any Content-Encoding. */
  body: Uint8Array;
}

interface CaptureBase {
  /** Stable and unique per capture (`<article id>/<version>`): the record ids derive from it. */
  id: string;
  /** ISO 8601. */
  capturedAt: string;
  /** The URL the body was served from (after redirects). */
  targetUri: string;
  /** Redline's facts about the capture, written as the metadata record's warc-fields. */
  metadata: Array<[string, string]>;
}

/** A capture whose body Redline kept, or one that only has a metadata record saying why not. */
export type WarcCapture = (CaptureBase & { response: CapturedResponse }) | (CaptureBase & { response: null; unavailable: string });

const CRLF = "\r\n";
const encoder = new TextEncoder();

/**
 * These describe the response as it came off the wire, but the stored body is the decoded
 * entity, so a reader trusting them would mis-frame or try to decompress it. They are dropped
 * (and listed in the metadata record) and Content-Length is set to the stored body's length.
 */
const FRAMING_HEADERS = new Set(["content-encoding", "transfer-encoding", "content-length"]);

/** Redline keeps only 200 responses, and the reason phrase was not stored; any other status gets none. */
const reasonPhrase = (status: number): string => (status === 200 ? "OK" : "");

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32, upper case and padded: the form warcio (and most WARC tools) write for digests. */
function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, "=");
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** A `WARC-Block-Digest` / `WARC-Payload-Digest` value: `sha256:<base32>`. */
async function warcDigest(bytes: Uint8Array): Promise<string> {
  return `sha256:${base32(await sha256(bytes))}`;
}

/**
 * A name-based UUID (RFC 9562 version 8, from SHA-256 of `name`), so exporting the same capture
 * twice gives the same record ids and duplicates across exports can be recognised.
 */
async function warcRecordId(name: string): Promise<string> {
  const bytes = (await sha256(encoder.encode(name))).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `<urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}>`;
}

/** `YYYY-MM-DDThh:mm:ssZ`: WARC-Date at second precision, UTC. */
function warcDate(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/** A line break inside a stored value would end the header early and forge the next one. */
const oneLine = (value: string): string => value.replace(/[\r\n]+/g, " ");

const headerLines = (headers: Array<[string, string]>): string => headers.map(([name, value]) => `${oneLine(name)}: ${oneLine(value)}${CRLF}`).join("");

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * The request Redline's fetcher sent for `targetUri`, rebuilt rather than recorded: its headers
 * are fixed (src/fetching/fetch-page.ts), apart from the If-None-Match / If-Modified-Since
 * validators of a conditional check, which are not stored and so are left out.
 */
function requestBlock(targetUri: string): Uint8Array {
  const url = new URL(targetUri);
  const head = `GET ${url.pathname}${url.search} HTTP/1.1${CRLF}${headerLines([["Host", url.host], ["User-Agent", USER_AGENT], ["Accept", ACCEPT]])}${CRLF}`;
  return encoder.encode(head);
}

/** The HTTP response block, and the framing headers dropped from it. */
function responseBlock(response: CapturedResponse): { block: Uint8Array; dropped: Array<[string, string]> } {
  const kept = response.headers.filter(([name]) => !FRAMING_HEADERS.has(name.toLowerCase()));
  const dropped = response.headers.filter(([name]) => FRAMING_HEADERS.has(name.toLowerCase()));
  const statusLine = `HTTP/1.1 ${response.status} ${reasonPhrase(response.status)}${CRLF}`;
  const head = `${statusLine}${headerLines([...kept, ["Content-Length", String(response.body.byteLength)]])}${CRLF}`;
  return { block: concat([encoder.encode(head), response.body]), dropped };
}

const warcFields = (fields: Array<[string, string]>): Uint8Array => encoder.encode(headerLines(fields));

/** One record: version line, named fields, then Content-Length, the block and the two closing CRLFs. */
function serializeRecord(fields: Array<[string, string]>, block: Uint8Array): Uint8Array {
  const head = `WARC/1.1${CRLF}${headerLines([...fields, ["Content-Length", String(block.byteLength)]])}${CRLF}`;
  return concat([encoder.encode(head), block, encoder.encode(CRLF + CRLF)]);
}

/** The records of an archive, uncompressed, one at a time: `captures` is read only as records are wanted. */
export async function* warcRecords(info: WarcInfo, captures: AsyncIterable<WarcCapture>): AsyncGenerator<Uint8Array> {
  const warcinfoId = await warcRecordId(`warcinfo ${info.filename} ${info.exportedAt}`);
  const infoBlock = warcFields([
    ["software", "Redline"],
    ["format", "WARC File Format 1.1"],
    ["conformsTo", "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"],
    ["redline-exported-at", info.exportedAt],
    ...info.fields,
  ]);
  yield serializeRecord(
    [
      ["WARC-Type", "warcinfo"],
      ["WARC-Record-ID", warcinfoId],
      ["WARC-Date", warcDate(info.exportedAt)],
      ["WARC-Filename", info.filename],
      ["Content-Type", "application/warc-fields"],
      ["WARC-Block-Digest", await warcDigest(infoBlock)],
    ],
    infoBlock,
  );

  for await (const capture of captures) {
    const date = warcDate(capture.capturedAt);
    const common = (type: string, id: string): Array<[string, string]> => [
      ["WARC-Type", type],
      ["WARC-Record-ID", id],
      ["WARC-Date", date],
      ["WARC-Target-URI", capture.targetUri],
      ["WARC-Warcinfo-ID", warcinfoId],
    ];
    const metadataId = await warcRecordId(`metadata ${capture.id}`);

    if (capture.response === null) {
      const block = warcFields([...capture.metadata, ["redline-raw-unavailable", capture.unavailable]]);
      yield serializeRecord([...common("metadata", metadataId), ["Content-Type", "application/warc-fields"], ["WARC-Block-Digest", await warcDigest(block)]], block);
      continue;
    }

    const responseId = await warcRecordId(`response ${capture.id}`);
    const request = requestBlock(capture.targetUri);
    yield serializeRecord(
      [
        ...common("request", await warcRecordId(`request ${capture.id}`)),
        ["WARC-Concurrent-To", responseId],
        ["Content-Type", "application/http;msgtype=request"],
        ["WARC-Block-Digest", await warcDigest(request)],
        // A GET has no body: the payload is empty.
        ["WARC-Payload-Digest", await warcDigest(new Uint8Array())],
      ],
      request,
    );

    const { block, dropped } = responseBlock(capture.response);
    yield serializeRecord(
      [
        ...common("response", responseId),
        ["Content-Type", "application/http;msgtype=response"],
        ["WARC-Block-Digest", await warcDigest(block)],
        ["WARC-Payload-Digest", await warcDigest(capture.response.body)],
      ],
      block,
    );

    const metadata = warcFields([
      ...capture.metadata,
      ["redline-request", "reconstructed from the fetcher's fixed headers; conditional validators, if any were sent, are not included"],
      ...dropped.map(([name, value]): [string, string] => ["redline-http-header-dropped", `${name}: ${value}`]),
    ]);
    yield serializeRecord(
      [...common("metadata", metadataId), ["WARC-Concurrent-To", responseId], ["Content-Type", "application/warc-fields"], ["WARC-Block-Digest", await warcDigest(metadata)]],
      metadata,
    );
  }
}

/**
 * A `.warc.gz` stream: each record compressed as its own gzip member (the concatenation is one
 * valid gzip file). A record is produced only when the consumer pulls, so memory holds one
 * capture at a time however large the archive.
 */
export function warcGzipStream(records: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await records.next();
      if (next.done) controller.close();
      else controller.enqueue(await gzip(next.value));
    },
    async cancel() {
      await records.return(undefined);
    },
  });
}
