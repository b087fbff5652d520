/**
 * The Cron Trigger: find the articles due at `scheduledTime` and check them, most overdue first.
 */
import { DUE_TOLERANCE_MS } from "../scheduling";
import type { CronRunRecord } from "../storage/records";
import { checkArticle, type Tracker } from "./check";

/**
 * A Worker invocation has a budget of subrequests (fetches, D1 and KV calls); a changed check
 * costs about six (fetch, snapshot read, revert query, two KV writes, one D1 batch). Articles beyond this cap stay due and are taken by the next run.
 */
export const DEFAULT_MAX_CHECKS_PER_RUN = 40;
/** Workers allow six connections open at once per invocation. */
const PARALLEL_CHECKS = 6;

async function forEachWithLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function runScheduledChecks(tracker: Tracker, scheduledTime: number, maxChecks: number): Promise<CronRunRecord> {
  const startedWallClock = Date.now();
  // One query: the due articles' heads, most overdue first (index on tracking, next_check_at).
  const { due, heads } = await tracker.store.dueArticles(scheduledTime + DUE_TOLERANCE_MS, maxChecks);

  let checked = 0;
  let changed = 0;
  let failed = 0;
  await forEachWithLimit(heads, PARALLEL_CHECKS, async (head) => {
    const id = head.article.id;
    try {
      const result = await checkArticle(tracker, head, scheduledTime);
      checked++;
      if (result.changed) changed++;
      if (result.outcome === "failed" || result.outcome === "missing") failed++;
    } catch (error) {
      // One article's storage error must not stop the others; it stays due for the next run.
      checked++;
      failed++;
      console.error(JSON.stringify({ event: "check-crashed", articleId: id, error: String(error) }));
    }
  });

  const run: CronRunRecord = {
    startedAt: new Date(scheduledTime).toISOString(),
    // workerd's clock advances only across I/O, which is exactly what a run spends its time on.
    finishedAt: new Date(scheduledTime + (Date.now() - startedWallClock)).toISOString(),
    due,
    checked,
    changed,
    failed,
    deferred: due - heads.length,
  };
  await tracker.store.putCronRun(run);
  return run;
}
