/**
 * A loopback fake of a Mastodon instance's API for the tests, as docs.joinmastodon.org documents
 * the three endpoints a status with an image needs. Plain ESM for Node 20, no dependencies;
 * started by vitest.config.ts, its URL provided to the tests as `mastodonFake`.
 *
 *   POST /api/v2/media        multipart: `file` (a PNG here), `description` (≤ 1500) →
 *                             200 {id, type, url, description} ready, or 202 with url null while
 *                             "processing" (the media's `processingPolls` next GETs say 206)
 *   GET  /api/v1/media/:id    206 {url: null} while processing, then 200 {…, url}; 404 unknown
 *   POST /api/v1/statuses     JSON {status, media_ids, visibility, language}: 422 over 500
 *                             (grapheme clusters, every URL 23), for unknown or unprocessed media,
 *                             a bad visibility; `Idempotency-Key` repeated → the same status again
 *   every route               `Authorization: Bearer <token>`: 401 unknown token, 403 without the
 *                             route's scope (write:media / write:statuses)
 *   GET  /__mastodon          {requests: [{method, path, authorization, idempotencyKey, contentType, json, form}], statuses, media}
 *   POST /__mastodon          {reset: true} | {answers: [{method, path, status, json?, headers?}]}
 *                             (the next matching requests' answers, one each, e.g. a 429 with
 *                             X-RateLimit-Reset) | {processingPolls: n} (new media take n polls;
 *                             0: ready at once)
 */
import { createServer } from "node:http";

/** The test account's tokens: one with both scopes the channel needs, one that may only post. */
export const MASTODON_TOKENS = { good: "mastodon-test-token", statusesOnly: "mastodon-statuses-only-token" };
const SCOPES = { [MASTODON_TOKENS.good]: ["write:statuses", "write:media"], [MASTODON_TOKENS.statusesOnly]: ["write:statuses"] };
const MAX_CHARS = 500;
const URL_LENGTH = 23;
const MAX_DESCRIPTION = 1500;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
/** Mastodon's StatusLengthValidator: grapheme clusters, each http(s) URL replaced by 23 characters. */
const statusLength = (text) => [...segmenter.segment(text.replace(/https?:\/\/\S+/g, "x".repeat(URL_LENGTH)))].length;

function freshState() {
  return { requests: [], answers: [], processingPolls: 0, media: new Map(), statuses: [], byIdempotencyKey: new Map(), counter: 0 };
}

