/**
 * A loopback fake of Discord's Execute Webhook endpoint for the tests, as discord.com/developers
 * documents it (Webhook resource: Execute Webhook; Channel: embed limits; Topics: rate limits,
 * JSON error codes). Plain ESM for Node 20, no dependencies; started by vitest.config.ts, its URL
 * provided to the tests as `discordFake`.
 *
 *   POST /api/webhooks/<id>/<token>[?wait=true]   JSON {content?, embeds?, username?, allowed_mentions?,
 *        attachments?}, or multipart/form-data (Reference: Uploading Files) with that JSON as the
 *        `payload_json` field and the files as `files[n]`
 *        → 200 the message object with `wait=true`, else 204; every answer carries the
 *          X-RateLimit-* headers of the webhook's bucket (5 requests)
 *        → 400 {code: 50035, …} for a multipart body whose payload_json is missing or not JSON,
 *          whose `attachments` name a file id or filename that was not uploaded or give a
 *          description over 1024, or whose embed refers to an `attachment://<name>` not uploaded
 *        → 413 {code: 40005, message: "Request entity too large"} when the files add up to more
 *          than the upload limit (8 MiB, a webhook's default; {uploadLimit: bytes} sets another)
 *        → 400 {code: 50006, message: "Cannot send an empty message"} (no content, no embeds)
 *        → 400 {code: 50035, message: "Invalid Form Body", errors} (an embed over a limit: title
 *          256, description 4096, 25 fields of name 256 / value 1024, footer 2048, 10 embeds,
 *          6000 characters in all; content over 2000; a color outside 0–0xFFFFFF; a timestamp
 *          that is not ISO 8601)
 *        → 401 {code: 50027, message: "Invalid Webhook Token"} (a known id, another token)
 *        → 404 {code: 10015, message: "Unknown Webhook"}
 *        → 429 {message: "You are being rate limited.", retry_after, global: false} with
 *          Retry-After and X-RateLimit-Remaining: 0, when the test asks for it
 *   GET  /__discord   {requests: [{method, path, query, contentType, json, files}], messages}
 *                     (`json` is payload_json for a multipart body; `files`: [{field, filename,
 *                     contentType, size, base64}], empty for JSON)
 *   POST /__discord   {reset: true} | {rateLimited: seconds} (the next request is a 429) |
 *                     {uploadLimit: bytes} |
 *                     {answers: [{status, json?, headers?}]} (the next requests' answers, one each)
 */
import { createServer } from "node:http";

/** The one webhook this fake knows. */
export const DISCORD_WEBHOOK = { id: "1180000000000000001", token: "redline-test-webhook-token_0123456789" };
const BUCKET = { limit: 5, resetAfter: 2 };
/** A webhook's default upload limit: 8 MiB (the 25 MiB of users and bots does not apply to webhooks). */
const DEFAULT_UPLOAD_LIMIT = 8 * 1024 * 1024;
const invalid = (errors) => ({ code: 50035, message: "Invalid Form Body", errors });
const fieldError = (code, message) => ({ _errors: [{ code, message }] });

/**
 * A multipart body read as Discord reads it: {json, files} or {error: [status, body]}. Undici's
 * own multipart parser (Node's Request), so a malformed body is refused as Discord would.
 */
async function readMultipart(raw, contentType, uploadLimit) {
  let form;
  try {
    form = await new Request("http://discord/", { method: "POST", headers: { "Content-Type": contentType }, body: raw }).formData();
  } catch {
    return { error: [400, invalid({ _errors: [{ code: "MULTIPART_PARSE", message: "Could not parse the multipart body." }] })] };
  }
  const files = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === "string") continue;
    const match = /^files\[(\d+)\]$/.exec(field);
    if (!match) continue;
    const bytes = Buffer.from(await value.arrayBuffer());
    files.push({ id: Number(match[1]), field, filename: value.name, contentType: value.type || null, size: bytes.length, base64: bytes.toString("base64") });
  }
  if (files.reduce((sum, file) => sum + file.size, 0) > uploadLimit) return { error: [413, { message: "Request entity too large", code: 40005 }] };
  const payload = form.get("payload_json");
  let json = null;
  try {
    json = typeof payload === "string" ? JSON.parse(payload) : null;
  } catch {
    json = null;
  }
  if (json === null || typeof json !== "object") return { files, error: [400, invalid({ payload_json: fieldError("BASE_TYPE_REQUIRED", "payload_json must be a JSON object") })] };
  return { json, files };
}

