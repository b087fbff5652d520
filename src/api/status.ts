import { Hono } from "hono";
import type { Env } from "../env";
import { trackerFor } from "../tracking";

export const status = new Hono<{ Bindings: Env }>();

status.get("/", async (c) => {
  const store = trackerFor(c.env).store;
  // Two statements whatever the number of articles: one aggregate, one row.
  const [counts, lastCronRun] = await Promise.all([store.articleCounts(), store.getCronRun()]);
  return c.json({ articles: counts.articles, versions: counts.versions, changes: counts.changes, lastCronRun });
});
