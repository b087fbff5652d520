/**
 * A loopback fake of Slack's incoming webhooks for the tests, as api.slack.com documents them
 * ("Sending messages using incoming webhooks", "Block Kit" limits, the webhook error list).
 * Plain ESM for Node 20, no dependencies; started by vitest.config.ts, its URL provided to the
 * tests as `slackFake`.
 *
 *   POST /services/<T…>/<B…>/<secret>   JSON {text?, blocks?}: 200 "ok"; the documented errors as
 *                                       text/html bodies: 400 invalid_payload (not JSON, or not
 *                                       application/json), 400 no_text (neither text nor blocks),
 *                                       400 invalid_blocks (a block Slack would refuse: an unknown
 *                                       type, a header over 150 characters or not plain_text, a
 *                                       section over 3000, a context over 10 elements, a button
 *                                       text over 75 or its url over 3000, an image block without
 *                                       an http(s) image_url of at most 3000 or without an
 *                                       alt_text of at most 2000, or with a title that is not
 *                                       plain_text of at most 2000, over 50 blocks),
 *                                       404 no_service (an unknown webhook), 410
 *                                       channel_is_archived (the archived webhook below)
 *   GET  /__slack                       {requests: [{method, path, contentType, body, json}]}
 *   POST /__slack                       {reset: true} | {answers: [{status, body, headers?}]}
 *                                       (the next requests' answers, one each: a 429 with
 *                                       Retry-After, a 500, a 404 channel_not_found …)
 */
import { createServer } from "node:http";

/** The webhooks this fake knows: the working one, and one whose channel was archived. */
export const SLACK_HOOKS = {
  good: "/services/T0REDLINE/B0REDLINE/redlinetestsecret0000000",
  archived: "/services/T0REDLINE/B0ARCHIVE/redlinearchivedsecret000",
};

const BLOCK_TYPES = new Set(["header", "section", "context", "actions", "divider", "image"]);

/** Why Slack would refuse these blocks, or null. */
function blocksProblem(blocks) {
  if (!Array.isArray(blocks) || blocks.length > 50) return "blocks must be an array of at most 50";
  for (const block of blocks) {
    if (!BLOCK_TYPES.has(block?.type)) return `unknown block type ${block?.type}`;
    if (block.type === "header" && (block.text?.type !== "plain_text" || typeof block.text.text !== "string" || block.text.text.length > 150)) return "header text must be plain_text of at most 150";
    if (block.type === "section" && (typeof block.text?.text !== "string" || block.text.text.length > 3000 || !["mrkdwn", "plain_text"].includes(block.text.type))) return "section text at most 3000";
    if (block.type === "context" && (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10)) return "context has 1 to 10 elements";
    if (block.type === "image") {
      // Block Kit's image block: image_url (or a slack_file, which an incoming webhook cannot have uploaded) and alt_text are required.
      let url = null;
      try {
        url = typeof block.image_url === "string" && block.image_url.length <= 3000 ? new URL(block.image_url) : null;
      } catch {
        url = null;
      }
      if (!url || !["https:", "http:"].includes(url.protocol)) return "image_url must be an http(s) URL of at most 3000";
      if (typeof block.alt_text !== "string" || block.alt_text.length === 0 || block.alt_text.length > 2000) return "image alt_text is required, at most 2000";
      if (block.title !== undefined && (block.title?.type !== "plain_text" || typeof block.title.text !== "string" || block.title.text.length > 2000)) return "image title must be plain_text of at most 2000";
    }
    if (block.type === "actions") {
      for (const element of block.elements ?? []) {
        if (element.type === "button" && (element.text?.type !== "plain_text" || element.text.text.length > 75 || (element.url ?? "").length > 3000)) return "button text at most 75, url at most 3000";
      }
    }
  }
  return null;
}

function freshState() {
  return { requests: [], answers: [] };
}

export async function startSlackFake({ host = "127.0.0.1", port = 0, unref = false } = {}) {
  let state = freshState();
  const answer = (res, status, body, headers = {}) => res.writeHead(status, { "Content-Type": "text/html", ...headers }).end(body);
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", "http://slack").pathname;
    if (path === "/__slack") {
      if (req.method === "POST") {
        const command = JSON.parse(body || "{}");
        if (command.reset) state = freshState();
        if (command.answers) state.answers.push(...command.answers);
      }
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ requests: state.requests }));
      return;
    }
    const contentType = req.headers["content-type"] ?? null;
    let json = null;
    try {
      json = JSON.parse(body);
    } catch {
      json = null;
    }
    state.requests.push({ method: req.method, path, contentType, body, json });
    const next = state.answers.shift();
    if (next) return answer(res, next.status, next.body ?? "", next.headers);
    if (req.method !== "POST" || !path.startsWith("/services/")) return answer(res, 404, "no_service");
    if (path === SLACK_HOOKS.archived) return answer(res, 410, "channel_is_archived");
    if (path !== SLACK_HOOKS.good) return answer(res, 404, "no_service");
    if (!contentType?.startsWith("application/json") || json === null || typeof json !== "object") return answer(res, 400, "invalid_payload");
    if (typeof json.text !== "string" && json.blocks === undefined) return answer(res, 400, "no_text");
    if (json.blocks !== undefined && blocksProblem(json.blocks)) return answer(res, 400, "invalid_blocks");
    return answer(res, 200, "ok");
  });
  server.on("connection", (socket) => {
    if (unref) socket.unref();
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  // unref: a fake started from a test runner's config never keeps Node alive.
  if (unref) server.unref();
  return { url: `http://${host}:${server.address().port}` };
}
