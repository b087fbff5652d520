/**
 * The Cron Trigger as a dispatcher: it checks nothing itself. Each tick leases the due sources
 * (feeds, sitemaps, section pages: discovery, issue 14) and then the due articles it may send,
 * most overdue first, each host within its budget: a source is a request to its host like any
 * other, so its slots are booked on the host (a second batch, only when a source was leased)
 * before the articles are planned after them, in ONE D1 batch. It sends one message per source
 * and article to `redline-checks` (≤ 100 per sendBatch), each host's messages spaced by the
 * host's interval with `delaySeconds`, and books the hosts and records the tick in a last batch.
 * Consumers (src/queues/checks.ts) run the checks through the same commit paths as the API.
 *
 * Source entries whose first capture has not landed (`queued` past their `retry_at`: the
 * message lost, dead-lettered, or never sent) or is to be retried (`failed` past it) are sent
 * again here too, like an article whose lease expired, whatever their source answers: read in
 * the sources' batch (at most DISPATCH_ENTRIES, oldest first, of sources not paused), spaced per
 * host after what the sources booked exactly as a source check spaces its entries
 * (`spaceDiscoveries`, with the hosts' rows read in the booking batch), then moved — `queued`,
 * `retry_at` = slot + QUEUED_RESEND_AFTER_MS, a compare-and-set on the `retry_at` read — with
 * their hosts booked, in one batch before the articles are planned and before anything is sent.
 * A crash after that batch and before the send delays those entries by one resend period and
 * loses none.
 */
import { QUEUED_RESEND_AFTER_MS, spaceDiscoveries } from "../discovery/plan";
import { QUEUE_MAX_DELAY_SECONDS, SEND_BATCH_LIMIT } from "../queues/names";
import type { ChecksQueueMessage } from "../queues/messages";
import { DUE_TOLERANCE_MS } from "../scheduling";
import type { DispatchRecord } from "../storage/records";
import { entryKey, type SourceChecks } from "../storage/source-checks";
import type { RedlineStore } from "../storage/store";
import { DELIVERIES_KEPT_MS } from "../storage/subscriptions";

/** Messages one tick sends at most (`DISPATCH_BATCH`: sources, entries, articles): 5 sendBatch calls and at most 5 D1 batches, within the Free plan's 50 subrequests. */
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
/**
 * Source entries one tick sends again at most (`queued` or `failed` past their `retry_at`),
 * oldest first, taken from the batch before the articles; the rest wait for later ticks.
 */
export const DISPATCH_ENTRIES = 100;
/** Counters of completed checks are kept this long (/api/status shows the last 24 h). */
const COUNTS_KEPT_MINUTES = 25 * 60;

export interface DispatchSettings {
  batch: number;
  minHostIntervalMs: number;
}

/** Whole seconds, rounded up so two requests to one host are never closer than its interval. */
function delayOf(delayMs: number): number {
  return Math.min(Math.ceil(delayMs / 1000), QUEUE_MAX_DELAY_SECONDS);
}

