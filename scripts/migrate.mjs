#!/usr/bin/env node
// `npm run migrate`: moves a KV-only deployment's articles, versions, changes, subscriptions and
// cron:last into D1 by calling POST /api/admin/migrate-kv on a running Redline until it answers
// `done` (each call does a bounded batch; docs/storage.md, "Migrating from the KV-only layout"),
// then fills the search index for every version and change stored before it existed by calling
// POST /api/admin/reindex until done ("Rebuilding the search index"), then prints what it
// migrated, skipped, verified and indexed. Safe to run again: a rerun writes nothing and verifies
// every migrated hash chain once more. Exits 1 if a chain is broken, a record is missing or an
// article conflicts; 2 on a usage or HTTP error.
//
//   npm run migrate                                   # http://127.0.0.1:8787, token from .dev.vars
//   npm run migrate -- --url https://redline.example.workers.dev --token "$ADMIN_TOKEN"
//   options: --url (alias --remote-url), --token (else $REDLINE_ADMIN_TOKEN, $ADMIN_TOKEN, .dev.vars),
//            --batch N (articles per call, default 25), --quiet (no line per call)
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

function usage(message) {
  console.error(`${message}\nusage: npm run migrate -- [--url https://…] [--token …] [--batch N] [--quiet]`);
  process.exit(2);
}

