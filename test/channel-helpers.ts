/**
 * Driving the webhook queue by hand, for the channel tests (test/webhooks.test.ts,
 * channels.test.ts, channels-social.test.ts, deliveries.test.ts): the worker's send and sendBatch
 * to redline-webhooks are spied on and kept from the real queue, and each test hands the captured
 * messages to the consumer with the pool's queue helpers, so nothing is delivered behind a test's
 * back. `useChannelBed` is the setup those files share.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi, type MockInstance } from "vitest";
import type { Env } from "../src/env";
import worker from "../src/index";
import type { WebhookMessage } from "../src/queues/messages";
import { QUEUES } from "../src/queues/names";
import { reset, SEED_URLS, trackFirst } from "./helpers";

/** What a queue answers a send with; nothing here reads it. */
const SENT = { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };

/**
 * Spies on env.WEBHOOKS's send and sendBatch, handing `record` each message's body in order (and
 * a send's delay); the spies, for the test's afterEach to restore.
 */
export function captureWebhooks(record: (body: WebhookMessage, delaySeconds?: number) => void): MockInstance[] {
  return [
    vi.spyOn(env.WEBHOOKS!, "send").mockImplementation(async (body, options) => {
      record(body, options?.delaySeconds);
      return SENT;
    }),
    vi.spyOn(env.WEBHOOKS!, "sendBatch").mockImplementation(async (messages) => {
      for (const message of messages) record(message.body, message.delaySeconds);
      return SENT;
    }),
  ];
}

/** What `useChannelBed` keeps for a test file's tests. */
export interface ChannelBed<Q> {
  /**
   * Every message the worker sent to the webhook queue since the test's article was tracked, in
   * order: one array for the whole file, emptied in place before each test, so a file may alias it.
   */
  readonly queued: Q[];
  /** A subscription needs a tracked article; every test starts from the Yonhap article at version 1. */
  readonly articleId: string;
}

/**
 * Registers (at a test file's top level or in a describe) the channel tests' beforeEach: the
 * webhook queue captured into `queued` (each message as `entry` makes it; the body by default),
 * the bindings reset, `resetFakes` run (the loopback fakes the file talks to), the Yonhap article
 * tracked and what tracking queued dropped; and the afterEach that restores the queue's spies.
 */
export function useChannelBed(resetFakes?: () => Promise<unknown>): ChannelBed<WebhookMessage>;
export function useChannelBed<Q>(resetFakes: (() => Promise<unknown>) | undefined, entry: (body: WebhookMessage, delaySeconds?: number) => Q): ChannelBed<Q>;
export function useChannelBed(
  resetFakes?: () => Promise<unknown>,
  entry: (body: WebhookMessage, delaySeconds?: number) => unknown = (body) => body,
): ChannelBed<unknown> {
  const bed = { queued: [] as unknown[], articleId: "" };
  let spies: MockInstance[] = [];
  beforeEach(async () => {
    bed.queued.length = 0;
    spies = captureWebhooks((body, delaySeconds) => bed.queued.push(entry(body, delaySeconds)));
    await reset();
    await resetFakes?.();
    bed.articleId = await trackFirst(SEED_URLS.yonhap);
    bed.queued.length = 0;
  });
  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
  });
  return bed;
}

/** Runs the consumer over `messages` on `queue` and returns the pool's result with the delay of each retry. */
export async function runConsumer(messages: Array<{ id: string; attempts: number; body: WebhookMessage }>, bindings: Env = env, queue: string = QUEUES.webhooks) {
  const batch = createMessageBatch<WebhookMessage>(queue, messages.map((message) => ({ ...message, timestamp: new Date() })));
  const retries = batch.messages.map((message) => vi.spyOn(message, "retry"));
  const ctx = createExecutionContext();
  await (worker as ExportedHandler<Env>).queue?.(batch, bindings, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryDelays: retries.flatMap((retry) => retry.mock.calls.map(([options]) => options?.delaySeconds)) };
}

/** Asks a loopback fake (test/fakes/*.mjs) at `origin` for its `path`: a GET, or a POST of `body` as JSON. */
// The fakes answer whatever their tests read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function command(origin: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${origin}/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  return response.json();
}
