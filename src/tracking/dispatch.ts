/**
 * The Cron Trigger as a dispatcher: it checks nothing itself. Each tick leases the due articles
 * it may send (most overdue first, each host within its budget) in ONE D1 batch, sends one
 * message per article to `redline-checks` (≤ 100 per sendBatch), each host's messages spaced by
 * the host's interval with `delaySeconds`, and books the hosts and records the tick in a second
 * batch. Consumers (src/queues/checks.ts) run the checks through the same commit path as the API.
 */
import { QUEUE_MAX_DELAY_SECONDS, SEND_BATCH_LIMIT } from "../queues/names";
import type { CheckMessage } from "../queues/messages";
import { DUE_TOLERANCE_MS } from "../scheduling";
import type { DispatchRecord } from "../storage/records";
import type { RedlineStore } from "../storage/store";

/** Checks one tick sends at most (`DISPATCH_BATCH`): 5 sendBatch calls and 2 D1 batches, within the Free plan's 50 subrequests. */
export const DEFAULT_DISPATCH_BATCH = 500;
/**
 * A host's budget per tick: the requests, spaced by its interval, that start before the next
 * tick (the cron runs every 15 minutes). The rest of its due articles wait for a later tick, in
 * their place.
 */
export const DISPATCH_WINDOW_MS = 15 * 60 * 1000;
/**
 * A lease outlives the tick's window by this much: the time a consumer gets to claim the host,
 * check, and commit (which clears the lease), including a few queue retries. A lease that
 * expires makes the article due again, so a lost message or a crashed consumer loses nothing.
 */
export const LEASE_GRACE_MS = 60 * 60 * 1000;
/** Counters of completed checks are kept this long (/api/status shows the last 24 h). */
const COUNTS_KEPT_MINUTES = 25 * 60;

export interface DispatchSettings {
  batch: number;
  minHostIntervalMs: number;
}

export async function dispatchDueChecks(
  store: RedlineStore,
  queue: Queue<CheckMessage> | undefined,
  scheduledTime: number,
  settings: DispatchSettings,
): Promise<DispatchRecord> {
  const startedWallClock = Date.now();
  const { due, leased, eligible, plan } = await store.leaseDue(scheduledTime, scheduledTime + DUE_TOLERANCE_MS, {
    limit: settings.batch,
    windowMs: DISPATCH_WINDOW_MS,
    defaultIntervalMs: settings.minHostIntervalMs,
    leaseUntil: scheduledTime + DISPATCH_WINDOW_MS + LEASE_GRACE_MS,
  });

  const messages: Array<MessageSendRequest<CheckMessage>> = plan.map((slot) => {
    // Rounded up, so two requests to one host are never closer than its interval.
    const delaySeconds = Math.min(Math.ceil(slot.delayMs / 1000), QUEUE_MAX_DELAY_SECONDS);
    return {
      body: { type: "check", articleId: slot.articleId, host: slot.host, notBefore: scheduledTime + delaySeconds * 1000 },
      ...(delaySeconds > 0 ? { delaySeconds } : {}),
    };
  });
  let sent = 0;
  let sendBatches = 0;
  let error: string | undefined;
  if (messages.length > 0 && !queue) error = "no CHECKS queue binding: nothing was sent (the articles stay leased until the lease expires)";
  for (let start = 0; queue && start < messages.length; start += SEND_BATCH_LIMIT) {
    const chunk = messages.slice(start, start + SEND_BATCH_LIMIT);
    try {
      sendBatches++;
      await queue.sendBatch(chunk);
      sent += chunk.length;
    } catch (failure) {
      // The unsent articles stay leased; when the lease expires they are due again.
      error = `sendBatch failed after ${sent} messages: ${failure instanceof Error ? failure.message : String(failure)}`;
      break;
    }
  }
  if (error) console.error(JSON.stringify({ event: "dispatch-failed", error }));

  // Each host is booked to the end of its last slot, so the next tick spaces after it.
  const bookings = new Map<string, number>();
  for (const slot of plan) bookings.set(slot.host, Math.max(bookings.get(slot.host) ?? 0, scheduledTime + slot.delayMs + slot.intervalMs));

  const unleased = due - leased;
  const record: DispatchRecord = {
    at: new Date(scheduledTime).toISOString(),
    // workerd's clock advances only across I/O, which is what a tick spends its time on.
    finishedAt: new Date(scheduledTime + (Date.now() - startedWallClock)).toISOString(),
    due,
    dispatched: sent,
    deferred: due - sent,
    deferredBy: { lease: leased, politeness: unleased - eligible, batchCap: eligible - plan.length + (plan.length - sent) },
    sendBatches,
    ...(error ? { error } : {}),
  };
  await store.finishDispatch([...bookings].map(([host, until]) => ({ host, until })), record, Math.floor(scheduledTime / 60_000) - COUNTS_KEPT_MINUTES);
  return record;
}