let options;
try {
  options = parseArgs({
    options: {
      url: { type: "string" },
      "remote-url": { type: "string" },
      token: { type: "string" },
      batch: { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  }).values;
} catch (error) {
  usage(error.message);
}
if (options.help) usage("Migrates a KV-only Redline deployment into D1, then fills the search index.");

function devVarsToken() {
  const path = `${root}.dev.vars`;
  if (!existsSync(path)) return undefined;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^\s*ADMIN_TOKEN\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

const base = (options.url ?? options["remote-url"] ?? process.env.REDLINE_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
const token = options.token ?? process.env.REDLINE_ADMIN_TOKEN ?? process.env.ADMIN_TOKEN ?? devVarsToken();
if (!token) usage("No admin token: pass --token, set REDLINE_ADMIN_TOKEN, or run beside a .dev.vars with ADMIN_TOKEN.");
const batch = options.batch === undefined ? undefined : Number(options.batch);
if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1 && batch <= 1000)) usage("--batch must be an integer from 1 to 1000.");

/** One call of `endpoint`; network errors and 5xx answers are retried (both endpoints are idempotent), 4xx are not. */
async function call(cursor, endpoint = "migrate-kv") {
  const body = JSON.stringify({ cursor, ...(batch === undefined || endpoint !== "migrate-kv" ? {} : { batch }) });
  for (let attempt = 1; ; attempt++) {
    let failure;
    try {
      const response = await fetch(`${base}/api/admin/${endpoint}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body,
      });
      const text = await response.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      if (response.ok && json) return json;
      const detail = json?.detail ?? text.slice(0, 300);
      if (response.status < 500) {
        console.error(`POST ${base}/api/admin/${endpoint} → ${response.status}: ${detail}`);
        process.exit(2);
      }
      failure = `${response.status}: ${detail}`;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (attempt >= 5) {
      console.error(`POST ${base}/api/admin/${endpoint} failed ${attempt} times; last: ${failure}. Run again to continue (nothing is written twice).`);
      process.exit(2);
    }
    console.error(`  call failed (${failure}); retrying in ${attempt * 2} s`);
    await new Promise((resolve) => setTimeout(resolve, attempt * 2000));
  }
}

const totals = {
  calls: 0,
  outcomes: { migrated: 0, "already-migrated": 0, "changed-since": 0, conflict: 0, unreadable: 0 },
  versions: 0,
  changes: 0,
  subscriptions: { migrated: 0, skipped: 0 },
  cronRun: null,
  checked: 0,
  kv: 0,
  d1: 0,
};
const conflicts = [];
const leftovers = [];
const failures = [];

console.log(`Migrating the KV-only layout of ${base} into D1…`);
let cursor = null;
for (;;) {
  const report = await call(cursor);
  totals.calls++;
  for (const article of report.articles) {
    totals.outcomes[article.outcome] = (totals.outcomes[article.outcome] ?? 0) + 1;
    totals.versions += article.versions;
    totals.changes += article.changes;
    if (article.outcome === "conflict" || article.outcome === "unreadable") conflicts.push(article);
  }
  totals.subscriptions.migrated += report.subscriptions.migrated;
  totals.subscriptions.skipped += report.subscriptions.skipped;
  totals.cronRun = report.cronRun ?? totals.cronRun;
  totals.checked += report.verified.checked;
  totals.kv += report.usage.kvReads + report.usage.kvWrites + report.usage.kvLists;
  totals.d1 += report.usage.d1Queries;
  leftovers.push(...report.leftovers);
  failures.push(...report.verified.failures);
  if (!options.quiet) {
    const kv = report.usage.kvReads + report.usage.kvWrites + report.usage.kvLists;
    console.log(`  call ${totals.calls}: ${report.migrated} migrated, ${report.skipped} skipped, ${report.verified.checked} versions verified (${kv} KV operations, ${report.usage.d1Queries} D1 queries)`);
  }
  if (report.done) break;
  if (report.cursor === cursor) {
    console.error("The migration made no progress in a call; stopping.");
    process.exit(2);
  }
  cursor = report.cursor;
}

// The search index of what the migration copied and of history stored before the index existed.
const indexed = { calls: 0, versions: 0, changes: 0, unreadable: 0, kv: 0, d1: 0 };
console.log("Indexing every version and change the search index lacks…");
let reindexCursor = null;
for (;;) {
  const report = await call(reindexCursor, "reindex");
  indexed.calls++;
  indexed.versions += report.indexed.versions;
  indexed.changes += report.indexed.changes;
  indexed.unreadable += report.unreadable.length;
  indexed.kv += report.usage.kvReads + report.usage.kvWrites + report.usage.kvLists;
  indexed.d1 += report.usage.d1Queries;
  if (!options.quiet) console.log(`  call ${indexed.calls}: ${report.indexed.versions} versions and ${report.indexed.changes} changes indexed`);
  if (report.done) break;
  if (report.cursor === reindexCursor) {
    console.error("The reindex made no progress in a call; stopping.");
    process.exit(2);
  }
  reindexCursor = report.cursor;
}

const adopted = leftovers.filter((leftover) => leftover.adopted);
const rows = [
  ["articles migrated", totals.outcomes.migrated],
  ["articles already migrated", totals.outcomes["already-migrated"]],
  ["articles changed since migrated", totals.outcomes["changed-since"]],
  ["articles in conflict or unreadable", totals.outcomes.conflict + totals.outcomes.unreadable],
  ["version rows written", totals.versions],
  ["change rows written", totals.changes],
  ["leftover versions adopted", adopted.length],
  ["leftovers not migrated", leftovers.length - adopted.length],
  ["subscriptions migrated", totals.subscriptions.migrated],
  ["subscriptions already in D1", totals.subscriptions.skipped],
  ["cron:last", totals.cronRun ?? "not reached"],
  ["versions verified", totals.checked],
  ["broken links, missing records", failures.length],
  ["calls (KV operations, D1 queries)", `${totals.calls} (${totals.kv}, ${totals.d1})`],
  ["versions indexed for search", indexed.versions],
  ["changes indexed for search", indexed.changes],
  ["unreadable snapshots (run again)", indexed.unreadable],
  ["reindex calls (KV operations, D1 queries)", `${indexed.calls} (${indexed.kv}, ${indexed.d1})`],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log("");
for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);

if (leftovers.length > 0) {
  console.log("\nLeftovers of crashed checks of the old code:");
  for (const leftover of leftovers) console.log(`  ${leftover.adopted ? "adopted" : "left in KV"}  ${leftover.articleId} ${leftover.kind} ${leftover.n}: ${leftover.reason}`);
}
if (conflicts.length > 0) {
  console.log("\nArticles not migrated:");
  for (const article of conflicts) console.log(`  ${article.id} (${article.outcome}): ${article.note ?? ""}`);
}
if (failures.length > 0) {
  console.log("\nHash chain failures and missing records:");
  for (const failure of failures) console.log(`  ${failure.articleId} n=${failure.n} ${failure.field}: ${failure.detail}`);
}
const ok = failures.length === 0 && conflicts.length === 0;
console.log(ok ? "\nDone: every migrated hash chain verifies. The old keys are still in KV; see the README before deleting them." : "\nDone, with the problems listed above.");
process.exit(ok ? 0 : 1);
