import { Hono } from "hono";
import type { AppEnv } from "../app-env";

export const status = new Hono<AppEnv>();

status.get("/", async (c) => {
  const { store, sources } = c.var.tracker;
  // Six statements whatever the number of articles or checks: the `article_stats` row (kept by
  // triggers, so no article row is read), two `runs` rows, one batch over the per-minute
  // counters and the dead-letter counter, and one aggregate over the sources (a row each; few).
  const [counts, lastDispatch, lastCronRun, queue, sourceCounts] = await Promise.all([
    store.articleCounts(),
    store.getDispatch(),
    store.getCronRun(),
    store.queueStats(Date.now()),
    sources.counts(),
  ]);
  return c.json({
    articles: counts.articles,
    sources: sourceCounts,
    versions: counts.versions,
    changes: counts.changes,
    lastDispatch,
    checks: {
      completedLastHour: queue.lastHour,
      completedLast24h: queue.last24h,
      deadLettered: queue.deadLettered,
      lastDeadLetter: queue.lastDeadLetter,
    },
    lastCronRun,
  });
});
