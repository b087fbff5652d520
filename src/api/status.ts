import { Hono } from "hono";
import type { AppEnv } from "../app-env";

export const status = new Hono<AppEnv>();

status.get("/", async (c) => {
  const store = c.var.tracker.store;
  // Five statements whatever the number of articles or checks: the `article_stats` row (kept by
  // triggers, so no article row is read), two `runs` rows, and one batch over the per-minute
  // counters and the dead-letter counter.
  const [counts, lastDispatch, lastCronRun, queue] = await Promise.all([store.articleCounts(), store.getDispatch(), store.getCronRun(), store.queueStats(Date.now())]);
  return c.json({
    articles: counts.articles,
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
