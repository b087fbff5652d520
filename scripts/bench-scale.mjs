#!/usr/bin/env node
/**
 * `npm run bench:scale` (issue 13): Redline at newsroom scale, from outside workerd. Node runs
 * the Worker in Miniflare (scripts/lib/scale-worker.mjs: bundled as wrangler bundles it, with
 * wrangler.toml's bindings, a throwaway state folder, ALLOW_LOOPBACK=true, no REPLAY_ORIGIN) and
 * a local origin of many news sites on loopback addresses (scripts/lib/scale-origin.mjs), tracks
 * N articles, then plays a simulated day of cron ticks with the checks queue drained in
 * simulated time, and prints one table per size plus the cost per check and per month.
 *
 *   npm run bench:scale                 # N = 1,000, 10,000 and 100,000 (see docs/benchmarks.md for runtimes)
 *   npm run bench:scale -- --quick      # N = 1,000 only
 *   npm run bench:scale -- --sizes 1000,10000 --hosts 40 --ticks 96 --ticks-bulk 8 --dispatch-batch 20000
 *
 * - N ≤ 10,000 are tracked through POST /api/articles with the admin token, at most 6 at once;
 *   N = 100,000 are bulk-loaded into D1 (articles, versions, changes rows built by the Worker's
 *   own extractor and `decide`), first seen 40 days ago, due at times spread over the next 24 h,
 *   and only the ticks of the first `--ticks-bulk` (default 8, 2 h) are played.
 * - Each tick calls the Worker's scheduled handler (`worker.scheduled({scheduledTime})`) at its
 *   simulated time; the dispatcher's messages are kept by the harness and delivered by Node
 *   through `worker.queue("redline-checks", …)` when their `delaySeconds` has passed on the
 *   simulated clock, in batches of the consumer's max_batch_size, with Queues' retry and
 *   dead-letter rules. The consumer's clock is the message's `notBefore` (the tick time plus the
 *   delay), so politeness is honoured in simulated time: the origin stamps every request with
 *   the simulated time of its delivery and reports the most requests any host saw in any second.
 * - Everything stops by itself: every request has a timeout, every loop a count, the whole run a
 *   deadline (`--deadline-minutes`, default 120; 20 with --quick). Traffic goes only to 127/8.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { importWorkerModules } from "./lib/bundle.mjs";
import { quantile } from "./lib/metrics.mjs";
import { costTable, PRICES } from "./lib/scale-cost.mjs";
import { createWorld, minGapByHost, rateStats, startScaleOrigin } from "./lib/scale-origin.mjs";
import { startRedline } from "./lib/scale-worker.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const MINUTE_MS = 60_000;
const TICK_MS = 15 * MINUTE_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

// -- options ----------------------------------------------------------------------------------

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}
const QUICK = process.argv.includes("--quick");
const SIZES = option("sizes", QUICK ? "1000" : "1000,10000,100000").split(",").map(Number);
const HOSTS = Number(option("hosts", "40"));
const TICKS = Number(option("ticks", "96"));
const TICKS_BULK = Number(option("ticks-bulk", "8"));
const BULK_FROM = Number(option("bulk-from", "50000"));
const DISPATCH_BATCH = option("dispatch-batch", "20000");
const DEADLINE_MS = Number(option("deadline-minutes", QUICK ? "20" : "120")) * MINUTE_MS;
const PROBE_REPEATS = Number(option("probe-repeats", "7"));
const SOURCE = option("source", root);
/** Consumer invocations Node keeps in flight at one simulated instant (Queues runs up to 250 at once). */
const DELIVERY_CONCURRENCY = Number(option("delivery-concurrency", "8"));
const CALL_TIMEOUT_MS = 120_000;
/** The per-outcome samples are drawn from the first this many articles. */
const CALIBRATION_ROWS = 400;
const TOKEN = randomBytes(18).toString("base64url");
const startedAt = performance.now();
const deadlineAt = startedAt + DEADLINE_MS;
const pastDeadline = () => performance.now() > deadlineAt;

const log = (...parts) => console.error(`[${((performance.now() - startedAt) / 1000).toFixed(0).padStart(5)} s]`, ...parts);

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

async function forEachWithLimit(items, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

/** A binary min-heap of deliveries by simulated time, then by order of sending. */
class Deliveries {
  items = [];
  seq = 0;
  get size() {
    return this.items.length;
  }
  peek() {
    return this.items[0];
  }
  push(entry) {
    entry.seq = this.seq++;
    const items = this.items;
    items.push(entry);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.less(items[parent], items[i])) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }
  pop() {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.less(items[left], items[smallest])) smallest = left;
        if (right < items.length && this.less(items[right], items[smallest])) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i], items[smallest]];
        i = smallest;
      }
    }
    return top;
  }
  less(a, b) {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }
}

const median = (values) => quantile([...values].sort((a, b) => a - b), 0.5);
const p95 = (values) => quantile([...values].sort((a, b) => a - b), 0.95);
const sum = (values) => values.reduce((total, value) => total + value, 0);

// -- the Worker's own code, in Node (bulk load) ----------------------------------------------------

function workerModules(source) {
  return importWorkerModules(
    "scale-modules",
    [
      'export { extractArticle } from "./src/extraction/index.ts";',
      'export { contentHash, normalizeContent } from "./src/diffing/index.ts";',
      'export { sha256Hex } from "./src/digest.ts";',
      'export { decide, blankHead } from "./src/tracking/decide.ts";',
      'export { recordDigest } from "./src/archive/chain.ts";',
      'export { articleIdFor, normalizeArticleUrl } from "./src/fetching/url.ts";',
    ],
    { root: source, mainFields: ["module", "main"] },
  );
}

// -- phases -----------------------------------------------------------------------------------------

