import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { cursorParam, instantParam, pageSize } from "./params";

export const changes = new Hono<AppEnv>();

changes.get("/", async (c) => {
  const limit = pageSize(c.req.query("limit"));
  const since = instantParam(c.req.query("since"), "since");
  const page = await c.var.tracker.store.listChanges({ limit, cursor: cursorParam(c.req.query("cursor")), sinceMs: since });
  return c.json(page);
});
