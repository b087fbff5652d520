/**
 * Redline in Miniflare, driven from Node, for the scale benchmark (`npm run bench:scale`).
 *
 * The Worker (src/index.ts) is bundled with esbuild as wrangler bundles it, behind a thin
 * harness entry that changes nothing the Worker does but:
 *
 * - meters every binding it is handed: D1 round trips, statements and the `rows_read` /
 *   `rows_written` each result's `meta` reports (the counters D1 bills), KV reads, writes,
 *   deletes and lists, and Queue messages sent, per handler (`scheduled`, each queue's
 *   consumer, `fetch`);
 * - stands in for the producer of the checks queue: messages the dispatcher sends are kept, with
 *   their `delaySeconds`, for Node to collect (`/__bench/sent`) and deliver itself through
 *   `worker.queue(...)` once their delay has passed on the benchmark's SIMULATED clock. Every
 *   other queue (webhooks) is Miniflare's own, consumed as wrangler.toml says.
 *
 * Bindings, queues and variables come from wrangler.toml through wrangler's
 * `unstable_getMiniflareWorkerOptions`, so the benchmark follows the configuration as it changes.
 * State (D1, KV, queues) lives in a throwaway folder; the D1 migrations in migrations/ are applied
 * from Node through the D1 binding before the first request.
 */
import { Log, LogLevel, Miniflare } from "miniflare";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { bundleForWorkerd, WORKER_MODULE_RULES } from "./worker-modules.mjs";