export async function dispatchDueChecks(
  store: RedlineStore,
  queue: Queue<ChecksQueueMessage> | undefined,
  scheduledTime: number,
  settings: DispatchSettings,
  sourceChecks?: SourceChecks,
): Promise<DispatchRecord> {
  const startedWallClock = Date.now();
  const leaseSettings = {
    limit: settings.batch,
    windowMs: DISPATCH_WINDOW_MS,
    defaultIntervalMs: settings.minHostIntervalMs,
    leaseUntil: scheduledTime + DISPATCH_WINDOW_MS + LEASE_GRACE_MS,
  };
  const sources = sourceChecks
    ? await sourceChecks.leaseDueSources(scheduledTime, scheduledTime + DUE_TOLERANCE_MS, leaseSettings, Math.min(DISPATCH_ENTRIES, settings.batch))
    : { due: 0, leased: 0, plan: [], entries: { due: 0, rows: [] } };
  // Each host is booked to the end of its last slot, so the articles (and the next tick) space after it.
  const bookings = new Map<string, number>();
  const bookUntil = (host: string, until: number) => bookings.set(host, Math.max(bookings.get(host) ?? 0, until));
  const book = (slot: { host: string; delayMs: number; intervalMs: number }) => bookUntil(slot.host, scheduledTime + slot.delayMs + slot.intervalMs);
  sources.plan.forEach(book);

  // The due entries, within what the sources left of the batch, spaced after the sources' slots.
  const dueEntries = sources.entries.rows.slice(0, Math.max(settings.batch - sources.plan.length, 0));
  const hosts =
    sourceChecks && (bookings.size > 0 || dueEntries.length > 0)
      ? await sourceChecks.bookHosts(
          [...bookings].map(([host, until]) => ({ host, until })),
          [...new Set(dueEntries.map((entry) => entry.host))],
        )
      : new Map();
  const spaced = spaceDiscoveries(dueEntries, hosts, scheduledTime, settings.minHostIntervalMs);
  const moved = sourceChecks
    ? await sourceChecks.resendEntries(
        dueEntries.map((entry, i) => ({ sourceId: entry.sourceId, url: entry.url, expect: entry.retryAt, retryAt: spaced.slots[i]!.notBefore + QUEUED_RESEND_AFTER_MS })),
        [...spaced.bookings].map(([host, until]) => ({ host, until })),
      )
    : new Set<string>();
  const resent = dueEntries.flatMap((entry, i) => (moved.has(entryKey(entry.sourceId, entry.url)) ? [{ entry, slot: spaced.slots[i]! }] : []));
  for (const [host, until] of spaced.bookings) bookUntil(host, until);

  const { due, leased, eligible, plan } = await store.leaseDue(scheduledTime, scheduledTime + DUE_TOLERANCE_MS, {
    ...leaseSettings,
    limit: Math.max(settings.batch - sources.plan.length - resent.length, 0),
  });

  const messages: Array<MessageSendRequest<ChecksQueueMessage>> = [
    ...sources.plan.map((slot) => {
      const delaySeconds = delayOf(slot.delayMs);
      return {
        body: { type: "source" as const, sourceId: slot.sourceId, host: slot.host, notBefore: scheduledTime + delaySeconds * 1000, reason: "schedule" as const },
        ...(delaySeconds > 0 ? { delaySeconds } : {}),
      };
    }),
    ...resent.map(({ entry, slot }) => ({
      body: {
        type: "discover" as const,
        sourceId: entry.sourceId,
        url: entry.url,
        host: entry.host,
        entryTitle: entry.entryTitle,
        foundAt: entry.foundAt,
        notBefore: slot.notBefore,
      },
      ...(slot.delaySeconds > 0 ? { delaySeconds: slot.delaySeconds } : {}),
    })),
    ...plan.map((slot) => {
      const delaySeconds = delayOf(slot.delayMs);
      return {
        body: { type: "check" as const, articleId: slot.articleId, host: slot.host, notBefore: scheduledTime + delaySeconds * 1000 },
        ...(delaySeconds > 0 ? { delaySeconds } : {}),
      };
    }),
  ];
  let sent = 0;
  let sendBatches = 0;
  let error: string | undefined;
  if (messages.length > 0 && !queue) error = "no CHECKS queue binding: nothing was sent (the articles and sources stay leased until the lease expires, the entries queued until their retry time)";
  for (let start = 0; queue && start < messages.length; start += SEND_BATCH_LIMIT) {
    const chunk = messages.slice(start, start + SEND_BATCH_LIMIT);
    try {
      sendBatches++;
      await queue.sendBatch(chunk);
      sent += chunk.length;
    } catch (failure) {
      // The unsent articles and sources stay leased; when the lease expires they are due again (entries: at their new retry_at).
      error = `sendBatch failed after ${sent} messages: ${failure instanceof Error ? failure.message : String(failure)}`;
      break;
    }
  }
  if (error) console.error(JSON.stringify({ event: "dispatch-failed", error }));

  plan.forEach(book);
  // Sources are sent first, then entries, then articles: those sent of each kind.
  const sourcesSent = Math.min(sent, sources.plan.length);
  const entriesSent = Math.min(sent - sourcesSent, resent.length);
  const articlesSent = sent - sourcesSent - entriesSent;
  const unleased = due - leased;
  const record: DispatchRecord = {
    at: new Date(scheduledTime).toISOString(),
    // workerd's clock advances only across I/O, which is what a tick spends its time on.
    finishedAt: new Date(scheduledTime + (Date.now() - startedWallClock)).toISOString(),
    due,
    dispatched: articlesSent,
    deferred: due - articlesSent,
    deferredBy: { lease: leased, politeness: unleased - eligible, batchCap: eligible - plan.length + (plan.length - articlesSent) },
    sendBatches,
    sources: { due: sources.due, dispatched: sourcesSent, deferred: sources.due - sourcesSent, leased: sources.leased },
    entries: { due: sources.entries.due, resent: entriesSent },
    ...(error ? { error } : {}),
  };
  await store.finishDispatch([...bookings].map(([host, until]) => ({ host, until })), record, Math.floor(scheduledTime / 60_000) - COUNTS_KEPT_MINUTES, scheduledTime - DELIVERIES_KEPT_MS);
  return record;
}
