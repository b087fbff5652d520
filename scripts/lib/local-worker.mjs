// Running Redline locally: wrangler dev beside the fixture replay origin, and seeding the seed
// articles' edit timelines. Shared by `npm start` (scripts/start.mjs) and `npm run test:e2e`.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** Colour and other terminal escapes, dropped before a line is matched. */
const TERMINAL_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]/g;
/**
 * wrangler's line per request (`[wrangler:info] GET /api/status 200 OK (3ms)`) and per queue
 * batch (`[wrangler:info] QUEUE redline-webhooks 1/1 (12ms)`). They share the info level with the
 * ready line, so they are dropped from its output rather than silenced by WRANGLER_LOG.
 */
const PER_EVENT_LINE = /^\[wrangler:info\] (?:[A-Z]+ \/\S* \d{3} |QUEUE )/;

function forwardLines(from, to) {
  createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => {
    if (!PER_EVENT_LINE.test(line.replace(TERMINAL_ESCAPE, ""))) to.write(`${line}\n`);
  });
}

/**
 * Starts `wrangler dev` on 127.0.0.1:`port`. `args` adds wrangler options (an env file, a
 * persistence folder, an inspector port); `stdio` is where its output goes, or "filtered": to
 * this process's stdout and stderr without wrangler's per-request and per-queue-batch lines
 * (in colour when this process writes to a terminal).
 */
export function startWrangler({ port, args = [], stdio = "inherit" }) {
  const filtered = stdio === "filtered";
  const colour = filtered && process.stdout.isTTY && process.env.NO_COLOR === undefined ? { FORCE_COLOR: process.env.FORCE_COLOR ?? "1" } : {};
  const child = spawn(
    process.execPath,
    [`${root}node_modules/wrangler/bin/wrangler.js`, "dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", ...args],
    { cwd: root, stdio: ["ignore", filtered ? "pipe" : stdio, filtered ? "pipe" : stdio], env: { ...process.env, ...colour, WRANGLER_SEND_METRICS: "false" } },
  );
  if (filtered) {
    forwardLines(child.stdout, process.stdout);
    forwardLines(child.stderr, process.stderr);
  }
  return child;
}

/**
 * Applies migrations/ to the local D1 database that `wrangler dev` will use (`persistTo`: the
 * same folder passed to it as --persist-to, or wrangler's default .wrangler/state). Quiet: its
 * output (tables, the confirmation it answers itself) is shown only if it fails; CI=true keeps
 * wrangler from asking. Returns the names of the migrations it applied (none when the schema
 * was up to date).
 */
export async function applyLocalMigrations({ persistTo } = {}) {
  const args = [`${root}node_modules/wrangler/bin/wrangler.js`, "d1", "migrations", "apply", "redline", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    // WRANGLER_LOG=log: the tables that name the migrations are printed at wrangler's log level.
    env: { ...process.env, CI: "true", WRANGLER_LOG: "log", WRANGLER_SEND_METRICS: "false" },
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`wrangler d1 migrations apply failed (exit ${code}):\n${output}`);
  // Its tables name only the migrations it applied ("No migrations to apply!" otherwise).
  return [...new Set(output.match(/\b\d+_[\w.-]+\.sql\b/g) ?? [])];
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
  // The Worker spaces its requests to one host (MIN_HOST_INTERVAL_MS, 1 s by default), and
  // english.hani.co.kr has two seed articles: a first capture or a check of a host that is not
  // free yet answers 429 with Retry-After (the seconds until it is). The seed waits that long and
  // asks again. `beforeAttempt` runs before every try (a retried check is captured later).
  const politely = async (method, path, body, beforeAttempt = () => {}) => {
    for (let attempt = 1; ; attempt++) {
      beforeAttempt();
      const response = await fetch(`${workerUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const retryAfter = Number(response.headers.get("Retry-After"));
      if (response.status === 429 && attempt < 10 && retryAfter > 0 && retryAfter <= 60) {
        await response.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
        continue;
      }
      const json = await response.json();
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${json.detail ?? JSON.stringify(json)}`);
      return { status: response.status, json };
    }
  };
  let fresh = 0;
  for (const entry of replay.replay.timeline.articles) {
    const { status, json } = await politely("POST", "/api/articles", { url: entry.url });
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
      const { json } = await politely("POST", `/api/articles/${id}/check`, undefined, () => lastCapture.set(url, Date.now()));
      replayed++;
      onCheck({ at: step.at, result: json, url });
    }
  }
  return { ids, replayed };
}
