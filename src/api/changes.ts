import { Hono } from "hono";
import type { Env } from "../env";
import { trackerFor } from "../tracking";
import { cursorParam, instantParam, pageSize } from "./params";

export const changes = new Hono<{ Bindings: Env }>();

changes.get("/", async (c) => {
  const limit = pageSize(c.req.query("limit"));
  const since = instantParam(c.req.query("since"), "since");
  const page = await trackerFor(c.env).store.listChanges({ limit, cursor: cursorParam(c.req.query("cursor")), sinceMs: since });
  return c.json(page);
});
