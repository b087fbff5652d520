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
 * What an archivist following the defence cost-sharing talks asks of the seed sites' feeds and
 * listings, which also carry other news: an entry is tracked when its title or summary names the
 * talks (The Standard's World page and the others list unrelated stories beside them).
 */
const TALKS_KEYWORDS = ["defense cost", "cost-sharing", "cost sharing", "troop"];
/**
 * How long a queued first capture may take to land before the seed gives up waiting for it. It
 * usually lands within the local queue's 5 s batch timeout plus its host spacing; on a loaded
 * 2-core machine one took over a minute, so the bound is generous (it only ends a stuck run).
 */
const QUEUED_CAPTURE_WAIT_MS = 180_000;

/**
 * Adds the seed sites' feeds and listings (fixtures/timeline.json `feeds`) as sources, then walks
 * the replay clock from the instant they first exist through every fixture change: where a feed
 * or listing changes, its source is checked, and the stories it finds (the five seed articles
 * among them) become tracked articles at their first version; where a tracked article changes,
 * it is checked. So the first run already has discovered stories and a history of real edits.
 * `onDiscover` hears about each story found (`at`, the article, the source), `onCheck` about each
 * edit check (`at`, the check's JSON answer, the URL). Returns the tracked articles' ids and the
 * sources by URL, the edit checks replayed and the stories discovered.
 */
export async function seed({ workerUrl, replay, token, onCheck = () => {}, onDiscover = () => {} }) {
  const { articles, feeds } = replay.replay.timeline;
  const ids = new Map();
  // Memento datetimes have one-second grain, so two captures of one article in the same second
  // would leave only the later as a memento: each article's checks are kept a second apart.
  const lastCapture = new Map();
  const aSecondAfterLastCapture = async (url) => {
    const wait = 1000 - (Date.now() - (lastCapture.get(url) ?? 0));
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lastCapture.set(url, Date.now());
  };
  const call = (method, path, body) =>
    fetch(`${workerUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // The Worker spaces its requests to one host (MIN_HOST_INTERVAL_MS, 1 s by default), and
  // several sources and articles share a host: a check of a host that is not free yet answers 429
  // with Retry-After (the seconds until it is). The seed waits that long and asks again.
  // `beforeAttempt` runs before every try (a retried check is captured later).
  const politely = async (method, path, body, beforeAttempt = () => {}) => {
    for (let attempt = 1; ; attempt++) {
      beforeAttempt();
      const response = await call(method, path, body);
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

  // Strict clock from the instant the listings first exist: every story appears, and is found,
  // at its own first version. Adding a source reads it once (its type and title).
  const start = feeds.map((feed) => feed.versions[0].at).sort()[0];
  await replayClock(replay.url, { at: start });
  const sources = new Map();
  let fresh = 0;
  for (const feed of feeds) {
    const { status, json } = await politely("POST", "/api/sources", { url: feed.url, type: feed.type, keywords: TALKS_KEYWORDS });
    sources.set(feed.url, json);
    if (status === 201) fresh++;
  }
  if (fresh === 0) {
    // Already seeded in an earlier run: serve the latest fixtures so checks see no false edits.
    await replayClock(replay.url, { at: "2100-01-01T00:00:00Z" });
    for (let cursor = null; ; ) {
      const { json } = await politely("GET", `/api/articles?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      for (const article of json.items) ids.set(article.url, article.id);
      cursor = json.cursor;
      if (!cursor) break;
    }
    return { ids, sources, replayed: 0, discovered: 0 };
  }

  /** The article once it exists: at once for a linked id, polled (bounded) for a queued first capture. */
  const articleOnceTracked = async (id) => {
    const deadline = Date.now() + QUEUED_CAPTURE_WAIT_MS;
    for (;;) {
      const response = await call("GET", `/api/articles/${id}`);
      if (response.ok) return response.json();
      await response.body?.cancel();
      if (response.status !== 404 || Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  // A queued first capture lands when wrangler dev's local queue delivers it (within the queue's
  // max_batch_timeout). The walk goes on meanwhile and waits for a story only before the clock
  // would move its page past the version it was found at, and at the end. The lines are printed
  // in timeline order all the same: each waits for the ones before it.
  const pageEntries = [...articles, ...(replay.replay.timeline.discovered ?? [])];
  const times = [...new Set(Object.values(replay.replay.timeline).filter(Array.isArray).flatMap((list) => list.flatMap((entry) => entry.versions.map((v) => Date.parse(v.at)))))].sort((x, y) => x - y);
  const nextVersionAt = (url, afterMs) =>
    pageEntries.find((entry) => entry.url === url)?.versions.map((v) => Date.parse(v.at)).find((t) => t > afterMs) ?? Infinity;
  const known = new Set();
  const landing = new Map();
  let failure = null;
  let discovered = 0;
  let output = Promise.resolve();
  const inOrder = (ready, print) => {
    output = output.then(() => ready).then(print);
  };
  const land = (at, source, id, url) => {
    known.add(id);
    const landed = articleOnceTracked(id).then((article) => {
      if (!article) {
        failure ??= new Error(`the first capture of ${url ?? `article ${id}`}, found by ${source.title || source.url}, did not land within ${QUEUED_CAPTURE_WAIT_MS / 1000} s`);
        return null;
      }
      ids.set(article.url, article.id);
      lastCapture.set(article.url, Date.now());
      discovered++;
      return article;
    });
    if (url) landing.set(url, landed);
    inOrder(landed, (article) => article && onDiscover({ at, article, source }));
  };
  const checkSource = async (at, feedUrl) => {
    const source = sources.get(feedUrl);
    const { json } = await politely("POST", `/api/sources/${source.id}/check`);
    const urlOf = new Map(json.queued.map((entry) => [entry.articleId, entry.url]));
    // Found again, or by a second source: tracked once.
    for (const id of json.tracked) if (!known.has(id)) land(at, source, id, urlOf.get(id));
  };
  const settleBefore = async (clockMs) => {
    const next = times.find((t) => t > clockMs) ?? Infinity;
    for (const [url, landed] of landing) if (nextVersionAt(url, clockMs) <= next) await landed;
    if (failure) throw failure;
  };

  const feedUrls = new Set(feeds.map((feed) => feed.url));
  for (const feed of feeds) await checkSource(start, feed.url);
  let clockMs = Date.parse(start);
  let replayed = 0;
  for (;;) {
    await settleBefore(clockMs);
    const step = await replayClock(replay.url, { advance: "next" });
    if (!step.changes || step.changes.length === 0) break;
    clockMs = step.ms;
    for (const { url } of step.changes) {
      const id = ids.get(url);
      if (!id) continue;
      await aSecondAfterLastCapture(url);
      const { json } = await politely("POST", `/api/articles/${id}/check`, undefined, () => lastCapture.set(url, Date.now()));
      replayed++;
      inOrder(null, () => onCheck({ at: step.at, result: json, url }));
    }
    for (const { url } of step.changes) if (feedUrls.has(url)) await checkSource(step.at, url);
  }
  await Promise.all(landing.values());
  await output;
  if (failure) throw failure;
  const missed = articles.filter((article) => !ids.has(article.url)).map((article) => article.url);
  if (missed.length > 0) throw new Error(`the sources did not find ${missed.length} seed article(s): ${missed.join(", ")}`);
  return { ids, sources, replayed, discovered };
}