/** The Invalid Form Body errors of `attachments` and `attachment://` references against the uploaded files, or null. */
function attachmentErrors(json, files) {
  const errors = {};
  const attachments = json.attachments ?? [];
  if (!Array.isArray(attachments)) errors.attachments = fieldError("BASE_TYPE_ARRAY", "Must be an array.");
  (Array.isArray(attachments) ? attachments : []).forEach((attachment, i) => {
    const file = files.find((candidate) => candidate.id === Number(attachment?.id));
    if (!file) errors[`attachments.${i}.id`] = fieldError("ATTACHMENT_NOT_FOUND", "Unknown attachment id: no files[n] of that n was uploaded.");
    else if (attachment.filename !== undefined && attachment.filename !== file.filename) errors[`attachments.${i}.filename`] = fieldError("ATTACHMENT_FILENAME_MISMATCH", "Does not match the uploaded file's name.");
    if (typeof attachment?.description === "string" && [...attachment.description].length > 1024) errors[`attachments.${i}.description`] = fieldError("BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.");
  });
  const names = new Set(files.map((file) => (Array.isArray(attachments) ? attachments.find((a) => Number(a?.id) === file.id)?.filename : undefined) ?? file.filename));
  (Array.isArray(json.embeds) ? json.embeds : []).forEach((embed, i) => {
    for (const key of ["image", "thumbnail"]) {
      const url = embed?.[key]?.url;
      if (typeof url === "string" && url.startsWith("attachment://") && !names.has(url.slice("attachment://".length))) {
        errors[`embeds.${i}.${key}.url`] = fieldError("ATTACHMENT_NOT_FOUND", `No uploaded file is named ${url.slice("attachment://".length)}.`);
      }
    }
  });
  return Object.keys(errors).length > 0 ? errors : null;
}

