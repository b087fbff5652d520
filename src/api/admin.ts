/**
 * Operator endpoints (admin token). `POST /api/admin/migrate-kv` runs one bounded call of the
 * migration from the KV-only layout (src/storage/migrate.ts), `POST /api/admin/reindex` one
 * bounded call of the search index's rebuild (src/search/reindex.ts); `npm run migrate` calls
 * each until it answers `done: true`.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { DEFAULT_REINDEX_OPTIONS, MAX_REINDEX_BATCH, reindex, ReindexCursorError } from "../search/reindex";
import { LegacyKvLayout } from "../storage/legacy";
import { Meter } from "../storage/meter";
import { DEFAULT_MIGRATION_OPTIONS, MIN_BUDGET, MigrationCursorError, migrateKvLayout } from "../storage/migrate";
import { RedlineStore } from "../storage/store";
import { requireAdmin } from "./auth";
import { readJsonObject } from "./params";
import { problem } from "./problem";

const EXAMPLE = '{"cursor": null, "batch": 25}';
const REINDEX_EXAMPLE = '{"cursor": null, "batch": 200}';

/** An optional integer body field from `min` to `max`. */
function bounded(body: Record<string, unknown>, name: string, min: number, max: number, fallback: number): number {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw problem(400, `\`${name}\` must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}.`);
  }
  return value;
}

export const admin = new Hono<AppEnv>();

admin.use("*", requireAdmin);

admin.post("/migrate-kv", async (c) => {
  // An empty body starts from the beginning with the defaults.
  const empty = (await c.req.raw.clone().text()).trim() === "";
  const body = empty ? {} : await readJsonObject(c.req.raw, EXAMPLE);
  const cursor = body.cursor ?? null;
  if (cursor !== null && typeof cursor !== "string") throw problem(400, `\`cursor\` must be the string the previous call returned, or null; send ${EXAMPLE}.`);
  const defaults = DEFAULT_MIGRATION_OPTIONS;
  const options = {
    batch: bounded(body, "batch", 1, 1000, defaults.batch),
    // A caller may lower the budgets (the tests do, to cut articles into parts), never raise them past the defaults.
    kvBudget: bounded(body, "kvBudget", MIN_BUDGET.kv, defaults.kvBudget, defaults.kvBudget),
    d1Budget: bounded(body, "d1Budget", MIN_BUDGET.d1, defaults.d1Budget, defaults.d1Budget),
  };
  const meter = new Meter();
  const kv = meter.kv(c.env.REDLINE_KV);
  const ports = { legacy: new LegacyKvLayout(kv), store: new RedlineStore(meter.db(c.env.DB), kv), meter };
  try {
    return c.json(await migrateKvLayout(ports, cursor, options));
  } catch (error) {
    if (error instanceof MigrationCursorError) throw problem(400, error.message);
    throw error;
  }
});

admin.post("/reindex", async (c) => {
  const empty = (await c.req.raw.clone().text()).trim() === "";
  const body = empty ? {} : await readJsonObject(c.req.raw, REINDEX_EXAMPLE);
  const cursor = body.cursor ?? null;
  if (cursor !== null && typeof cursor !== "string") throw problem(400, `\`cursor\` must be the string the previous call returned, or null; send ${REINDEX_EXAMPLE}.`);
  const options = { ...DEFAULT_REINDEX_OPTIONS, batch: bounded(body, "batch", 1, MAX_REINDEX_BATCH, DEFAULT_REINDEX_OPTIONS.batch) };
  const meter = new Meter();
  const store = new RedlineStore(meter.db(c.env.DB), meter.kv(c.env.REDLINE_KV));
  try {
    return c.json(await reindex({ index: store.search, snapshot: (sha) => store.getSnapshot(sha), meter }, cursor, options));
  } catch (error) {
    if (error instanceof ReindexCursorError) throw problem(400, error.message);
    throw error;
  }
});
