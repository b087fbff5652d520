/**
 * Outbound requests to places they must not go, at every entry point: article URLs, each
 * redirect hop, and webhook URLs when subscribing and when delivering. Every fetch() the worker
 * makes is recorded; only the fixture origin is really reached, so a missing check shows up as
 * a recorded request, never as traffic to a forbidden address.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../src/env";
import { fetchPage } from "../src/fetching/fetch-page";
import worker from "../src/index";
import { SubscriptionStore } from "../src/storage/subscriptions";
import type { WebhookMessage } from "../src/channels/queue";
import { ADMIN, reset } from "./helpers";
import { ALLOWED, ALWAYS_REFUSED, LOOPBACK, rows, TEST_NAMES } from "./outbound-table";

const TEST_SITE = "https://fixtures.redline.test";
/** The bindings as deployed: ALLOW_LOOPBACK off (the tests' own bindings turn it on). */
const PRODUCTION: Env = { ...env, ALLOW_LOOPBACK: "false" };
const LOCAL_ONLY = [...LOOPBACK, ...TEST_NAMES];

let requested: string[];
/** What fetch() answers for addresses other than the fixture origin; nothing is sent there. */
let elsewhere: (url: string) => Response;

beforeEach(() => {
  requested = [];
  elsewhere = () => new Response("not sent", { status: 599 });
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    requested.push(url);
    return url.startsWith(`${env.REPLAY_ORIGIN}/`) ? realFetch(input, init) : elsewhere(url);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function call(method: string, path: string, body: unknown, bindings: Env = env) {
  const request = new Request(`http://redline.test${path}`, { method, headers: ADMIN, body: JSON.stringify(body) });
  const response = await worker.fetch(request, bindings, createExecutionContext());
  // Tests read whatever the endpoint returns.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, type: response.headers.get("Content-Type"), json: await response.json<any>() };
}

/** How the worker asks the fixture origin for an article URL (REPLAY_ORIGIN). */
const viaReplay = (url: string) => `${env.REPLAY_ORIGIN}/fetch?url=${encodeURIComponent(url)}`;
const redirectingTo = (target: string) => `${TEST_SITE}/redirect/to?location=${encodeURIComponent(target)}`;

describe("article URLs (POST /api/articles)", () => {
  beforeAll(async () => {
    await reset();
  });

  it.each(rows(ALWAYS_REFUSED))("refuses %s (%s) with a 400 naming %s, before any request", async (_, url, names) => {
    const { status, type, json } = await call("POST", "/api/articles", { url });
    expect(status).toBe(400);
    expect(type).toBe("application/problem+json");
    expect(json.detail).toContain("This URL cannot be tracked");
    expect(json.detail).toContain(names);
    expect(requested).toEqual([]);
  });

  it.each(rows(LOCAL_ONLY))("with ALLOW_LOOPBACK off, refuses %s (%s) with a 400 naming %s, before any request", async (_, url, names) => {
    const { status, json } = await call("POST", "/api/articles", { url }, PRODUCTION);
    expect(status).toBe(400);
    expect(json.detail).toContain(names);
    expect(json.detail).toContain("ALLOW_LOOPBACK=true");
    expect(requested).toEqual([]);
  });
});

describe("redirect targets", () => {
  beforeAll(async () => {
    await reset();
  });

  it.each(rows(ALWAYS_REFUSED))(
    "a first capture redirected to %s (%s) fails with a 422 naming %s, and the target is never requested",
    async (_, target, names) => {
      const url = redirectingTo(target);
      const { status, json } = await call("POST", "/api/articles", { url });
      expect(status).toBe(422);
      expect(json.detail).toContain(names);
      expect(json.detail).toContain("Nothing was stored");
      // The fixture host's robots.txt (fetched before the first capture, then cached) is not the target.
      expect(requested.filter((request) => !request.includes("robots.txt"))).toEqual([viaReplay(url)]);
    },
  );

  it("a tracked article whose check is redirected to the metadata address fails that check without requesting it", async () => {
    const id: string = (await call("POST", "/api/articles", { url: `${TEST_SITE}/articles/plain.html` })).json.id;
    const url = redirectingTo("http://169.254.169.254/latest/meta-data");
    // As if the page had moved to the redirect since it was tracked: its stored address now redirects.
    await env.DB.prepare("UPDATE articles SET url = ?, etag = NULL, last_modified = NULL WHERE id = ?").bind(url, id).run();
    requested = [];

    const { json } = await call("POST", `/api/articles/${id}/check`, {});
    expect(json).toMatchObject({ outcome: "failed", changed: false, status: "failing", change: null, article: { versionCount: 1 } });
    expect(json.error).toBe("host 169.254.169.254 is in 169.254.0.0/16, link-local (RFC 3927)");
    expect(requested).toEqual([viaReplay(url)]);
  });

  it.each(rows(LOCAL_ONLY))(
    "with ALLOW_LOOPBACK off, a public page redirected to %s (%s) is refused naming %s, and the target is never requested",
    async (_, target, names) => {
      const page = "https://news.example.com/2026/04/01/story.html";
      elsewhere = (url) => (url === page ? new Response(null, { status: 302, headers: { Location: target } }) : new Response("not sent", { status: 599 }));
      const outcome = await fetchPage(page, { allowLoopback: false });
      expect(outcome).toMatchObject({ kind: "refused", status: null });
      expect(outcome.kind === "refused" && outcome.reason).toContain(names);
      expect(requested).toEqual([page]);
    },
  );
});

describe("webhook URLs", () => {
  let articleId: string;

  beforeAll(async () => {
    await reset();
    articleId = (await call("POST", "/api/articles", { url: `${TEST_SITE}/articles/plain.html` })).json.id;
  });

  it.each(rows(ALWAYS_REFUSED))("POST /api/subscriptions refuses %s (%s) with a 400 naming %s", async (_, url, names) => {
    const { status, type, json } = await call("POST", "/api/subscriptions", { url });
    expect(status).toBe(400);
    expect(type).toBe("application/problem+json");
    expect(json.detail).toContain(names);
  });

  it.each(rows(LOCAL_ONLY))("with ALLOW_LOOPBACK off, POST /api/subscriptions refuses %s (%s) with a 400 naming %s", async (_, url, names) => {
    const { status, json } = await call("POST", "/api/subscriptions", { url }, PRODUCTION);
    expect(status).toBe(400);
    expect(json.detail).toContain(names);
  });

  it.each(rows(ALLOWED))("POST /api/subscriptions accepts %s (%s)", async (_, url) => {
    expect((await call("POST", "/api/subscriptions", { url })).status).toBe(201);
  });

  /** A subscription stored before its URL became forbidden, and one delivery to it. */
  async function deliverTo(url: string, bindings: Env) {
    const store = new SubscriptionStore(env.DB, env.REDLINE_KV);
    const subscription = {
      id: crypto.randomUUID(),
      type: "webhook",
      config: { url },
      filter: { articleId, site: null, source: null, kinds: null, minSignificance: 0 },
      sealedSecret: null,
      plainSecret: "a-secret-of-sixteen-or-more",
      createdAt: new Date(0).toISOString(),
      origin: "http://redline.test",
      deadLettered: 0,
      lastDeadLetter: null,
    };
    await store.insert(subscription);
    const body: WebhookMessage = { type: "delivery", subscriptionId: subscription.id, articleId, seq: 1 };
    const batch = createMessageBatch<WebhookMessage>("redline-webhooks", [{ id: "refused", attempts: 1, timestamp: new Date(), body }]);
    const ctx = createExecutionContext();
    await (worker as ExportedHandler<Env>).queue?.(batch, bindings, ctx);
    return { result: await getQueueResult(batch, ctx), after: (await store.get(subscription.id))! };
  }

  it.each(rows(ALWAYS_REFUSED))(
    "a delivery to a stored %s URL (%s) is never sent: it is acknowledged and counted as dead-lettered",
    async (_, url) => {
      const { result, after } = await deliverTo(url, env);
      expect(requested).toEqual([]);
      expect(result.explicitAcks).toEqual(["refused"]);
      expect(result.retryMessages).toEqual([]);
      expect(after.deadLettered).toBe(1);
      expect(after.lastDeadLetter?.changeId).toBe(`${articleId}-1`);
    },
  );

  it.each(rows(LOCAL_ONLY))("with ALLOW_LOOPBACK off, a delivery to a stored %s URL (%s) is never sent", async (_, url) => {
    const { result, after } = await deliverTo(url, PRODUCTION);
    expect(requested).toEqual([]);
    expect(result.explicitAcks).toEqual(["refused"]);
    expect(after.deadLettered).toBe(1);
  });
});
