/**
 * The request's tracker is a hono context variable set once by the middleware in src/app.ts:
 * every route reads `c.var.tracker` instead of building its own from the bindings. Observed from
 * outside: a request reads the `DB` binding once (`trackerFor` reads it when it builds the
 * store), however many look-ups the route makes.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../src/app";
import type { Env } from "../src/env";
import { ADMIN, freshArticleWithTwoVersions, SEED_URLS } from "./helpers";

let id: string;

beforeAll(async () => {
  id = await freshArticleWithTwoVersions();
});

/** One request through the app on bindings that count how often `DB` is read. */
async function dbReadsOf(method: string, path: string): Promise<{ status: number; dbReads: number }> {
  let dbReads = 0;
  const counted = new Proxy(env, {
    get(target, property) {
      if (property === "DB") dbReads++;
      return Reflect.get(target, property);
    },
  }) as Env;
  const response = await app.fetch(new Request(`http://redline.test${path}`, { method, headers: ADMIN }), counted);
  await response.arrayBuffer();
  return { status: response.status, dbReads };
}

describe("the tracker context variable", () => {
  it.each([
    ["GET", "/api/status"],
    ["GET", "/api/articles"],
    ["GET", "/api/articles/:id"],
    ["GET", "/api/articles/:id/versions/2"],
    ["GET", "/api/articles/:id/versions/2/raw"],
    ["GET", "/api/articles/:id/verify"],
    ["GET", "/api/articles/:id/diff"],
    ["GET", "/api/articles/:id/warc"],
    ["GET", "/api/changes"],
    ["GET", "/api/subscriptions"],
    ["GET", "/feeds/changes.atom"],
    ["GET", "/feeds/articles/:id.json"],
    ["GET", "/feeds/sites/english.hani.co.kr.rss"],
    ["GET", `/timemap/json/${SEED_URLS.hankyoreh1stRound}`],
    ["GET", "/"],
    ["GET", "/articles/:id"],
    ["GET", "/articles/:id/diff/1..2"],
    ["GET", "/articles/:id/versions/1"],
  ])("is built once for %s %s, which reads the DB binding exactly once", async (method, path) => {
    const { status, dbReads } = await dbReadsOf(method, path.replace(":id", id));
    expect(status).toBe(200);
    expect(dbReads).toBe(1);
  });

  it("is built for a request no route answers too, without reading more than once", async () => {
    const { status, dbReads } = await dbReadsOf("GET", "/api/nowhere");
    expect(status).toBe(404);
    expect(dbReads).toBe(1);
  });
});
