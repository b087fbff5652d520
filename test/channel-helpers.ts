/**
 * Driving the webhook queue by hand, for the channel tests (test/webhooks.test.ts,
 * channels.test.ts, channels-social.test.ts): the worker's send and sendBatch to redline-webhooks
 * are spied on and kept from the real queue, and each test hands the captured messages to the
 * consumer with the pool's queue helpers, so nothing is delivered behind a test's back.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi, type MockInstance } from "vitest";
import type { Env } from "../src/env";
import worker from "../src/index";
import type { WebhookMessage } from "../src/queues/messages";
import { QUEUES } from "../src/queues/names";

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
      for (const message of messages) record(message.body);
      return SENT;
    }),
  ];
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
