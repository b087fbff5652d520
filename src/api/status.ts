import { Hono } from "hono";
import type { Env } from "../env";
import { trackerFor } from "../tracking";

export const status = new Hono<{ Bindings: Env }>();

status.get("/", async (c) => {
  const store = trackerFor(c.env).store;
  const articles = { total: 0, tracking: 0, active: 0, removed: 0, failing: 0 };
  let versions = 0;
  let changeCount = 0;
  for await (const entry of store.scanArticleIndex()) {
    articles.total++;
    if (entry.tracking) articles.tracking++;
    articles[entry.status]++;
    versions += entry.versionCount;
    changeCount += entry.changeCount;
  }
  return c.json({ articles, versions, changes: changeCount, lastCronRun: await store.getCronRun() });
});