async function api(redline, method, path, body) {
  const response = await withTimeout(
    redline.worker.fetch(`http://redline.bench${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    CALL_TIMEOUT_MS,
    `${method} ${path}`,
  );
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/**
 * POST /api/articles for every page, at most 6 at once and one at a time per host (page i is on
 * host i % hosts). A first capture claims the host's slot like any check: a host that is not free
 * yet answers 429 with `nextAllowedAt`, and that page is posted again once the host is free, while
 * the lanes go on with other hosts.
 */
async function trackThroughApi(redline, origin, world) {
  const started = performance.now();
  const statuses = new Map();
  const failed = [];
  const pending = Array.from({ length: world.hosts }, () => []);
  for (let i = 0; i < world.pages; i++) pending[i % world.hosts].push(i);
  const notBefore = new Array(world.hosts).fill(0);
  const busy = new Array(world.hosts).fill(false);
  const attempts = new Map();
  let remaining = world.pages;
  let turn = 0;
  let refused = 0;
  const take = () => {
    const now = Date.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (let k = 0; k < world.hosts; k++) {
      const host = (turn + k) % world.hosts;
      if (busy[host] || pending[host].length === 0) continue;
      if (notBefore[host] <= now) {
        turn = host + 1;
        return { host, i: pending[host][0] };
      }
      soonest = Math.min(soonest, notBefore[host]);
    }
    return { waitMs: Number.isFinite(soonest) ? soonest - now : 20 };
  };
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (remaining > 0 && !pastDeadline()) {
        const next = take();
        if (next.i === undefined) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(next.waitMs, 5), 200)));
          continue;
        }
        const { host, i } = next;
        busy[host] = true;
        const { status, json } = await api(redline, "POST", "/api/articles", { url: origin.urlOf(i) }).finally(() => (busy[host] = false));
        const tries = (attempts.get(i) ?? 0) + 1;
        attempts.set(i, tries);
        if (status === 429 && tries < 50) {
          refused++;
          notBefore[host] = Math.max(Date.parse(json?.nextAllowedAt ?? "") || 0, Date.now() + 100);
          continue;
        }
        // The host's next slot is at least the default interval away (MIN_HOST_INTERVAL_MS, 1 s):
        // waiting for it here spares a 429 round trip; a longer Crawl-delay is learnt from the 429.
        notBefore[host] = Date.now() + 1000;
        pending[host].shift();
        remaining--;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status !== 201 && failed.length < 5) failed.push(`${status} ${json?.detail ?? ""}`);
        const done = world.pages - remaining;
        if (done % 2000 === 0) log(`  tracked ${done}/${world.pages}`);
      }
    }),
  );
  return { ms: performance.now() - started, statuses: Object.fromEntries(statuses), failed, refused429: refused };
}

/**
 * Bulk load for the largest size: every row a first capture would write (articles, versions,
 * changes), computed in Node by the Worker's own extractor and `decide` on the page as the origin
 * serves it, written with `json_each` inserts (D1 allows 100 bound parameters per statement). The
 * articles were first seen 40 days before the run (so they are on the 30-day cadence) and are due
 * at times spread evenly over `spreadMs` from `startMs`. Version snapshots are written to KV for
 * the pages that change before `untilMs` (a check of a changed page reads the previous one);
 * raw bodies are not (no check reads them).
 */
async function bulkLoad(redline, origin, world, modules, { capturedMs, startMs, spreadMs, untilMs }) {
  const started = performance.now();
  const rows = { articles: [], versions: [], changes: [] };
  const snapshots = [];
  const flush = async (force) => {
    if (!force && rows.articles.length < 2000) return;
    const statements = [];
    const chunk = (list, size) => Array.from({ length: Math.ceil(list.length / size) }, (_, k) => list.slice(k * size, k * size + size));
    for (const part of chunk(rows.articles, 500)) {
      statements.push({
        sql: `INSERT INTO articles (id, url, site, title, tracking, status, first_seen_at, last_checked_at, last_changed_at, next_check_at,
               version_count, change_count, latest_hash, final_url, etag, last_modified, consecutive_failures, consecutive_missing, last_error, revision)
             SELECT value ->> '$[0]', value ->> '$[1]', value ->> '$[2]', value ->> '$[3]', 1, 'active', value ->> '$[4]', value ->> '$[5]', value ->> '$[6]',
               value ->> '$[7]', 1, 1, value ->> '$[8]', value ->> '$[9]', value ->> '$[10]', value ->> '$[11]', 0, 0, NULL, 1 FROM json_each(?)`,
        params: [JSON.stringify(part)],
      });
    }
    for (const part of chunk(rows.versions, 500)) {
      statements.push({
        sql: `INSERT INTO versions (article_id, n, captured_at, content_hash, record_sha256, title, modified_at)
             SELECT value ->> '$[0]', 1, value ->> '$[1]', value ->> '$[2]', value ->> '$[3]', value ->> '$[4]', value ->> '$[5]' FROM json_each(?)`,
        params: [JSON.stringify(part)],
      });
    }
    for (const part of chunk(rows.changes, 250)) {
      statements.push({
        sql: `INSERT INTO changes (article_id, seq, id, detected_at_ms, site, url, title, from_n, to_n, kinds, summary, significance, revert_of, record)
             SELECT value ->> '$[0]', 1, value ->> '$[1]', value ->> '$[2]', value ->> '$[3]', value ->> '$[4]', value ->> '$[5]', NULL, 1,
               value ->> '$[6]', value ->> '$[7]', value ->> '$[8]', NULL, value ->> '$[9]' FROM json_each(?)`,
        params: [JSON.stringify(part)],
      });
    }
    if (statements.length > 0) await withTimeout(redline.batch(statements), CALL_TIMEOUT_MS, "bulk insert");
    rows.articles = [];
    rows.versions = [];
    rows.changes = [];
    const entries = snapshots.splice(0);
    for (let start = 0; start < entries.length; start += 200) await withTimeout(redline.kvPut(entries.slice(start, start + 200)), CALL_TIMEOUT_MS, "snapshot puts");
  };
  // Pages that change during the run, and the first CALIBRATION_ROWS (the per-outcome samples edit some of them).
  const needsSnapshot = (i) => i < CALIBRATION_ROWS || world.changeTimes(i, untilMs).length > 0;
  const encoder = new TextEncoder();
  for (let i = 0; i < world.pages; i++) {
    if (pastDeadline()) throw new Error("deadline reached during the bulk load");
    const url = modules.normalizeArticleUrl(origin.urlOf(i));
    const id = await modules.articleIdFor(url);
    const page = world.page(i, capturedMs);
    const extraction = modules.extractArticle(page.body, url);
    if (!extraction.ok) throw new Error(`page ${i} does not extract: ${extraction.reason}`);
    const content = modules.normalizeContent(extraction.article);
    const body = encoder.encode(page.body);
    const style = world.validatorStyle(page.host);
    const headers = [["content-type", "text/html; charset=utf-8"], ...(style === "etag" ? [["etag", page.etag]] : []), ...(style !== "none" ? [["last-modified", page.lastModified]] : [])];
    const capture = {
      finalUrl: url,
      canonicalUrl: extraction.canonicalUrl ?? null,
      httpStatus: 200,
      charset: "utf-8",
      etag: style === "etag" ? page.etag : null,
      lastModified: style !== "none" ? page.lastModified : null,
      content,
      hash: await modules.contentHash(content),
      body,
      raw: { sha256: await modules.sha256Hex(body), size: body.byteLength, status: 200, contentType: "text/html; charset=utf-8", headers },
    };
    const decision = modules.decide(modules.blankHead({ id, url }, capturedMs), { kind: "captured", capture }, { nowMs: capturedMs, previous: null, previousDigest: null, revertOf: null, rawStored: true });
    const { article, version, change } = decision;
    const digest = await modules.recordDigest(version);
    const due = startMs + Math.floor(((i * 7919) % world.pages) / world.pages * spreadMs);
    rows.articles.push([id, url, article.site, article.title, article.firstSeenAt, article.lastCheckedAt, article.lastChangedAt, due, article.latestHash, article.finalUrl, article.etag, article.lastModified]);
    rows.versions.push([id, version.capturedAt, version.contentHash, digest, version.title, version.modifiedAt ?? null]);
    rows.changes.push([id, change.id, Date.parse(change.detectedAt), article.site, change.url, change.title, JSON.stringify(change.kinds), change.summary, change.significance ?? null, JSON.stringify(change)]);
    if (needsSnapshot(i)) snapshots.push([`snapshot:${digest}`, JSON.stringify(version)]);
    await flush(false);
    if (i > 0 && i % 20_000 === 0) log(`  bulk-loaded ${i}/${world.pages}`);
  }
  await flush(true);
  const snapshotCount = Array.from({ length: world.pages }, (_, i) => i).filter(needsSnapshot).length;
  return { ms: performance.now() - started, snapshots: snapshotCount };
}

function allRows(redline, sql, ...params) {
  return withTimeout(redline.query(sql, ...params), CALL_TIMEOUT_MS, "query");
}

async function dispatchRecord(redline) {
  const rows = await allRows(redline, "SELECT name, record FROM runs");
  for (const row of rows) {
    const record = JSON.parse(row.record);
    if ("dispatched" in record) return record;
  }
  return null;
}

/** Checks counted by the consumer (check_counts) with minutes in [fromMs, toMs), by outcome. */
async function checkCounts(redline, fromMs, toMs) {
  const rows = await allRows(redline, "SELECT outcome, SUM(n) AS n FROM check_counts WHERE minute >= ? AND minute < ? GROUP BY outcome", Math.floor(fromMs / MINUTE_MS), Math.floor(toMs / MINUTE_MS));
  return Object.fromEntries(rows.map((row) => [row.outcome, row.n]));
}

function addMeters(target, meter) {
  if (!meter) return target;
  for (const [key, value] of Object.entries(meter)) {
    if (typeof value === "number") target[key] = (target[key] ?? 0) + value;
    else {
      target[key] ??= {};
      for (const [name, n] of Object.entries(value)) target[key][name] = (target[key][name] ?? 0) + n;
    }
  }
  return target;
}

/**
 * The checks queue, simulated: messages delivered at their simulated time, in batches of the
 * consumer's max_batch_size, retried or dead-lettered as Queues would.
 */
function simulatedQueue(redline, origin) {
  const consumer = redline.checksConsumer ?? {};
  const batchSize = consumer.maxBatchSize ?? 10;
  const maxAttempts = (consumer.maxRetries ?? 3) + 1;
  const deadLetterQueue = consumer.deadLetterQueue ?? null;
  const heap = new Deliveries();
  let ids = 0;
  const stats = { delivered: 0, acked: 0, retried: 0, deadLettered: 0, waits: 0, waitsByHost: {}, consumerInvocations: 0, errors: [] };

  const enqueue = (sent, simNow, origin) => {
    for (const message of sent) {
      if (message.queue !== redline.checksQueue) continue;
      if (origin === "consumer") {
        stats.waits++;
        stats.waitsByHost[message.body.host] = (stats.waitsByHost[message.body.host] ?? 0) + 1;
      }
      heap.push({ time: simNow + message.delaySeconds * 1000, id: `m${ids++}`, body: message.body, attempts: 1, sentAt: simNow });
    }
  };

  /** Delivers everything due before `untilMs`, in simulated-time order. */
  const drainUntil = async (untilMs) => {
    while (heap.size > 0 && heap.peek().time < untilMs) {
      if (pastDeadline()) return false;
      const time = heap.peek().time;
      const due = [];
      while (heap.size > 0 && heap.peek().time === time) due.push(heap.pop());
      origin.setClock(time);
      const batches = Array.from({ length: Math.ceil(due.length / batchSize) }, (_, k) => due.slice(k * batchSize, k * batchSize + batchSize));
      await forEachWithLimit(batches, DELIVERY_CONCURRENCY, async (batch) => {
        stats.consumerInvocations++;
        stats.delivered += batch.length;
        // Queues' own clock moves on between deliveries; the consumer's is the message's notBefore,
        // so a redelivered message carries the simulated time it is delivered at.
        const messages = batch.map((entry) => ({ id: entry.id, timestamp: new Date(entry.sentAt), attempts: entry.attempts, body: { ...entry.body, notBefore: Math.max(entry.body.notBefore, time) } }));
        let result;
        try {
          result = await withTimeout(redline.worker.queue(redline.checksQueue, messages), CALL_TIMEOUT_MS, "queue delivery");
        } catch (error) {
          if (stats.errors.length < 5) stats.errors.push(String(error));
          result = { outcome: "exception", retryBatch: { retry: true }, retryMessages: [] };
        }
        const retryAll = result.retryBatch?.retry || result.outcome !== "ok";
        const retries = new Map((result.retryMessages ?? []).map((retry) => [retry.msgId, retry.delaySeconds]));
        for (const entry of batch) {
          if (!retryAll && !retries.has(entry.id)) {
            stats.acked++;
            continue;
          }
          stats.retried++;
          if (entry.attempts >= maxAttempts) {
            stats.deadLettered++;
            if (deadLetterQueue) {
              try {
                await withTimeout(redline.worker.queue(deadLetterQueue, [{ id: entry.id, timestamp: new Date(entry.sentAt), attempts: 1, body: entry.body }]), CALL_TIMEOUT_MS, "dead letter");
              } catch (error) {
                if (stats.errors.length < 5) stats.errors.push(String(error));
              }
            }
            continue;
          }
          const delay = retries.get(entry.id) ?? result.retryBatch?.delaySeconds ?? 0;
          heap.push({ ...entry, time: time + Math.max(1, delay) * 1000, attempts: entry.attempts + 1 });
        }
      });
      enqueue(await redline.takeSent(), time, "consumer");
    }
    return true;
  };

  return { enqueue, drainUntil, stats, heap, batchSize, maxAttempts };
}

/** One simulated tick: the scheduled handler at `at`, measured from Node; the messages it sent queued for delivery. */
async function tick(redline, origin, queue, at) {
  origin.setClock(at);
  await redline.meters(true);
  const cpuBefore = redline.cpuMs();
  const started = performance.now();
  const result = await withTimeout(redline.worker.scheduled({ scheduledTime: new Date(at), cron: "*/15 * * * *" }), CALL_TIMEOUT_MS, "scheduled");
  const ms = performance.now() - started;
  const cpuMs = redline.cpuMs() - cpuBefore;
  const meter = (await redline.meters(true)).scheduled ?? {};
  const sent = await redline.takeSent();
  queue.enqueue(sent, at, "dispatcher");
  const record = await dispatchRecord(redline);
  return { ms, cpuMs, outcome: result.outcome, meter, record, sent: sent.length, latestSlotMs: Math.max(0, ...sent.map((message) => message.delaySeconds * 1000)) };
}

/** Makes exactly `ids` due at `atMs` (everything else due in a month), with no leases and every host free. */
async function onlyDue(redline, atMs, where, ...params) {
  await withTimeout(
    redline.batch([
      { sql: "UPDATE articles SET next_check_at = ?, lease_until = NULL", params: [atMs + 30 * DAY_MS] },
      { sql: `UPDATE articles SET next_check_at = ? WHERE ${where}`, params: [atMs - MINUTE_MS, ...params] },
      { sql: "UPDATE hosts SET next_allowed_at = 0, booked_until = 0" },
    ]),
    CALL_TIMEOUT_MS,
    "making articles due",
  );
}

/**
 * The cost of one check per outcome, measured: one article made due, one tick, its one message
 * delivered alone; the meters of that consumer invocation are the check's cost (a batch of one,
 * so the per-invocation counter update is all its own). Samples that refreshed robots.txt are
 * kept apart.
 */
async function calibrate(redline, origin, world, startMs) {
  const rows = await allRows(redline, "SELECT rowid, id, url, site, etag, last_modified, last_checked_at, version_count FROM articles WHERE tracking = 1 ORDER BY rowid LIMIT ?", CALIBRATION_ROWS);
  const pageOf = (row) => Number(/-(\d+)\.html$/.exec(row.url)[1]);
  const hostIndex = (row) => pageOf(row) % world.hosts;
  const stable = (row, atMs) => world.changeTimes(pageOf(row), atMs).length === world.changeTimes(pageOf(row), Date.parse(row.last_checked_at)).length;
  const cases = [
    { name: "unchanged, 304 (ETag)", pick: (row) => world.validatorStyle(hostIndex(row)) === "etag" && hostIndex(row) !== world.flakyHost },
    { name: "unchanged, 304 (Last-Modified)", pick: (row) => world.validatorStyle(hostIndex(row)) === "last-modified" && hostIndex(row) !== world.flakyHost },
    { name: "unchanged, 200 same text", pick: (row) => world.validatorStyle(hostIndex(row)) === "none" && hostIndex(row) !== world.flakyHost },
    { name: "new version", pick: (row) => hostIndex(row) !== world.flakyHost, prepare: (row) => origin.forceEdit(pageOf(row)) },
    { name: "failed (503 + Retry-After)", pick: (row) => hostIndex(row) !== world.flakyHost, prepare: (row) => origin.forceStatus(pageOf(row), 503) },
    { name: "missing (first 404)", pick: (row) => hostIndex(row) !== world.flakyHost, prepare: (row) => origin.forceStatus(pageOf(row), 404) },
  ];
  const used = new Set();
  const results = [];
  let at = startMs;
  for (const entry of cases) {
    const samples = [];
    const withRobots = [];
    for (const row of rows) {
      if (samples.length >= 3 || pastDeadline()) break;
      if (used.has(row.id) || !entry.pick(row) || !stable(row, at)) continue;
      used.add(row.id);
      entry.prepare?.(row);
      await onlyDue(redline, at, "id = ?", row.id);
      const queue = simulatedQueue(redline, origin);
      const dispatched = await tick(redline, origin, queue, at);
      const robotsBefore = origin.counts.robots;
      const before = await checkCounts(redline, at - DAY_MS, at + DAY_MS);
      await queue.drainUntil(at + TICK_MS);
      const meter = (await redline.meters(true))[`queue:${redline.checksQueue}`] ?? {};
      const after = await checkCounts(redline, at - DAY_MS, at + DAY_MS);
      const outcomes = Object.keys(after).filter((outcome) => (after[outcome] ?? 0) > (before[outcome] ?? 0));
      origin.clearForced(pageOf(row));
      const sample = { outcome: outcomes.join("+"), meter, dispatchMeter: dispatched.meter, robots: origin.counts.robots > robotsBefore };
      (sample.robots ? withRobots : samples).push(sample);
      at += TICK_MS;
    }
    results.push({ name: entry.name, samples, withRobots });
  }
  return { results, endMs: at };
}

/** Dispatch time at a fixed number due, whatever the number tracked: `PROBE_REPEATS` ticks per count. */
async function probeDispatch(redline, origin, counts, startMs, tracked, repeats = PROBE_REPEATS) {
  const results = [];
  let at = startMs;
  for (const due of counts) {
    if (due > tracked) continue;
    const samples = [];
    for (let repeat = 0; repeat < repeats && !pastDeadline(); repeat++) {
      // `due` rows spread over all hosts, a different set each time. Page i is on host i % hosts,
      // so a plain `rowid % step` would pick a few hosts: the row is picked by the high bits of a
      // multiplicative hash of its rowid (the low bits keep its parity).
      const step = Math.floor(tracked / due);
      await onlyDue(redline, at, "(((rowid * 2654435761) % 4294967296) >> 16) % ? = ?", step, repeat % step);
      const queue = simulatedQueue(redline, origin);
      const result = await tick(redline, origin, queue, at);
      samples.push({ ms: result.ms, due: result.record?.due ?? null, dispatched: result.record?.dispatched ?? null, deferredBy: result.record?.deferredBy ?? null, rowsRead: result.meter.rowsRead ?? 0, rowsWritten: result.meter.rowsWritten ?? 0, cpuMs: result.cpuMs });
      at += TICK_MS;
    }
    results.push({
      due,
      measuredDue: median(samples.map((sample) => sample.due)),
      dispatched: median(samples.map((sample) => sample.dispatched)),
      deferredBy: samples.at(-1)?.deferredBy ?? null,
      medianMs: median(samples.map((sample) => sample.ms)),
      p95Ms: p95(samples.map((sample) => sample.ms)),
      rowsRead: median(samples.map((sample) => sample.rowsRead)),
      rowsWritten: median(samples.map((sample) => sample.rowsWritten)),
    });
  }
  return { results, endMs: at };
}

/** Sizes of what one article and one version keep: D1 bytes per article, KV bytes per version. */
async function storageSizes(redline) {
  const [counted] = await withTimeout(redline.batch([{ sql: "SELECT COUNT(*) AS articles, (SELECT COUNT(*) FROM versions) AS versions FROM articles" }]), CALL_TIMEOUT_MS, "sizes");
  const size = counted.results[0];
  const dbBytes = counted.meta.size_after;
  const kv = await withTimeout(redline.kvSizes(), CALL_TIMEOUT_MS, "KV sizes");
  return {
    articles: size.articles,
    versions: size.versions,
    dbBytes,
    dbBytesPerArticle: size.articles ? dbBytes / size.articles : NaN,
    kv,
    // A version keeps a snapshot and (when its body is new) a gzipped raw body; bulk-loaded versions have no raw body.
    kvBytesPerVersion: (kv.rawKeys ? kv.raw / kv.rawKeys : 0) + (kv.snapshotSample ? kv.snapshotSampleBytes / kv.snapshotSample : 0),
  };
}

// -- one size ---------------------------------------------------------------------------------------

async function runSize(N, modules) {
  const sizeStarted = performance.now();
  const bulk = N >= BULK_FROM;
  const ticks = bulk ? TICKS_BULK : TICKS;
  // The simulated world starts at a quarter hour after the tracking is expected to end; bulk-loaded
  // rows were captured 40 days before it.
  const epochMs = Math.ceil((Date.now() + (bulk ? 0 : Math.max(60_000, N * 20))) / TICK_MS) * TICK_MS + TICK_MS;
  const crawlDelayHosts = [3, 13, 23, 33].filter((host) => host < HOSTS);
  const world = createWorld({ pages: N, hosts: HOSTS, epochMs, publishedBeforeMs: bulk ? 45 * DAY_MS : 0, crawlDelayHosts });
  const origin = await startScaleOrigin(world);
  let stdioLines = 0;
  const stdioTail = [];
  const redline = await startRedline({
    root: SOURCE,
    vars: { ADMIN_TOKEN: TOKEN, ALLOW_LOOPBACK: "true", DISPATCH_BATCH, FETCH_TIMEOUT_MS: "10000" },
    onStdio: (stdout, stderr) => {
      for (const stream of [stdout, stderr]) {
        stream.setEncoding("utf8");
        stream.on("data", (chunk) => {
          for (const line of chunk.split("\n")) {
            if (!line.trim()) continue;
            stdioLines++;
            stdioTail.push(line.slice(0, 300));
            if (stdioTail.length > 8) stdioTail.shift();
          }
        });
      }
    },
  });
  const result = { N, hosts: HOSTS, bulk, ticks: [], dispatchBatch: Number(DISPATCH_BATCH), crawlDelayHosts, flakyHost: world.flakyHost };
  try {
    if (!redline.checksQueue) throw new Error("wrangler.toml has no producer for redline-checks: this benchmark needs the queue dispatcher");
    log(`N = ${N}: Redline in Miniflare (workerd pid ${redline.workerdPid}), origin on ${HOSTS} loopback hosts, port ${origin.port}`);

    // 1. Track.
    if (bulk) {
      result.setup = await bulkLoad(redline, origin, world, modules, { capturedMs: epochMs - 40 * DAY_MS, startMs: epochMs, spreadMs: DAY_MS, untilMs: epochMs + (ticks + 1) * TICK_MS });
      result.setup.kind = "bulk";
    } else {
      result.setup = await trackThroughApi(redline, origin, world);
      result.setup.kind = "api";
      result.setup.trackingRates = { wall: rateStats(origin.log, { clock: "wall", kinds: [0] }), wallAll: rateStats(origin.log, { clock: "wall" }) };
    }
    result.tracked = (await allRows(redline, "SELECT COUNT(*) AS n FROM articles WHERE tracking = 1"))[0].n;
    log(`  ${result.tracked} tracked in ${(result.setup.ms / 1000).toFixed(1)} s (${result.setup.kind})`);
    await redline.meters(true);
    origin.resetLog();

    // 2. The simulated day: ticks every 15 minutes, the queue drained in simulated time between them.
    // The first tick is the first quarter hour at which every article added through the API is due.
    const firstTickMs = bulk ? epochMs : Math.max(epochMs, Math.ceil((Date.now() + TICK_MS - MINUTE_MS) / TICK_MS) * TICK_MS);
    result.firstTickMs = firstTickMs;
    const queue = simulatedQueue(redline, origin);
    const totals = { check: {}, webhooks: {}, fetch: {} };
    let drainWallMs = 0;
    let drainCpuMs = 0;
    for (let k = 1; k <= ticks; k++) {
      if (pastDeadline()) {
        result.stoppedEarly = `deadline reached before tick ${k}`;
        break;
      }
      const at = firstTickMs + (k - 1) * TICK_MS;
      const dispatched = await tick(redline, origin, queue, at);
      const lateMessages = queue.heap.items.filter((entry) => entry.time >= at + TICK_MS).length;
      const drainStarted = performance.now();
      const cpuBefore = redline.cpuMs();
      const deliveredBefore = queue.stats.delivered;
      await queue.drainUntil(at + TICK_MS);
      const wallMs = performance.now() - drainStarted;
      const cpuMs = redline.cpuMs() - cpuBefore;
      drainWallMs += wallMs;
      drainCpuMs += cpuMs;
      const meters = await redline.meters(true);
      addMeters(totals.check, meters[`queue:${redline.checksQueue}`]);
      addMeters(totals.webhooks, meters["queue:redline-webhooks"]);
      addMeters(totals.fetch, meters.fetch);
      const outcomes = await checkCounts(redline, at, at + TICK_MS);
      const done = sum(Object.entries(outcomes).filter(([outcome]) => outcome !== "skipped").map(([, n]) => n));
      const record = dispatched.record ?? {};
      result.ticks.push({
        k,
        at,
        due: record.due ?? 0,
        dispatched: record.dispatched ?? 0,
        deferredBy: record.deferredBy ?? {},
        dispatchMs: dispatched.ms,
        dispatchCpuMs: dispatched.cpuMs,
        dispatchRowsRead: dispatched.meter.rowsRead ?? 0,
        dispatchRowsWritten: dispatched.meter.rowsWritten ?? 0,
        dispatchMeter: dispatched.meter,
        lateMessages,
        latestSlotMs: dispatched.latestSlotMs,
        done,
        outcomes,
        delivered: queue.stats.delivered - deliveredBefore,
        drainMs: wallMs,
        drainCpuMs: cpuMs,
      });
      if (k === 1 || k % 8 === 0 || k === ticks) {
        log(`  tick ${k}/${ticks}: due ${record.due}, dispatched ${record.dispatched}, done ${done}, dispatch ${dispatched.ms.toFixed(0)} ms, drain ${(wallMs / 1000).toFixed(1)} s`);
      }
    }
    // What the last tick dispatched after its window, delivered so nothing is left in flight.
    const lastAt = firstTickMs + result.ticks.length * TICK_MS;
    await queue.drainUntil(lastAt + DAY_MS);
    result.afterLastTick = await checkCounts(redline, lastAt, lastAt + DAY_MS);
    const meters = await redline.meters(true);
    addMeters(totals.check, meters[`queue:${redline.checksQueue}`]);
    addMeters(totals.webhooks, meters["queue:redline-webhooks"]);
    result.totals = totals;
    result.queue = queue.stats;
    result.drainWallMs = drainWallMs;
    result.drainCpuMs = drainCpuMs;
    result.outcomes = await checkCounts(redline, firstTickMs - DAY_MS, lastAt + 2 * DAY_MS);
    result.rates = {
      simPages: rateStats(origin.log, { clock: "sim", kinds: [0] }),
      simAll: rateStats(origin.log, { clock: "sim", kinds: [0, 1] }),
      wallPages: rateStats(origin.log, { clock: "wall", kinds: [0] }),
      wallAll: rateStats(origin.log, { clock: "wall", kinds: [0, 1] }),
      crawlDelayMinGapMs: crawlDelayHosts.map((host) => minGapByHost(origin.log)[host]),
      otherHostsMinGapMs: Math.min(...minGapByHost(origin.log).filter((gap, host) => gap !== null && !crawlDelayHosts.includes(host))),
    };
    result.originCounts = { ...origin.counts };
    result.storage = await storageSizes(redline);
    log(`  day done: ${sum(result.ticks.map((t) => t.done))} checks, ${result.queue.waits} consumer waits, ${result.queue.deadLettered} dead letters`);

    // 3. Cost of one check per outcome; 4. dispatch time at fixed due counts.
    const calibrationStart = lastAt + DAY_MS + TICK_MS;
    result.calibration = await calibrate(redline, origin, world, calibrationStart);
    const probeCounts = [100, 1000, 10_000].filter((count) => count <= N);
    result.probes = await probeDispatch(redline, origin, probeCounts, result.calibration.endMs + DAY_MS, N);
    // The same state with DISPATCH_BATCH at its default: what one tick leaves for the next.
    if (N > 500 && !pastDeadline()) {
      await redline.restart({ DISPATCH_BATCH: null });
      const defaults = await probeDispatch(redline, origin, [Math.min(10_000, N)], result.probes.endMs + DAY_MS, N, 1);
      result.defaultBatchProbe = defaults.results[0] ?? null;
    }
  } catch (error) {
    result.error = error instanceof Error ? error.stack ?? error.message : String(error);
    log(`  N = ${N} failed: ${result.error}`);
  } finally {
    result.workerOutputLines = stdioLines;
    result.workerOutputTail = stdioTail;
    result.runtimeMs = performance.now() - sizeStarted;
    await redline.dispose().catch(() => {});
    await origin.close();
  }
  return result;
}

// -- tables -------------------------------------------------------------------------------------------

const n0 = (value) => (value === null || value === undefined || Number.isNaN(value) ? "–" : Math.round(value).toLocaleString("en-US"));
const n1 = (value) => (value === null || value === undefined || Number.isNaN(value) ? "–" : value.toFixed(1));
const n2 = (value) => (value === null || value === undefined || Number.isNaN(value) ? "–" : value.toFixed(2));
const minutes = (ms) => `${(ms / 60_000).toFixed(1)} min`;

function markdownTable(header, rows) {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

/** Per-check resources over the whole day: the consumer's, plus the dispatcher's and the webhook consumer's shares. */
function perCheck(result) {
  const checks = sum(result.ticks.map((t) => t.done)) + sum(Object.entries(result.afterLastTick ?? {}).filter(([o]) => o !== "skipped").map(([, n]) => n));
  const dispatch = result.ticks.reduce((acc, t) => addMeters(acc, t.dispatchMeter), {});
  const check = result.totals.check;
  const webhooks = result.totals.webhooks;
  const per = (key) => ((check[key] ?? 0) + (dispatch[key] ?? 0) + (webhooks[key] ?? 0)) / (checks || NaN);
  const queueMessages = sum(Object.values(check.queueMessages ?? {})) + sum(Object.values(dispatch.queueMessages ?? {})) + sum(Object.values(webhooks.queueMessages ?? {}));
  return {
    checks,
    rowsRead: per("rowsRead"),
    rowsWritten: per("rowsWritten"),
    d1Trips: per("d1Trips"),
    kvReads: per("kvReads"),
    kvWrites: per("kvWrites"),
    queueMessages: queueMessages / (checks || NaN),
    invocations: ((check.invocations ?? 0) + (dispatch.invocations ?? 0) + (webhooks.invocations ?? 0)) / (checks || NaN),
    cpuMs: (result.drainCpuMs + sum(result.ticks.map((t) => t.dispatchCpuMs))) / (checks || NaN),
    dispatchRowsReadPerCheck: (dispatch.rowsRead ?? 0) / (checks || NaN),
  };
}

function summaryRows(results) {
  return results.map((result) => {
    if (!result.ticks?.length) return [n0(result.N), "failed", "", "", "", "", "", "", "", "", "", "", "", ""];
    const t = result.ticks;
    const deferred = (key) => sum(t.map((x) => x.deferredBy?.[key] ?? 0));
    const c = perCheck(result);
    return [
      `${n0(result.tracked)}${result.bulk ? " (bulk)" : ""}`,
      `${t.length} × 15 min`,
      `${n0(sum(t.map((x) => x.due)))} / ${n0(Math.max(...t.map((x) => x.due)))}`,
      `${n0(sum(t.map((x) => x.done)))} / ${n0(Math.max(...t.map((x) => x.done)))}`,
      `${n0(deferred("politeness"))} / ${n0(deferred("batchCap"))} / ${n0(deferred("lease"))}`,
      n0(sum(t.map((x) => x.lateMessages))),
      `${n0(median(t.filter((x) => x.due > 0).map((x) => x.dispatchMs)))} / ${n0(p95(t.filter((x) => x.due > 0).map((x) => x.dispatchMs)))}`,
      n0(c.checks / (result.drainWallMs / 1000)),
      `${result.rates.simPages.maxInWindow} (${result.rates.simAll.maxInWindow})`,
      `${n0(result.rates.otherHostsMinGapMs)} / ${n0(Math.min(...result.rates.crawlDelayMinGapMs.filter((gap) => gap !== null)))}`,
      `${result.rates.wallPages.maxInWindow}`,
      `${n2(c.rowsRead)} / ${n2(c.rowsWritten)}`,
      `${c.kvReads.toFixed(4)} / ${c.kvWrites.toFixed(4)}`,
      n1(c.cpuMs),
      minutes(result.runtimeMs),
    ];
  });
}

const SUMMARY_HEADER = [
  "tracked",
  "ticks",
  "due: total / max per tick",
  "checks done before the next tick: total / max per tick",
  "deferred: politeness / cap / lease",
  "messages slotted after the next tick",
  "dispatch ms median / p95 (ticks with checks due)",
  "checks/s",
  "max requests/host in any 1 s, simulated clock: pages (with robots.txt)",
  "smallest gap between page requests to one host, ms: other hosts / Crawl-delay: 2 hosts",
  "max requests/host in any 1 s, wall clock",
  "D1 rows read / written per check",
  "KV reads / writes per check",
  "workerd CPU ms per check (upper bound)",
  "runtime",
];

function calibrationRows(results) {
  const rows = [];
  for (const result of results) {
    for (const entry of result.calibration?.results ?? []) {
      const sample = entry.samples[Math.floor(entry.samples.length / 2)];
      if (!sample) continue;
      const m = sample.meter;
      rows.push([n0(result.N), entry.name, sample.outcome || "–", n0(m.d1Trips), n0(m.d1Statements), n0(m.rowsRead), n0(m.rowsWritten), n0(m.kvReads), n0(m.kvWrites), n0(sum(Object.values(m.queueMessages ?? {}))), `${entry.samples.length}`]);
    }
    const robots = (result.calibration?.results ?? []).flatMap((entry) => entry.withRobots.map((sample) => ({ entry, sample })))[0];
    if (robots) {
      const m = robots.sample.meter;
      rows.push([n0(result.N), `${robots.entry.name}, with the host's robots.txt refreshed`, robots.sample.outcome || "–", n0(m.d1Trips), n0(m.d1Statements), n0(m.rowsRead), n0(m.rowsWritten), n0(m.kvReads), n0(m.kvWrites), n0(sum(Object.values(m.queueMessages ?? {}))), "1"]);
    }
  }
  return rows;
}

