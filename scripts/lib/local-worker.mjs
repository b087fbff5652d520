// Running Redline locally: wrangler dev beside the fixture replay origin, and seeding the seed
// articles' edit timelines. Shared by `npm start` (scripts/start.mjs) and `npm run test:e2e`.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Starts `wrangler dev` on 127.0.0.1:`port`. `args` adds wrangler options (an env file, a
 * persistence folder, an inspector port); `stdio` is where its output goes.
 */
export function startWrangler({ port, args = [], stdio = "inherit" }) {
  return spawn(
    process.execPath,
    [`${root}node_modules/wrangler/bin/wrangler.js`, "dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", ...args],
    { cwd: root, stdio: ["ignore", stdio, stdio], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
}

/**
 * Applies migrations/ to the local D1 database that `wrangler dev` will use (`persistTo`: the
 * same folder passed to it as --persist-to, or wrangler's default .wrangler/state). Quiet: its
 * output is shown only if it fails. CI=true keeps wrangler from asking for confirmation.
 */
export async function applyLocalMigrations({ persistTo } = {}) {
  const args = [`${root}node_modules/wrangler/bin/wrangler.js`, "d1", "migrations", "apply", "redline", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`wrangler d1 migrations apply failed (exit ${code}):\n${output}`);
}

export async function waitForWorker(child, workerUrl) {
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

async function api(workerUrl, method, path, token, body) {
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
 * the articles that changed, so the first run already has a history of real edits. `onCheck`
 * hears about each check (`at`, the check's JSON answer, the URL).
 */
export async function seed({ workerUrl, replay, token, onCheck = () => {} }) {
  const ids = new Map();
  // Memento datetimes have one-second grain, so two captures of one article in the same second
  // would leave only the later as a memento: each article's checks are kept a second apart.
  const lastCapture = new Map();
  const aSecondAfterLastCapture = async (url) => {
    const wait = 1000 - (Date.now() - (lastCapture.get(url) ?? 0));
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lastCapture.set(url, Date.now());
  };
  let fresh = 0;
  for (const entry of replay.replay.timeline.articles) {
    const { status, json } = await api(workerUrl, "POST", "/api/articles", token, { url: entry.url });
    lastCapture.set(entry.url, Date.now());
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
      await aSecondAfterLastCapture(url);
      const { json } = await api(workerUrl, "POST", `/api/articles/${id}/check`, token);
      replayed++;
      onCheck({ at: step.at, result: json, url });
    }
  }
  return { ids, replayed };
}