/** The harness entry: the Worker's default export, its bindings metered. Bundled with it. */
const HARNESS = String.raw`
import worker from "./src/index.ts";

const CAPTURED = new Set(JSON.parse(__CAPTURED_QUEUES__));
const meters = new Map();
const sent = [];

function meterFor(label) {
  let meter = meters.get(label);
  if (!meter) {
    meter = { invocations: 0, d1Trips: 0, d1Statements: 0, rowsRead: 0, rowsWritten: 0, kvReads: 0, kvWrites: 0, kvDeletes: 0, kvLists: 0, queueMessages: {}, sendCalls: {} };
    meters.set(label, meter);
  }
  return meter;
}

function tally(meter, result) {
  meter.d1Statements++;
  meter.rowsRead += result?.meta?.rows_read ?? 0;
  meter.rowsWritten += result?.meta?.rows_written ?? 0;
}

class Statement {
  constructor(inner, meter) { this.inner = inner; this.meter = meter; }
  bind(...values) { return new Statement(this.inner.bind(...values), this.meter); }
  async all() { this.meter.d1Trips++; const result = await this.inner.all(); tally(this.meter, result); return result; }
  async run() { this.meter.d1Trips++; const result = await this.inner.run(); tally(this.meter, result); return result; }
  // first() and raw() return no meta; all() runs the same statement and returns it (D1's first() adds no LIMIT).
  async first(column) {
    const { results } = await this.all();
    const row = results[0] ?? null;
    return column === undefined ? row : row === null ? null : row[column];
  }
  async raw(options) {
    const { results } = await this.all();
    const columns = results.length > 0 ? Object.keys(results[0]) : [];
    const rows = results.map((row) => columns.map((column) => row[column]));
    return options?.columnNames ? [columns, ...rows] : rows;
  }
}

function meteredD1(db, meter) {
  return {
    prepare: (sql) => new Statement(db.prepare(sql), meter),
    async batch(statements) {
      meter.d1Trips++;
      const results = await db.batch(statements.map((statement) => statement.inner));
      for (const result of results) tally(meter, result);
      return results;
    },
    async exec(sql) { meter.d1Trips++; const result = await db.exec(sql); meter.d1Statements += result.count ?? 1; return result; },
    dump: () => db.dump(),
    withSession: () => meteredD1(db, meter),
  };
}

function meteredKv(kv, meter) {
  const reads = (key) => (meter.kvReads += Array.isArray(key) ? key.length : 1);
  return {
    get: (key, options) => { reads(key); return kv.get(key, options); },
    getWithMetadata: (key, options) => { reads(key); return kv.getWithMetadata(key, options); },
    put: (key, value, options) => { meter.kvWrites++; return kv.put(key, value, options); },
    delete: (key) => { meter.kvDeletes++; return kv.delete(key); },
    list: (options) => { meter.kvLists++; return kv.list(options); },
  };
}

function meteredQueue(queue, name, meter) {
  const count = (n) => {
    meter.queueMessages[name] = (meter.queueMessages[name] ?? 0) + n;
    meter.sendCalls[name] = (meter.sendCalls[name] ?? 0) + 1;
  };
  if (CAPTURED.has(name)) {
    return {
      async send(body, options) { count(1); sent.push({ queue: name, body, delaySeconds: options?.delaySeconds ?? 0, at: Date.now() }); },
      async sendBatch(messages, options) {
        count(messages.length);
        for (const message of messages) sent.push({ queue: name, body: message.body, delaySeconds: message.delaySeconds ?? options?.delaySeconds ?? 0, at: Date.now() });
      },
    };
  }
  return {
    send(body, options) { count(1); return queue.send(body, options); },
    sendBatch(messages, options) { count(messages.length); return queue.sendBatch(messages, options); },
  };
}

const PRODUCERS = JSON.parse(__PRODUCERS__);

function envFor(env, label) {
  const meter = meterFor(label);
  meter.invocations++;
  const wrapped = { ...env };
  if (env.DB) wrapped.DB = meteredD1(env.DB, meter);
  if (env.REDLINE_KV) wrapped.REDLINE_KV = meteredKv(env.REDLINE_KV, meter);
  for (const [binding, name] of Object.entries(PRODUCERS)) if (env[binding]) wrapped[binding] = meteredQueue(env[binding], name, meter);
  return wrapped;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/meter") {
      const snapshot = Object.fromEntries(meters);
      if (url.searchParams.has("reset")) meters.clear();
      return Response.json(snapshot);
    }
    if (url.pathname === "/__bench/sent") return Response.json(sent.splice(0));
    // Node's own reads and writes (setup, probes, the tables), unmetered: one batch per request.
    if (url.pathname === "/__bench/sql") {
      const statements = await request.json();
      const results = await env.DB.batch(statements.map(({ sql, params }) => env.DB.prepare(sql).bind(...(params ?? []))));
      return Response.json(results.map(({ results, meta }) => ({ results, meta })));
    }
    if (url.pathname === "/__bench/kv-put") {
      const entries = await request.json();
      await Promise.all(entries.map(([key, value]) => env.REDLINE_KV.put(key, value)));
      return Response.json({ put: entries.length });
    }
    if (url.pathname === "/__bench/kv-sizes") {
      let cursor;
      const sizes = { raw: 0, rawKeys: 0, snapshotSampleBytes: 0, snapshotSample: 0, snapshotKeys: 0 };
      for (let page = 0; page < 1000; page++) {
        const listed = await env.REDLINE_KV.list({ cursor, limit: 1000 });
        for (const key of listed.keys) {
          if (key.name.startsWith("raw:")) {
            sizes.raw += key.metadata?.gzipSize ?? 0;
            sizes.rawKeys++;
          } else if (key.name.startsWith("snapshot:")) {
            sizes.snapshotKeys++;
            if (sizes.snapshotSample < 200) {
              sizes.snapshotSampleBytes += (await env.REDLINE_KV.get(key.name))?.length ?? 0;
              sizes.snapshotSample++;
            }
          }
        }
        if (listed.list_complete) break;
        cursor = listed.cursor;
      }
      return Response.json(sizes);
    }
    return worker.fetch(request, envFor(env, "fetch"), ctx);
  },
  scheduled(controller, env, ctx) {
    return worker.scheduled(controller, envFor(env, "scheduled"), ctx);
  },
  queue(batch, env, ctx) {
    return worker.queue(batch, envFor(env, "queue:" + batch.queue), ctx);
  },
};
`;

/** Applies every migrations/*.sql in order, one batch each, as `wrangler d1 migrations apply` would. */
async function applyMigrations(batch, migrationsDir) {
  const files = readdirSync(migrationsDir).filter((name) => name.endsWith(".sql")).sort();
  for (const file of files) await batch(unstable_splitSqlQuery(readFileSync(join(migrationsDir, file), "utf8")).map((sql) => ({ sql })));
  return files;
}

