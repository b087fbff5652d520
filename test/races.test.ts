/**
 * Races and stale reads between writers of one article (docs/storage.md, "One writer per
 * article"). Every test ends with the same invariants: versions are numbered 1..n with no gap
 * and in capture order, every listed change is stored and names versions that exist (with their
 * headline), and the hash chain verifies.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Env } from "../src/env";
import { checkArticle, trackerFor } from "../src/tracking";
import { api, check, reset, SEED_URLS, serveTimelineEntry, setReplayClock, track } from "./helpers";

const HOSTILE = "https://fixtures.redline.test/articles/hostile.html";

/** The invariants every history must keep, whatever raced. */
async function expectConsistentHistory(id: string): Promise<void> {
  const article = (await api("GET", `/api/articles/${id}`)).json;
  const versions = (await api("GET", `/api/articles/${id}/versions`)).json.items as Array<{ n: number; capturedAt: string; title: string }>;
  expect(versions.map((v) => v.n)).toEqual(Array.from({ length: article.versionCount }, (_, i) => i + 1));
  const times = versions.map((v) => Date.parse(v.capturedAt));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  const listed = (await api("GET", "/api/changes?limit=100")).json.items.filter((c: { articleId: string }) => c.articleId === id);
  const feed = (await api("GET", `/feeds/articles/${id}.json?limit=100`)).json.items;
  expect(feed.length).toBe(listed.length);
  for (const change of listed as Array<{ id: string; to: number | null; from: number | null; title: string }>) {
    for (const n of [change.from, change.to]) {
      if (n === null) continue;
      expect(n).toBeLessThanOrEqual(article.versionCount);
      expect((await api("GET", `/api/articles/${id}/versions/${n}`)).status).toBe(200);
    }
    if (change.to !== null) expect(change.title, change.id).toBe(versions[change.to - 1]!.title);
  }
  const seqs = listed.map((c: { id: string }) => Number(c.id.split("-")[1])).sort((a: number, b: number) => a - b);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  expect((await api("GET", `/api/articles/${id}/verify`)).json.ok).toBe(true);
}

/** A KV binding whose `put` of a key starting with `prefix` waits for `gate` the first time. */
function kvHeldAt(prefix: string, gate: Promise<void>, reached: () => void): KVNamespace {
  let held = false;
  return new Proxy(env.REDLINE_KV, {
    get(target, property) {
      if (property === "put") {
        return async (key: string, ...rest: unknown[]) => {
          if (!held && key.startsWith(prefix)) {
            held = true;
            reached();
            await gate;
          }
          return (target.put as (...args: unknown[]) => Promise<void>)(key, ...rest);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A KV binding that is one write behind, like a read served by another location: each `get`
 * returns what the key held before its latest `put` (nothing, for a key written once).
 */
function staleKv(): KVNamespace {
  const before = new Map<string, unknown>();
  return new Proxy(env.REDLINE_KV, {
    get(target, property) {
      if (property === "put") {
        return async (key: string, ...rest: unknown[]) => {
          before.set(key, await target.get(key, "arrayBuffer"));
          return (target.put as (...args: unknown[]) => Promise<void>)(key, ...rest);
        };
      }
      if (property === "get") {
        return async (key: string, type?: unknown) => {
          if (!before.has(key)) return (target.get as (...args: unknown[]) => Promise<unknown>)(key, type);
          const old = before.get(key) as ArrayBuffer | null;
          if (old === null) return null;
          if (type === "arrayBuffer") return old;
          const text = new TextDecoder().decode(old);
          return type === "json" || (typeof type === "object" && (type as { type?: string })?.type === "json") ? JSON.parse(text) : text;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("two checks of one article with different captures", () => {
  it("never store the earlier capture after the later one", { timeout: 15_000 }, async () => {
    await reset();
    const url = SEED_URLS.hankyoreh3rdRound;
    await serveTimelineEntry(url, 1);
    const id: string = (await track(url)).json.id;
    const article = (await trackerFor(env).store.getHead(id))!;

    // A captures entry 2 and stalls before its first write; B captures entry 3 and commits.
    let release!: () => void;
    let reachedWrite!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (reachedWrite = resolve));
    const slow = trackerFor({ ...env, REDLINE_KV: kvHeldAt("raw:", gate, reachedWrite) } as Env);
    const t0 = Date.now();
    await serveTimelineEntry(url, 2);
    const a = checkArticle(slow, article, t0 + 1_000);
    await reached;
    await serveTimelineEntry(url, 3);
    const b = await checkArticle(trackerFor(env), article, t0 + 2_000);
    expect(b.version?.n).toBe(2);
    release();
    await a;

    await expectConsistentHistory(id);
    // The last version holds what the page said last (entry 3): a newer check sees no change.
    expect((await check(id)).json.outcome).toBe("unchanged");
  });
});

describe("checks reading stale KV values", () => {
  it("keep the history consecutive, stored and verifiable while the page changes", { timeout: 30_000 }, async () => {
    await reset();
    const url = SEED_URLS.hankyoreh3rdRound;
    await serveTimelineEntry(url, 1);
    const id: string = (await track(url)).json.id;
    const stale = trackerFor({ ...env, REDLINE_KV: staleKv() } as Env);
    const fresh = trackerFor(env);
    for (const k of [2, 3, 4, 2]) {
      await serveTimelineEntry(url, Math.min(k, 4));
      const article = (await fresh.store.getHead(id))!;
      const now = Date.now();
      await Promise.allSettled([checkArticle(stale, article, now), checkArticle(stale, article, now + 1), checkArticle(fresh, article, now + 2)]);
    }
    await check(id);
    await expectConsistentHistory(id);
  });
});

describe("a DELETE during a slow check", () => {
  it("stays deleted", async () => {
    await reset();
    await setReplayClock("2019-01-01T12:00:00Z");
    const created = await track(`${HOSTILE}?delay=600`);
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    await setReplayClock("2019-01-02T12:00:00Z");
    // The DELETE goes in once the check's page request has left (the origin answers it 600 ms later).
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const checking = check(id);
    await vi.waitUntil(() => fetchSpy.mock.calls.some(([input]) => String(input instanceof Request ? input.url : input).includes("hostile.html")), { timeout: 4000 });
    const deleted = await api("DELETE", `/api/articles/${id}`);
    expect(deleted.json.tracking).toBe(false);
    const result = await checking;
    fetchSpy.mockRestore();
    expect(result.status).toBe(200);
    expect((await api("GET", `/api/articles/${id}`)).json.tracking).toBe(false);
    await expectConsistentHistory(id);
  });
});

describe("ten parallel adds of a changing page", () => {
  it("make one article whose every listed change is stored, with its version's headline", async () => {
    await reset();
    await setReplayClock("2019-01-01T12:00:00Z");
    const url = `${HOSTILE}?delay=300`;
    const adds: Array<Promise<{ status: number; json: { id: string } }>> = [];
    for (let i = 0; i < 10; i++) {
      if (i === 5) await setReplayClock("2019-01-02T12:00:00Z");
      // Started together; the clock's move (one round trip) splits them around the page's change.
      adds.push(track(url));
    }
    const results = await Promise.all(adds);
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const ids = new Set(results.map((r) => r.json.id));
    expect(ids.size).toBe(1);
    await expectConsistentHistory([...ids][0]!);
  });
});
