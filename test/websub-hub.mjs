/**
 * A loopback WebSub hub for the tests: it records every request a subscriber sends it and answers
 * with whatever the test set, so a test asserts the exact subscription request and drives the
 * hub's side (verification of intent, notifications) itself against the Worker. Plain ESM for
 * Node 20, no dependencies; started by vitest.config.ts, its URL provided as `websubHub`.
 *
 *   any method, any path but /__hub   recorded; answered with the current answer (default 202, empty)
 *   GET  /__hub                       {"requests": [{method, path, contentType, body, form}]}
 *   POST /__hub                       {"reset": true} | {"answer": {"status", "body"?, "location"?}}
 */
import { createServer } from "node:http";

const DEFAULT_ANSWER = { status: 202, body: "" };

export async function startWebSubHub({ host = "127.0.0.1", port = 0, unref = false } = {}) {
  let requests = [];
  let answer = DEFAULT_ANSWER;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", "http://hub").pathname;
    if (path === "/__hub") {
      if (req.method === "POST") {
        const command = JSON.parse(body || "{}");
        if (command.reset) [requests, answer] = [[], DEFAULT_ANSWER];
        if (command.answer) answer = { ...DEFAULT_ANSWER, ...command.answer };
      }
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ requests }));
      return;
    }
    const contentType = req.headers["content-type"] ?? null;
    const form = contentType === "application/x-www-form-urlencoded" ? Object.fromEntries(new URLSearchParams(body)) : null;
    requests.push({ method: req.method, path, contentType, body, form });
    res.writeHead(answer.status, answer.location ? { Location: answer.location } : {}).end(answer.body);
  });
  server.on("connection", (socket) => {
    if (unref) socket.unref();
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  // unref: a hub started from a test runner's config never keeps Node alive.
  if (unref) server.unref();
  return { url: `http://${host}:${server.address().port}` };
}
