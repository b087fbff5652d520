#!/usr/bin/env node
// `npm start`: runs Redline locally with wrangler dev (local KV under .wrangler/), a replay
// origin serving the fixture pages, and the five seed articles tracked under their real URLs.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startReplayServer } from "../fixtures/replay.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const WORKER_PORT = Number(process.env.PORT ?? 8787);
const REPLAY_PORT = Number(process.env.REPLAY_PORT ?? 8788);
const workerUrl = `http://127.0.0.1:${WORKER_PORT}`;

function readDevVars() {
  const path = `${root}.dev.vars`;
  if (!existsSync(path)) {
    const token = randomBytes(18).toString("base64url");
    writeFileSync(
      path,
      [
        "# Local secrets and settings for wrangler dev (git-ignored; created by npm start).",
        `ADMIN_TOKEN=${token}`,
        "ALLOW_LOOPBACK=true",
        `REPLAY_ORIGIN=http://127.0.0.1:${REPLAY_PORT}`,
        "",
      ].join("\n"),
    );
    console.log("Created .dev.vars with a fresh ADMIN_TOKEN.");
  }
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^\s*([A-Z_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match) vars[match[1]] = match[2];
  }
  return vars;
}

async function waitForWorker(child) {
  for (let attempt = 0; attempt < 240; attempt++) {
    if (child.exitCode !== null) throw new Error("wrangler dev exited before it was ready");
    try {
      const response = await fetch(`${workerUrl}/api/status`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`wrangler dev did not answer on ${workerUrl} within 2 minutes`);
}

async function api(method, path, token, body) {
  const response = await fetch(`${workerUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${json.detail ?? JSON.stringify(json)}`);
  return { status: response.status, json };
}

async function replayClock(replayUrl, body) {
  const response = await fetch(`${replayUrl}/__replay/clock`, { method: "POST", body: JSON.stringify(body) });
  return response.json();
}

/**
 * Tracks the seed articles, then walks the replay clock through every fixture edit and checks
 * the articles that changed, so the first run already has a history of real edits.
 */
async function seed(replay, token) {
  const ids = new Map();
  let fresh = 0;
  for (const entry of replay.replay.timeline.articles) {
    const { status, json } = await api("POST", "/api/articles", token, { url: entry.url });
    ids.set(entry.url, json.id);
    if (status === 201) fresh++;
  }
  if (fresh === 0) {
    // Already seeded in an earlier run: serve the latest fixtures so checks see no false edits.
    await replayClock(replay.url, { at: "2100-01-01T00:00:00Z" });
    return { ids, replayed: 0 };
  }
  let replayed = 0;
  for (;;) {
    const step = await replayClock(replay.url, { advance: "next" });
    if (!step.changes || step.changes.length === 0) break;
    for (const { url } of step.changes) {
      const id = ids.get(url);
      if (!id) continue;
      const { json } = await api("POST", `/api/articles/${id}/check`, token);
      replayed++;
      console.log(`  ${step.at}  ${json.outcome.padEnd(11)} ${json.article.title || url}${json.change ? `: ${json.change.summary}` : ""}`);
    }
  }
  return { ids, replayed };
}

const vars = readDevVars();
const replay = await startReplayServer({ port: REPLAY_PORT, host: "127.0.0.1" });
console.log(`Replay origin serving fixtures on ${replay.url}`);

const wrangler = spawn(
  process.execPath,
  [`${root}node_modules/wrangler/bin/wrangler.js`, "dev", "--ip", "127.0.0.1", "--port", String(WORKER_PORT), "--show-interactive-dev-session=false"],
  { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
const stop = () => {
  wrangler.kill("SIGINT");
  replay.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", (code) => {
  replay.close();
  process.exit(code ?? 0);
});

await waitForWorker(wrangler);
console.log("\nSeeding the five seed articles and replaying their fixture edits…");
const { ids, replayed } = await seed(replay, vars.ADMIN_TOKEN);
const firstId = ids.values().next().value;
console.log(`
Redline is running at ${workerUrl}  (${replayed} edit checks replayed; state persists in .wrangler/)

  curl ${workerUrl}/api/status
  curl ${workerUrl}/api/changes
  curl ${workerUrl}/api/articles
  curl ${workerUrl}/api/articles/${firstId}/versions
  curl ${workerUrl}/api/articles/${firstId}/diff

Writes need the admin token from .dev.vars:
  curl -X POST ${workerUrl}/api/articles/${firstId}/check -H 'Authorization: Bearer ${vars.ADMIN_TOKEN}'

Run the cron as of a given time (epoch ms):
  curl '${workerUrl}/cdn-cgi/handler/scheduled?cron=*/15+*+*+*+*&time=${Date.now() + 3_600_000}'

Fixture replay: ${replay.url}/__replay/  (POST ${replay.url}/__replay/clock {"at": "…"} moves its clock)
Press Ctrl+C to stop.
`);
