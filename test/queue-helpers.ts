/**
 * Driving the checks queue by hand: the dispatcher's sendBatch (and a consumer's re-send) are
 * spied on and kept from the real queue, and the captured messages are handed to the consumer
 * with the pool's queue helpers, so nothing is checked behind a test's back and no test waits.
 */
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi, type MockInstance } from "vitest";
import type { Env } from "../src/env";
import worker from "../src/index";
import type { ChecksQueueMessage } from "../src/queues";
import { QUEUES } from "../src/queues/names";

export interface Queued {
  body: ChecksQueueMessage;
  delaySeconds: number;
}

/** What a queued message names: an article check its article, a source check its source, a discovered entry its URL. */
export function subjectOf({ body }: Queued): string {
  return body.type === "check" ? body.articleId : body.type === "source" ? body.sourceId : body.url;
}

/** What a queue answers a send with; nothing here reads it. */
const SENT = { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };

export interface CapturedChecks {
  /** Every message sent to redline-checks, in order, not yet drained. */
  pending: Queued[];
  /** The size of each sendBatch call. */
  batches: number[];
  /** Messages a consumer sent again (host not free yet), with their delay. */
  resent: Queued[];
  spies: MockInstance[];
}

/** Spies on env.CHECKS (or the given env's) send and sendBatch. */
export function captureChecks(target: Env = env): CapturedChecks {
  const captured: CapturedChecks = { pending: [], batches: [], resent: [], spies: [] };
  captured.spies = [
    vi.spyOn(target.CHECKS!, "sendBatch").mockImplementation(async (messages) => {
      const list = [...messages].map((m) => ({ body: m.body as ChecksQueueMessage, delaySeconds: m.delaySeconds ?? 0 }));
      captured.batches.push(list.length);
      captured.pending.push(...list);
      return SENT;
    }),
    vi.spyOn(target.CHECKS!, "send").mockImplementation(async (body, options) => {
      const queued = { body: body as ChecksQueueMessage, delaySeconds: options?.delaySeconds ?? 0 };
      captured.resent.push(queued);
      captured.pending.push(queued);
      return SENT;
    }),
  ];
  return captured;
}

/** One cron tick as of `scheduledTime`. */
export async function tick(scheduledTime: number, target: Env = env): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: "*/15 * * * *" });
  await worker.scheduled(controller, target);
}

let nextId = 0;

/** Runs one consumer invocation over `messages` on `queue`; returns the pool's result and each retry's delay. */
export async function consume(messages: Array<{ body: ChecksQueueMessage; attempts?: number }>, queue: string = QUEUES.checks, target: Env = env) {
  const batch = createMessageBatch<ChecksQueueMessage>(
    queue,
    messages.map((message) => ({ id: `m${++nextId}`, timestamp: new Date(), attempts: message.attempts ?? 1, body: message.body })),
  );
  const retries = batch.messages.map((message) => vi.spyOn(message, "retry"));
  const ctx = createExecutionContext();
  await (worker as ExportedHandler<Env>).queue?.(batch, target, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryDelays: retries.flatMap((retry) => retry.mock.calls.map(([options]) => options?.delaySeconds)) };
}

/** Hands every pending message to the consumer, `batchSize` at a time, until none is left (re-sent ones included); returns the invocations' results. */
export async function drain(captured: CapturedChecks, batchSize = 10, target: Env = env) {
  const results = [];
  while (captured.pending.length > 0) {
    const messages = captured.pending.splice(0, batchSize);
    results.push(await consume(messages, QUEUES.checks, target));
  }
  return results;
}
