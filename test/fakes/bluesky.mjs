/**
 * A loopback fake of an AT Protocol PDS for the tests: the four XRPC procedures a Bluesky post
 * with an image needs, checked as their lexicons (com.atproto.server.*, com.atproto.repo.*,
 * app.bsky.feed.post, app.bsky.richtext.facet, app.bsky.embed.images) define them. Plain ESM
 * for Node 20, no dependencies; started by vitest.config.ts, its URL provided as `blueskyFake`.
 *
 *   POST /xrpc/com.atproto.server.createSession  {identifier, password} → {did, handle, accessJwt, refreshJwt};
 *        401 AuthenticationRequired for a wrong pair; 429 RateLimitExceeded past 30 in 5 minutes
 *        (ratelimit-limit/-remaining/-reset/-policy headers, as the PDS sends them)
 *   POST /xrpc/com.atproto.server.refreshSession Bearer <refreshJwt> → a new pair, the old refresh token revoked;
 *        400 ExpiredToken for a revoked or expired one
 *   POST /xrpc/com.atproto.repo.uploadBlob       Bearer <accessJwt>, raw bytes, Content-Type → {blob}
 *        (a real CIDv1 of the bytes); 400 BlobTooLarge over 1,000,000 bytes
 *   POST /xrpc/com.atproto.repo.putRecord        Bearer <accessJwt>, {repo, collection, rkey, record} →
 *        {uri, cid}; 400 InvalidRequest when the record breaks its lexicon: text over 300 graphemes,
 *        a facet's byte range outside the text or inside a character, an embedded blob this
 *        account did not upload, a record key that is not a TID…
 *   any access token revoked or expired → 400 ExpiredToken; none or unknown → 401 AuthenticationRequired
 *   GET  /__bluesky  {requests: [{method, path, authorization, contentType, json, bytes}], records, blobs, sessionsCreated, refreshes}
 *   POST /__bluesky  {reset: true} | {answers: [{path, status, json?, headers?}]} (the next answers of
 *                    that path, one each) | {expireAccessTokens: true} | {expireRefreshTokens: true}
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";

export const BLUESKY_ACCOUNT = { handle: "redline-test.bsky.social", did: "did:plc:redlinetestaccount0000", appPassword: "abcd-efgh-ijkl-mnop" };
const MAX_GRAPHEMES = 300;
const MAX_TEXT_BYTES = 3000;
const MAX_BLOB_BYTES = 1_000_000;
const SESSIONS_PER_WINDOW = 30;
const SESSION_WINDOW_MS = 5 * 60_000;
const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const graphemeCount = (text) => [...segmenter.segment(text)].length;

/** base32 (RFC 4648, lower case, no padding): multibase `b`. */
function base32(bytes) {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** CIDv1 of `bytes`: `codec` 0x55 (raw) for blobs, 0x71 (dag-cbor) stands in for records here. */
const cidOf = (bytes, codec) => `b${base32(Buffer.concat([Buffer.from([0x01, codec, 0x12, 0x20]), createHash("sha256").update(bytes).digest()]))}`;

function freshState() {
  return { requests: [], answers: [], access: new Map(), refresh: new Map(), blobs: new Map(), records: new Map(), sessionsCreated: 0, refreshes: 0, createdAt: [], counter: 0 };
}

/** Why `record` is not a valid app.bsky.feed.post for `did`, or null. */
function postProblem(record, did, blobs) {
  if (record?.$type !== "app.bsky.feed.post") return "Invalid $type: must be app.bsky.feed.post";
  if (typeof record.text !== "string") return "Record/text must be a string";
  const bytes = Buffer.from(record.text, "utf8");
  if (bytes.length > MAX_TEXT_BYTES) return `Record/text must not be longer than ${MAX_TEXT_BYTES} characters`;
  if (graphemeCount(record.text) > MAX_GRAPHEMES) return `Record/text must not be longer than ${MAX_GRAPHEMES} graphemes`;
  if (typeof record.createdAt !== "string" || Number.isNaN(Date.parse(record.createdAt)) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(record.createdAt)) {
    return "Record/createdAt must be an valid atproto datetime";
  }
  if (record.langs !== undefined && (!Array.isArray(record.langs) || record.langs.length > 3 || !record.langs.every((lang) => /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(lang)))) {
    return "Record/langs must be up to 3 language tags";
  }
  for (const [i, facet] of (record.facets ?? []).entries()) {
    const { byteStart, byteEnd } = facet?.index ?? {};
    if (!Number.isInteger(byteStart) || !Number.isInteger(byteEnd) || byteStart < 0 || byteEnd <= byteStart || byteEnd > bytes.length) {
      return `Record/facets/${i}/index must lie inside the text's ${bytes.length} bytes`;
    }
    // A UTF-8 continuation byte (10xxxxxx) at either end means the range cuts a character.
    if ((bytes[byteStart] & 0xc0) === 0x80 || (byteEnd < bytes.length && (bytes[byteEnd] & 0xc0) === 0x80)) return `Record/facets/${i}/index cuts a character`;
    if (!Array.isArray(facet.features) || facet.features.length === 0) return `Record/facets/${i}/features must not be empty`;
    for (const feature of facet.features) {
      if (feature?.$type !== "app.bsky.richtext.facet#link" || typeof feature.uri !== "string" || !/^https?:\/\//.test(feature.uri)) {
        return `Record/facets/${i}/features must be links with a uri`;
      }
    }
  }
  if (record.embed !== undefined) {
    const { embed } = record;
    if (embed?.$type !== "app.bsky.embed.images") return "Record/embed must be app.bsky.embed.images";
    if (!Array.isArray(embed.images) || embed.images.length < 1 || embed.images.length > 4) return "Record/embed/images must hold 1 to 4 images";
    for (const [i, item] of embed.images.entries()) {
      if (typeof item?.alt !== "string") return `Record/embed/images/${i}/alt must be a string`;
      const blob = item.image;
      const uploaded = blobs.get(blob?.ref?.$link);
      if (blob?.$type !== "blob" || !uploaded || uploaded.did !== did) return `Record/embed/images/${i}/image is not a blob this account uploaded`;
      if (blob.mimeType !== uploaded.mimeType || blob.size !== uploaded.size) return `Record/embed/images/${i}/image does not match its upload`;
      const ratio = item.aspectRatio;
      if (ratio !== undefined && (!Number.isInteger(ratio.width) || !Number.isInteger(ratio.height) || ratio.width < 1 || ratio.height < 1)) {
        return `Record/embed/images/${i}/aspectRatio must be positive integers`;
      }
    }
  }
  return null;
}

export async function startBlueskyFake({ host = "127.0.0.1", port = 0, unref = false } = {}) {
  let state = freshState();
  const json = (res, status, body, headers = {}) => res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
  const xrpcError = (status, error, message) => ({ status, body: { error, message } });

  function issue() {
    const n = ++state.counter;
    const session = { did: BLUESKY_ACCOUNT.did, handle: BLUESKY_ACCOUNT.handle, accessJwt: `access-${n}`, refreshJwt: `refresh-${n}` };
    state.access.set(session.accessJwt, { expired: false });
    state.refresh.set(session.refreshJwt, { expired: false });
    return { status: 200, body: session };
  }

  function createSession(body) {
    const now = Date.now();
    state.createdAt = state.createdAt.filter((at) => now - at < SESSION_WINDOW_MS);
    if (state.createdAt.length >= SESSIONS_PER_WINDOW) {
      const reset = Math.ceil((state.createdAt[0] + SESSION_WINDOW_MS) / 1000);
      return {
        ...xrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded"),
        headers: { "ratelimit-limit": String(SESSIONS_PER_WINDOW), "ratelimit-remaining": "0", "ratelimit-reset": String(reset), "ratelimit-policy": `${SESSIONS_PER_WINDOW};w=300` },
      };
    }
    state.createdAt.push(now);
    const known = body?.identifier === BLUESKY_ACCOUNT.handle || body?.identifier === BLUESKY_ACCOUNT.did;
    if (!known || body?.password !== BLUESKY_ACCOUNT.appPassword) return xrpcError(401, "AuthenticationRequired", "Invalid identifier or password");
    state.sessionsCreated += 1;
    return issue();
  }

  function refreshSession(token) {
    const refresh = state.refresh.get(token);
    if (!refresh || refresh.expired) return xrpcError(400, "ExpiredToken", "Token has been revoked");
    refresh.expired = true;
    state.refreshes += 1;
    return issue();
  }

  /** The access token's problem, or null when it is good. */
  function accessProblem(token) {
    if (!token) return xrpcError(401, "AuthenticationRequired", "Authentication Required");
    const access = state.access.get(token);
    if (!access) return xrpcError(401, "AuthenticationRequired", "Invalid identifier or password");
    if (access.expired) return xrpcError(400, "ExpiredToken", "Token has expired");
    return null;
  }

  function uploadBlob(bytes, contentType) {
    if (bytes.length > MAX_BLOB_BYTES) return xrpcError(400, "BlobTooLarge", `This file is too large. It is ${bytes.length} bytes but the maximum size is ${MAX_BLOB_BYTES} bytes.`);
    const cid = cidOf(bytes, 0x55);
    state.blobs.set(cid, { did: BLUESKY_ACCOUNT.did, mimeType: contentType, size: bytes.length });
    return { status: 200, body: { blob: { $type: "blob", ref: { $link: cid }, mimeType: contentType, size: bytes.length } } };
  }

  function putRecord(body) {
    if (body?.repo !== BLUESKY_ACCOUNT.did && body?.repo !== BLUESKY_ACCOUNT.handle) return xrpcError(400, "InvalidRequest", "Invalid repo: not this session's account");
    if (body.collection !== "app.bsky.feed.post") return xrpcError(400, "InvalidRequest", `Unsupported collection: ${body.collection}`);
    if (typeof body.rkey !== "string" || !TID.test(body.rkey)) return xrpcError(400, "InvalidRequest", "Invalid record key: app.bsky.feed.post requires a TID");
    const problem = postProblem(body.record, BLUESKY_ACCOUNT.did, state.blobs);
    if (problem) return xrpcError(400, "InvalidRequest", `Invalid app.bsky.feed.post record: ${problem}`);
    const uri = `at://${BLUESKY_ACCOUNT.did}/${body.collection}/${body.rkey}`;
    const cid = cidOf(Buffer.from(JSON.stringify(body.record)), 0x71);
    state.records.set(uri, { uri, cid, value: body.record, writes: (state.records.get(uri)?.writes ?? 0) + 1 });
    return { status: 200, body: { uri, cid } };
  }

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const { pathname } = new URL(req.url ?? "/", "http://fake");
    if (pathname === "/__bluesky") {
      if (req.method === "POST") {
        const command = JSON.parse(raw.toString("utf8") || "{}");
        if (command.reset) state = freshState();
        if (command.answers) state.answers.push(...command.answers);
        if (command.expireAccessTokens) for (const access of state.access.values()) access.expired = true;
        if (command.expireRefreshTokens) for (const refresh of state.refresh.values()) refresh.expired = true;
      }
      return json(res, 200, { requests: state.requests, records: [...state.records.values()], blobs: [...state.blobs.keys()], sessionsCreated: state.sessionsCreated, refreshes: state.refreshes });
    }
    const contentType = req.headers["content-type"] ?? null;
    const request = { method: req.method, path: pathname, authorization: req.headers.authorization ?? null, contentType, json: null, bytes: raw.length };
    state.requests.push(request);
    if (contentType?.startsWith("application/json")) {
      try {
        request.json = JSON.parse(raw.toString("utf8"));
      } catch {
        return json(res, 400, { error: "InvalidRequest", message: "Request body is not JSON" });
      }
    }
    const method = pathname.startsWith("/xrpc/") ? pathname.slice("/xrpc/".length) : null;
    if (req.method !== "POST" || !["com.atproto.server.createSession", "com.atproto.server.refreshSession", "com.atproto.repo.uploadBlob", "com.atproto.repo.putRecord"].includes(method)) {
      return json(res, 501, { error: "MethodNotImplemented", message: "Method Not Implemented" });
    }
    const scripted = state.answers.findIndex((answer) => answer.path === pathname);
    if (scripted >= 0) {
      const [answer] = state.answers.splice(scripted, 1);
      return json(res, answer.status, answer.json ?? { error: "InternalServerError", message: "scripted" }, answer.headers ?? {});
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    let answer;
    if (method === "com.atproto.server.createSession") answer = createSession(request.json);
    else if (method === "com.atproto.server.refreshSession") answer = refreshSession(token);
    else answer = accessProblem(token) ?? (method === "com.atproto.repo.uploadBlob" ? uploadBlob(raw, contentType ?? "application/octet-stream") : putRecord(request.json));
    return json(res, answer.status, answer.body, answer.headers ?? {});
  });
  server.on("connection", (socket) => {
    if (unref) socket.unref();
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  if (unref) server.unref();
  return { url: `http://${host}:${server.address().port}` };
}