export async function startMastodonFake({ host = "127.0.0.1", port = 0, unref = false } = {}) {
  let state = freshState();
  let origin = "";
  const json = (res, status, body, headers = {}) => res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
  const nextId = () => String(100000 + ++state.counter);
  const mediaView = (media) => ({ id: media.id, type: "image", url: media.pollsLeft > 0 ? null : `${origin}/files/${media.id}.png`, description: media.description });

  async function upload(req, res, raw) {
    let form;
    try {
      form = await new Request("http://fake/", { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "" }, body: raw }).formData();
    } catch {
      return { status: 422, body: { error: "Validation failed: File can't be blank" } };
    }
    const file = form.get("file");
    const description = form.get("description") ?? "";
    const bytes = typeof file === "object" && file !== null ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array();
    const record = { fields: [...form.keys()], file: file && typeof file === "object" ? { name: file.name, type: file.type, size: bytes.length } : null, description };
    if (!record.file || record.file.type !== "image/png" || !PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) {
      return { record, status: 422, body: { error: "Validation failed: File content type is invalid" } };
    }
    if ([...segmenter.segment(description)].length > MAX_DESCRIPTION) {
      return { record, status: 422, body: { error: `Validation failed: Description is too long (maximum is ${MAX_DESCRIPTION} characters)` } };
    }
    const media = { id: nextId(), description, pollsLeft: state.processingPolls, size: bytes.length };
    state.media.set(media.id, media);
    return { record, status: media.pollsLeft > 0 ? 202 : 200, body: mediaView(media) };
  }

  function mediaStatus(id) {
    const media = state.media.get(id);
    if (!media) return { status: 404, body: { error: "Record not found" } };
    if (media.pollsLeft > 0) {
      media.pollsLeft -= 1;
      return { status: 206, body: { ...mediaView(media), url: null } };
    }
    return { status: 200, body: mediaView(media) };
  }

  function postStatus(body, idempotencyKey) {
    if (idempotencyKey && state.byIdempotencyKey.has(idempotencyKey)) return { status: 200, body: state.byIdempotencyKey.get(idempotencyKey) };
    const text = typeof body?.status === "string" ? body.status : "";
    const mediaIds = Array.isArray(body?.media_ids) ? body.media_ids : [];
    if (text.trim() === "" && mediaIds.length === 0) return { status: 422, body: { error: "Validation failed: Text can't be blank" } };
    if (statusLength(text) > MAX_CHARS) return { status: 422, body: { error: `Validation failed: Text character limit of ${MAX_CHARS} exceeded` } };
    if (body.visibility !== undefined && !["public", "unlisted", "private", "direct"].includes(body.visibility)) {
      return { status: 422, body: { error: "Validation failed: Visibility is not included in the list" } };
    }
    for (const id of mediaIds) {
      const media = state.media.get(String(id));
      if (!media) return { status: 422, body: { error: "Validation failed: Media attachments are invalid" } };
      if (media.pollsLeft > 0) return { status: 422, body: { error: "Cannot attach files that have not finished processing. Try again in a moment!" } };
    }
    const id = nextId();
    const status = {
      id,
      url: `${origin}/@redline/${id}`,
      content: text,
      visibility: body.visibility ?? "public",
      language: body.language ?? null,
      media_attachments: mediaIds.map((mediaId) => mediaView(state.media.get(String(mediaId)))),
    };
    state.statuses.push(status);
    if (idempotencyKey) state.byIdempotencyKey.set(idempotencyKey, status);
    return { status: 200, body: status };
  }

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const { pathname } = new URL(req.url ?? "/", "http://fake");
    if (pathname === "/__mastodon") {
      if (req.method === "POST") {
        const command = JSON.parse(raw.toString("utf8") || "{}");
        if (command.reset) state = freshState();
        if (command.answers) state.answers.push(...command.answers);
        if (command.processingPolls !== undefined) state.processingPolls = command.processingPolls;
      }
      return json(res, 200, { requests: state.requests, statuses: state.statuses, media: [...state.media.values()] });
    }
    const contentType = req.headers["content-type"] ?? null;
    const request = {
      method: req.method,
      path: pathname,
      authorization: req.headers.authorization ?? null,
      idempotencyKey: req.headers["idempotency-key"] ?? null,
      contentType,
      json: null,
      form: null,
    };
    state.requests.push(request);
    if (contentType?.startsWith("application/json")) {
      try {
        request.json = JSON.parse(raw.toString("utf8"));
      } catch {
        return json(res, 400, { error: "Invalid JSON" });
      }
    }

    const route =
      req.method === "POST" && pathname === "/api/v2/media"
        ? "write:media"
        : req.method === "GET" && /^\/api\/v1\/media\/[^/]+$/.test(pathname)
          ? "write:media"
          : req.method === "POST" && pathname === "/api/v1/statuses"
            ? "write:statuses"
            : null;
    if (!route) return json(res, 404, { error: "Record not found" });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token || !SCOPES[token]) return json(res, 401, { error: "The access token is invalid" });
    if (!SCOPES[token].includes(route)) return json(res, 403, { error: "This action is outside the authorized scopes" });

    const scripted = state.answers.findIndex((answer) => answer.method === req.method && answer.path === pathname);
    if (scripted >= 0) {
      const [answer] = state.answers.splice(scripted, 1);
      return json(res, answer.status, answer.json ?? { error: "scripted" }, answer.headers ?? {});
    }

    let answer;
    if (pathname === "/api/v2/media") {
      answer = await upload(req, res, raw);
      request.form = answer.record ?? null;
    } else if (pathname.startsWith("/api/v1/media/")) {
      answer = mediaStatus(decodeURIComponent(pathname.slice("/api/v1/media/".length)));
    } else {
      answer = postStatus(request.json ?? {}, request.idempotencyKey);
    }
    return json(res, answer.status, answer.body);
  });
  server.on("connection", (socket) => {
    if (unref) socket.unref();
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  if (unref) server.unref();
  origin = `http://${host}:${server.address().port}`;
  return { url: origin };
}