function probeRows(results) {
  const rows = [];
  const deferred = (probe) => (probe.deferredBy ? `${n0(probe.deferredBy.politeness)} / ${n0(probe.deferredBy.batchCap)} / ${n0(probe.deferredBy.lease)}` : "–");
  for (const result of results) {
    for (const probe of result.probes?.results ?? []) rows.push([n0(result.N), n0(probe.measuredDue), `${DISPATCH_BATCH}`, n0(probe.dispatched), deferred(probe), n0(probe.medianMs), n0(probe.p95Ms), n0(probe.rowsRead), n0(probe.rowsWritten)]);
    const probe = result.defaultBatchProbe;
    if (probe) rows.push([n0(result.N), n0(probe.measuredDue), "default", n0(probe.dispatched), deferred(probe), n0(probe.medianMs), "–", n0(probe.rowsRead), n0(probe.rowsWritten)]);
  }
  return rows;
}

function dayDetails(results) {
  return results
    .filter((result) => result.ticks?.length)
    .map((result) => {
      const outcomes = Object.entries(result.outcomes ?? {}).map(([outcome, n]) => `${outcome} ${n0(n)}`).join(", ");
      const setup =
        result.setup.kind === "api"
          ? `tracked through the API in ${(result.setup.ms / 1000).toFixed(0)} s (${Object.entries(result.setup.statuses).map(([s, n]) => `${n0(n)} × ${s}`).join(", ")}, after ${n0(result.setup.refused429)} answers 429 "host not free yet"; while tracking, the busiest host saw ${result.setup.trackingRates.wall.maxInWindow} page requests in one wall-clock second, ${result.setup.trackingRates.wallAll.maxInWindow} with robots.txt)`
          : `bulk-loaded in ${(result.setup.ms / 1000).toFixed(0)} s (${n0(result.setup.snapshots)} version snapshots written to KV: the pages that change during the run and the ${CALIBRATION_ROWS} the per-outcome samples draw from)`;
      const c = perCheck(result);
      return [
        `- N = ${n0(result.N)}: ${setup}. Outcomes: ${outcomes}. Queue: ${n0(result.queue.delivered)} deliveries in ${n0(result.queue.consumerInvocations)} consumer invocations, ${n0(result.queue.waits)} consumer waits (host not free yet, sent again with a delay${result.queue.waits ? `; by host: ${Object.entries(result.queue.waitsByHost).map(([host, n]) => `${host} ${n0(n)}`).join(", ")}` : ""}), ${n0(result.queue.retried)} retries, ${n0(result.queue.deadLettered)} dead letters.`,
        `  Smallest gap between two page requests to one host (simulated clock): ${result.rates.otherHostsMinGapMs} ms; on the Crawl-delay: 2 hosts: ${result.rates.crawlDelayMinGapMs.join(", ")} ms. Per check: ${n2(c.d1Trips)} D1 round trips, ${n2(c.queueMessages)} queue messages, ${n2(c.invocations)} Worker invocations; dispatcher rows read per check ${n2(c.dispatchRowsReadPerCheck)}. D1 ${n0(result.storage.dbBytesPerArticle)} bytes per article, KV ${n0(result.storage.kvBytesPerVersion)} bytes per version.`,
        ...(result.stoppedEarly ? [`  Stopped early: ${result.stoppedEarly}.`] : []),
        ...(result.error ? [`  Error: ${result.error.split("\n")[0]}`] : []),
      ].join("\n");
    })
    .join("\n");
}

