/**
 * The consumer of `redline-checks` and of its dead-letter queue. The queue carries three message
 * types, routed on `type`: `check` (one article: claim its host — a compare-and-set on
 * `hosts.next_allowed_at`, in the same D1 round trip that reads the head — then `checkArticle`,
 * the one commit path the API uses too), `source` and `discover` (src/queues/sources.ts). At most
 * CHECK_CONCURRENCY (≤ 6) messages run at once, whatever their type.
 */
import { sourceCheckerFor, type SourceChecker } from "../discovery/check-source";
import type { Env } from "../env";
import { DUE_TOLERANCE_MS } from "../scheduling";
import { checkArticle, scaleSettings, trackerFor } from "../tracking";
import type { Tracker } from "../tracking/check";
import type { ChecksQueueMessage, CheckMessage } from "./messages";
import { consumeDiscover, consumeSourceCheck, waitFor, type ConsumedMessage } from "./sources";

/** What became of one message. `wait`: the host was not free yet; the message was sent again with that delay. */
export type CheckMessageResult = ConsumedMessage;

/** A crashed check is retried by the queue after 30 s, 60 s, 120 s … up to 1 h (`max_retries` in wrangler.toml, then the DLQ). */
export function crashRetryDelaySeconds(attempts: number): number {
  return Math.min(30 * 2 ** Math.max(0, attempts - 1), 3600);
}

async function forEachWithLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/** One message: claim the host, then check; never throws for a check that merely failed (that is a committed outcome). */
export async function consumeCheck(tracker: Tracker, message: CheckMessage, minHostIntervalMs: number): Promise<CheckMessageResult> {
  // The dispatcher's time plus the message's delay, or later: a tick run "as of" a time checks as of that time.
  const nowMs = Math.max(Date.now(), message.notBefore);
  try {
    const { claimed, head } = await tracker.store.claimHostAndReadHead(message.articleId, message.host, nowMs, nowMs + DUE_TOLERANCE_MS, minHostIntervalMs);
    if (!head) return { kind: "skipped", why: "gone" };
    if (!head.article.tracking) return { kind: "skipped", why: "not-tracked" };
    // Checked meanwhile (by the API, or a duplicate message): nothing to do until it is due again.
    if (Date.parse(head.article.nextCheckAt) > nowMs + DUE_TOLERANCE_MS) return { kind: "skipped", why: "not-due" };
    // A short wait is a new message with that delay (not a retry: it does not count towards
    // max_retries); a long one (a Retry-After push-back) is left to the dispatcher, which
    // sends the article again once the host's budget allows, after the lease expires.
    if (!claimed) return waitFor(head.host?.nextAllowedAt ?? nowMs, nowMs);
    const result = await checkArticle(tracker, head, nowMs);
    return { kind: "checked", outcome: result.outcome };
  } catch (error) {
    return { kind: "crashed", error: error instanceof Error ? error.message : String(error) };
  }
}

/** Routes one message of `redline-checks` on its type. */
function consume(checker: SourceChecker, body: ChecksQueueMessage): Promise<CheckMessageResult> {
  switch (body.type) {
    case "check":
      return consumeCheck(checker.tracker, body, checker.minHostIntervalMs);
    case "source":
      return consumeSourceCheck(checker, body);
    case "discover":
      return consumeDiscover(checker, body);
  }
}

/** What a log line and the dead-letter record name a message by. */
function subjectOf(body: ChecksQueueMessage): Record<string, string> {
  switch (body.type) {
    case "check":
      return { articleId: body.articleId };
    case "source":
      return { sourceId: body.sourceId };
    case "discover":
      return { sourceId: body.sourceId, url: body.url };
  }
}

export async function handleCheckBatch(batch: MessageBatch<ChecksQueueMessage>, env: Env): Promise<void> {
  const tracker = trackerFor(env);
  const settings = scaleSettings(env);
  const checker = sourceCheckerFor(env, tracker);
  const tally = new Map<string, number>();
  const count = (outcome: string) => tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  let latest = 0;
  await forEachWithLimit(batch.messages, settings.parallelChecks, async (message) => {
    const result = await consume(checker, message.body);
    latest = Math.max(latest, Date.now(), message.body.notBefore);
    switch (result.kind) {
      case "checked":
        count(result.outcome);
        message.ack();
        return;
      case "skipped":
        count("skipped");
        message.ack();
        return;
      case "deferred":
        message.ack();
        return;
      case "wait": {
        const body: ChecksQueueMessage = { ...message.body, notBefore: Math.max(Date.now(), message.body.notBefore) + result.delaySeconds * 1000 };
        try {
          await env.CHECKS!.send(body, { delaySeconds: result.delaySeconds });
          message.ack();
        } catch {
          message.retry({ delaySeconds: result.delaySeconds });
        }
        return;
      }
      case "crashed":
        count("crashed");
        console.error(JSON.stringify({ event: "check-crashed", type: message.body.type, ...subjectOf(message.body), attempts: message.attempts, error: result.error }));
        message.retry({ delaySeconds: crashRetryDelaySeconds(message.attempts) });
        return;
    }
  });
  try {
    await tracker.store.countChecks(Math.floor(latest / 60_000), tally);
  } catch (error) {
    // Counters are for the status page; a failure to count must not re-run the checks.
    console.error(JSON.stringify({ event: "check-count-failed", error: String(error) }));
  }
}

/**
 * `redline-checks-dlq`: a message that exhausted its retries. Counted (shown in /api/status). An
 * article's or a source's lease expires and it is dispatched again; a discovered entry stays
 * `queued` and its source's next check sends it again.
 */
export async function handleCheckDeadLetters(batch: MessageBatch<ChecksQueueMessage>, env: Env): Promise<void> {
  const store = trackerFor(env).store;
  for (const message of batch.messages) {
    await store.recordCheckDeadLetter({ type: message.body.type, ...subjectOf(message.body), attempts: message.attempts, at: new Date().toISOString() });
    message.ack();
  }
}
