#!/usr/bin/env node
// `npm start`: runs Redline locally with wrangler dev (local D1 and KV under .wrangler/, migrations applied first), a replay
// origin serving the fixture pages, and the seed sites' feeds and listings added as sources, which
// find the five seed articles (and the sites' other stories on the talks) under their real URLs.
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { startReplayServer } from "../fixtures/replay.mjs";
import { applyLocalMigrations, root, seed, startWrangler, waitForWorker } from "./lib/local-worker.mjs";

/** The fixed key sealing channel secrets under `npm start` (and in the tests' bindings): 32 bytes that say they are not for production. */
const DEV_SECRETS_KEY = "cmVkbGluZSBsb2NhbCBkZXYga2V5LCBub3QgcHJvZCE=";

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
  // Channel secrets are sealed under SECRETS_KEY; a .dev.vars from before channels gets the fixed development key.
  if (!/^\s*SECRETS_KEY\s*=/m.test(readFileSync(path, "utf8"))) {
    appendFileSync(path, `# Seals channel secrets locally; a deployment sets its own (README, Channels).\nSECRETS_KEY=${DEV_SECRETS_KEY}\n`);
  }
  const vars = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^\s*([A-Z_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match) vars[match[1]] = match[2];
  }
  return vars;
}

function portInUse(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
}

// One line instead of a stack trace (or a foreign server answering the readiness check).
for (const [name, port] of [["PORT", WORKER_PORT], ["REPLAY_PORT", REPLAY_PORT]]) {
  if (await portInUse(port)) {
    console.error(`npm start: 127.0.0.1:${port} is already in use (another npm start?); stop it, or pick another port with ${name}=…`);
    process.exit(1);
  }
}

const vars = readDevVars();
const replay = await startReplayServer({ port: REPLAY_PORT, host: "127.0.0.1" });
console.log(`Replay origin serving fixtures on ${replay.url}`);

// A quiet terminal: Redline's lines, wrangler's ready line, wrangler's warnings and errors, and
// the Worker's own errors. The ready line is at wrangler's info level, with a line per request
// and per queue batch, which startWrangler drops; `WRANGLER_LOG=info npm start` (any
// WRANGLER_LOG) shows wrangler's output unfiltered. Redline never reads `request.cf`, so
// miniflare's placeholder does and it need not fetch the real object from
// workers.cloudflare.com (a warning when offline); the hidden banner skips an update check.
// `--test-scheduled` says the cron is triggered by hand, which the lines below explain.
const filterWrangler = process.env.WRANGLER_LOG === undefined;
process.env.WRANGLER_LOG ??= "info";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
process.env.WRANGLER_HIDE_BANNER ??= "true";
const applied = await applyLocalMigrations();
if (applied.length > 0) console.log(`Applied ${applied.length} D1 migration${applied.length === 1 ? "" : "s"} to the local database (${applied.join(", ")}).`);
const wrangler = startWrangler({ port: WORKER_PORT, args: ["--test-scheduled"], stdio: filterWrangler ? "filtered" : "inherit" });
const stop = () => {
  wrangler.kill("SIGINT");
  replay.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
// "close": after its output has been forwarded to the end.
wrangler.on("close", (code) => {
  replay.close();
  process.exit(process.exitCode ?? code ?? 0);
});

let seeded;
try {
  await waitForWorker(wrangler, workerUrl);
  console.log("\nAdding the seed sites' feeds and listings as sources and replaying their timeline (stories discovered, then edited)…");
  seeded = await seed({
    workerUrl,
    replay,
    token: vars.ADMIN_TOKEN,
    onDiscover: ({ at, article, source }) => console.log(`  ${at}  ${"discovered".padEnd(11)} ${article.title || article.url} from ${source.title || source.url}`),
    onCheck: ({ at, result, url }) =>
      console.log(`  ${at}  ${result.outcome.padEnd(11)} ${result.article.title || url}${result.change ? `: ${result.change.summary}` : ""}`),
  });
} catch (error) {
  // One line, and wrangler stopped with it rather than left running.
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
  stop();
  await new Promise(() => {}); // wrangler's "close" exits
}
const { ids, sources, replayed, discovered } = seeded;
const firstId = ids.values().next().value;
const firstSource = sources.values().next().value;
console.log(`
Redline is running at ${workerUrl}  (${discovered} stories discovered, ${replayed} edit checks replayed; state persists in .wrangler/)

  open ${workerUrl}/ in a browser for the changelog pages
  open ${workerUrl}/search?q=five-fold to search every version
  open ${workerUrl}/sign-in and sign in with the admin token below for the admin pages (/admin)

  curl ${workerUrl}/api/status
  curl ${workerUrl}/api/changes
  curl ${workerUrl}/api/sources
  curl ${workerUrl}/api/articles
  curl ${workerUrl}/api/articles/${firstId}/versions
  curl ${workerUrl}/api/articles/${firstId}/diff

Writes need the admin token from .dev.vars:
  curl -X POST ${workerUrl}/api/articles/${firstId}/check -H 'Authorization: Bearer ${vars.ADMIN_TOKEN}'
  curl -X POST ${workerUrl}/api/sources/${firstSource.id}/check -H 'Authorization: Bearer ${vars.ADMIN_TOKEN}'

Run the cron as of a given time (epoch ms):
  curl '${workerUrl}/cdn-cgi/handler/scheduled?cron=*/15+*+*+*+*&time=${Date.now() + 3_600_000}'

Fixture replay: ${replay.url}/__replay/  (POST ${replay.url}/__replay/clock {"at": "…"} moves its clock)
Press Ctrl+C to stop.
`);