/** The workerd process Miniflare started (a child of this one), for its CPU time. */
export function workerdPid() {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(fields[1]) === process.pid && comm.startsWith("workerd")) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** User + system CPU milliseconds a process has used (Linux /proc; clock ticks of 10 ms). */
export function processCpuMs(pid) {
  if (pid === null) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * Starts Redline in Miniflare. `root`: the repository to bundle and configure from (defaults to
 * this one). `vars`: variables over wrangler.toml's. Returns the worker fetcher (fetch,
 * scheduled, queue), the D1 and KV bindings for Node, the queue names Node delivers itself,
 * and helpers to read the meters and the captured messages.
 */
export async function startRedline({ root, vars = {}, onStdio } = {}) {
  const state = mkdtempSync(join(tmpdir(), "redline-scale-"));
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"));

  // The checks queue: its producer binding(s) are captured, its consumer is driven from Node.
  const producers = Object.fromEntries(Object.entries(workerOptions.queueProducers ?? {}).map(([binding, value]) => [binding, typeof value === "string" ? value : value.queueName]));
  const consumers = { ...(workerOptions.queueConsumers ?? {}) };
  const checksQueue = Object.values(producers).find((name) => name === "redline-checks") ?? null;
  const captured = checksQueue ? [checksQueue] : [];
  const checksConsumer = checksQueue ? consumers[checksQueue] ?? null : null;
  for (const name of captured) delete consumers[name];

  const outfile = await bundleForWorkerd({
    contents: HARNESS,
    resolveDir: root,
    loader: "js",
    sourcefile: "bench-harness.mjs",
    outdir: state,
    define: { __CAPTURED_QUEUES__: JSON.stringify(JSON.stringify(captured)), __PRODUCERS__: JSON.stringify(JSON.stringify(producers)) },
  });

  const bindings = { ...workerOptions.bindings, ...vars };
  delete bindings.REPLAY_ORIGIN;
  let options = {
    ...workerOptions,
    queueConsumers: consumers,
    modules: true,
    modulesRoot: state,
    modulesRules: WORKER_MODULE_RULES,
    scriptPath: outfile,
    bindings,
    d1Persist: join(state, "d1"),
    kvPersist: join(state, "kv"),
    queuesPersist: join(state, "queues"),
    cachePersist: join(state, "cache"),
    cf: false,
    log: new Log(LogLevel.WARN),
    ...(onStdio ? { handleRuntimeStdio: onStdio } : {}),
  };
  const mf = new Miniflare(options);
  await mf.ready;
  let worker = await mf.getWorker();
  let pid = workerdPid();

  // Node reaches D1 and KV through the harness's own routes (worker.fetch), not through
  // Miniflare's binding proxies: one async request per batch, nothing synchronous.
  const benchRequest = async (path, body) => {
    const response = await worker.fetch(`http://bench.local${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text);
  };
  const benchGet = (path) => benchRequest(path);
  /** Statements `{sql, params}` run as ONE D1 batch; each result's `{results, meta}`. */
  const batch = (statements) => benchRequest("/__bench/sql", statements);
  const migrations = await applyMigrations(batch, join(root, "migrations"));

  return {
    mf,
    get worker() {
      return worker;
    },
    /** The same state (D1, KV, queues) under other variables: `null` removes one, so its default applies. */
    async restart(changes) {
      const next = { ...options.bindings };
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) delete next[name];
        else next[name] = value;
      }
      options = { ...options, bindings: next };
      await mf.setOptions(options);
      // Stubs from before setOptions are poisoned.
      worker = await mf.getWorker();
      pid = workerdPid();
    },
    batch,
    /** One statement's rows. */
    query: async (sql, ...params) => (await batch([{ sql, params }]))[0].results,
    kvPut: (entries) => benchRequest("/__bench/kv-put", entries),
    kvSizes: () => benchGet("/__bench/kv-sizes"),
    migrations,
    checksQueue,
    checksConsumer,
    producers,
    /** Meters per handler since the last reset; `reset` starts new ones. */
    meters: (reset = true) => benchGet(`/__bench/meter${reset ? "?reset" : ""}`),
    /** Messages sent to the captured queue since the last call. */
    takeSent: () => benchGet("/__bench/sent"),
    cpuMs: () => processCpuMs(pid),
    get workerdPid() {
      return pid;
    },
    async dispose() {
      try {
        await mf.dispose();
      } finally {
        rmSync(state, { recursive: true, force: true });
      }
    },
  };
}