// -- main -----------------------------------------------------------------------------------------------

const deadlineTimer = setTimeout(() => {
  console.error(`bench:scale: hard stop after ${DEADLINE_MS / 60_000 + 10} minutes`);
  process.exit(2);
}, DEADLINE_MS + 10 * MINUTE_MS);
deadlineTimer.unref();

log(`bench:scale: sizes ${SIZES.join(", ")}, ${HOSTS} hosts, ${TICKS} ticks (${TICKS_BULK} for bulk-loaded sizes), DISPATCH_BATCH=${DISPATCH_BATCH}; Node ${process.version}`);
const modules = SIZES.some((N) => N >= BULK_FROM) ? await workerModules(SOURCE) : null;
const results = [];
for (const N of SIZES) {
  if (pastDeadline()) break;
  results.push(await runSize(N, modules));
}

const output = [
  `### Simulated day (${HOSTS} hosts on 127.0.0.2–${2 + HOSTS - 1}, DISPATCH_BATCH=${DISPATCH_BATCH}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)})`,
  "",
  markdownTable(SUMMARY_HEADER, summaryRows(results)),
  "",
  dayDetails(results),
  "",
  "### One check, per outcome (one message, one consumer invocation)",
  "",
  markdownTable(["tracked", "case", "outcome counted", "D1 round trips", "D1 statements", "D1 rows read", "D1 rows written", "KV reads", "KV writes", "queue messages sent", "samples"], calibrationRows(results)),
  "",
  "### Dispatcher time at a fixed number due",
  "",
  markdownTable(["tracked", "due", "DISPATCH_BATCH", "dispatched", "deferred: politeness / cap / lease", "dispatch ms median", "p95", "D1 rows read", "D1 rows written"], probeRows(results)),
  "",
];
const costBasis = results.filter((result) => result.ticks?.length && !result.bulk).at(-1) ?? results.find((result) => result.ticks?.length);
if (costBasis) {
  const perCheckCost = perCheck(costBasis);
  output.push(`### Monthly cost (prices of ${PRICES.asOf}; per-check resources measured at N = ${n0(costBasis.N)})`, "", costTable(perCheckCost, costBasis), "");
}
console.log(output.join("\n"));

mkdirSync(join(root, "bench-results"), { recursive: true });
const file = join(root, "bench-results", `scale-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ options: { SIZES, HOSTS, TICKS, TICKS_BULK, DISPATCH_BATCH }, results }, null, 1));
log(`done in ${minutes(performance.now() - startedAt)}; raw results in ${file}`);
process.exit(results.some((result) => result.error) ? 1 : 0);