/** The Invalid Form Body `errors` for this body, or null when Discord would take it. */
function formErrors(body) {
  const errors = {};
  const over = (path, value, max) => {
    if (typeof value === "string" && [...value].length > max) errors[path] = { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${max} or fewer in length.` }] };
  };
  over("content", body.content, 2000);
  const embeds = body.embeds ?? [];
  if (!Array.isArray(embeds) || embeds.length > 10) errors.embeds = { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 10 or fewer in length." }] };
  let total = 0;
  (Array.isArray(embeds) ? embeds : []).forEach((embed, i) => {
    over(`embeds.${i}.title`, embed.title, 256);
    over(`embeds.${i}.description`, embed.description, 4096);
    over(`embeds.${i}.footer.text`, embed.footer?.text, 2048);
    if ((embed.fields ?? []).length > 25) errors[`embeds.${i}.fields`] = { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 25 or fewer in length." }] };
    (embed.fields ?? []).forEach((field, j) => {
      over(`embeds.${i}.fields.${j}.name`, field.name, 256);
      over(`embeds.${i}.fields.${j}.value`, field.value, 1024);
      if (!field.name || !field.value) errors[`embeds.${i}.fields.${j}`] = { _errors: [{ code: "BASE_TYPE_REQUIRED", message: "This field is required" }] };
      total += [...(field.name ?? "")].length + [...(field.value ?? "")].length;
    });
    if (embed.color !== undefined && !(Number.isInteger(embed.color) && embed.color >= 0 && embed.color <= 0xffffff)) errors[`embeds.${i}.color`] = { _errors: [{ code: "NUMBER_TYPE_MAX", message: "int value should be less than or equal to 16777215." }] };
    if (embed.timestamp !== undefined && Number.isNaN(Date.parse(embed.timestamp))) errors[`embeds.${i}.timestamp`] = { _errors: [{ code: "DATE_TIME_TYPE_PARSE", message: "Could not parse timestamp." }] };
    total += [...(embed.title ?? "")].length + [...(embed.description ?? "")].length + [...(embed.footer?.text ?? "")].length;
  });
  if (total > 6000) errors.embeds = { _errors: [{ code: "MAX_EMBED_SIZE_EXCEEDED", message: "Embed size exceeds maximum size of 6000" }] };
  return Object.keys(errors).length > 0 ? errors : null;
}

function freshState() {
  return { requests: [], messages: [], answers: [], rateLimited: null, remaining: BUCKET.limit, counter: 0, uploadLimit: DEFAULT_UPLOAD_LIMIT };
}

export async function startDiscordFake({ host = "127.0.0.1", port = 0, unref = false } = {}) {
  let state = freshState();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString("utf8");
    const url = new URL(req.url ?? "/", "http://discord");
    const reply = (status, json, headers = {}) => res.writeHead(status, { ...(json === undefined ? {} : { "Content-Type": "application/json" }), ...headers }).end(json === undefined ? "" : JSON.stringify(json));
    if (url.pathname === "/__discord") {
      if (req.method === "POST") {
        const command = JSON.parse(raw || "{}");
        if (command.reset) state = freshState();
        if (command.rateLimited !== undefined) state.rateLimited = command.rateLimited;
        if (command.answers) state.answers.push(...command.answers);
        if (command.uploadLimit !== undefined) state.uploadLimit = command.uploadLimit;
      }
      return reply(200, { requests: state.requests, messages: state.messages });
    }
    const contentType = req.headers["content-type"] ?? null;
    const multipart = contentType?.startsWith("multipart/form-data") ?? false;
    let json = null;
    let files = [];
    let refusal = null;
    if (multipart) {
      const read = await readMultipart(bytes, contentType, state.uploadLimit);
      json = read.json ?? null;
      files = read.files ?? [];
      refusal = read.error ?? null;
    } else {
      try {
        json = JSON.parse(raw);
      } catch {
        json = null;
      }
    }
    state.requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), contentType, json, files });
    const next = state.answers.shift();
    if (next) return reply(next.status, next.json, next.headers);
    const match = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([\w-]+)$/.exec(url.pathname);
    if (req.method !== "POST" || !match || match[1] !== DISCORD_WEBHOOK.id) return reply(404, { message: "Unknown Webhook", code: 10015 });
    if (match[2] !== DISCORD_WEBHOOK.token) return reply(401, { message: "Invalid Webhook Token", code: 50027 });
    if (state.rateLimited !== null) {
      const retryAfter = state.rateLimited;
      state.rateLimited = null;
      return reply(
        429,
        { message: "You are being rate limited.", retry_after: retryAfter, global: false },
        { "Retry-After": String(Math.ceil(retryAfter)), "X-RateLimit-Limit": String(BUCKET.limit), "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": String(retryAfter), "X-RateLimit-Bucket": "redline-test-bucket", "X-RateLimit-Scope": "shared" },
      );
    }
    const bucket = { "X-RateLimit-Limit": String(BUCKET.limit), "X-RateLimit-Remaining": String(Math.max(--state.remaining, 0)), "X-RateLimit-Reset-After": String(BUCKET.resetAfter), "X-RateLimit-Bucket": "redline-test-bucket" };
    if (refusal) return reply(refusal[0], refusal[1], bucket);
    if (!(multipart || contentType?.startsWith("application/json")) || json === null || typeof json !== "object") return reply(400, { message: "Cannot send an empty message", code: 50006 }, bucket);
    if (!json.content && !(Array.isArray(json.embeds) && json.embeds.length > 0) && files.length === 0) return reply(400, { message: "Cannot send an empty message", code: 50006 }, bucket);
    const errors = formErrors(json) ?? attachmentErrors(json, files);
    if (errors) return reply(400, invalid(errors), bucket);
    const id = String(1190000000000000000n + BigInt(++state.counter));
    const attachments = files.map((file) => {
      const described = (Array.isArray(json.attachments) ? json.attachments : []).find((a) => Number(a?.id) === file.id);
      const filename = described?.filename ?? file.filename;
      return { id: String(1200000000000000000n + BigInt(state.counter * 10 + file.id)), filename, size: file.size, content_type: file.contentType, description: described?.description, url: `https://cdn.discordapp.com/attachments/1170000000000000001/${id}/${filename}` };
    });
    // Discord shows an attachment:// image as the uploaded file's CDN URL.
    const embeds = (json.embeds ?? []).map((embed) => {
      const url = embed?.image?.url;
      const file = typeof url === "string" && url.startsWith("attachment://") ? attachments.find((a) => a.filename === url.slice("attachment://".length)) : undefined;
      return file ? { ...embed, image: { ...embed.image, url: file.url, proxy_url: file.url } } : embed;
    });
    const message = { id, type: 0, channel_id: "1170000000000000001", webhook_id: DISCORD_WEBHOOK.id, content: json.content ?? "", embeds, attachments, timestamp: new Date().toISOString() };
    state.messages.push(message);
    return url.searchParams.get("wait") === "true" ? reply(200, message, bucket) : reply(204, undefined, bucket);
  });
  server.on("connection", (socket) => {
    if (unref) socket.unref();
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  // unref: a fake started from a test runner's config never keeps Node alive.
  if (unref) server.unref();
  return { url: `http://${host}:${server.address().port}` };
}
