import { Hono } from "hono";
import { articles } from "./api/articles";
import { changes } from "./api/changes";
import { handleError, problemResponse } from "./api/problem";
import { status } from "./api/status";
import { memento, warc } from "./archive/routes";
import { feeds } from "./feeds/routes";
import type { Env } from "./env";
import { subscriptions } from "./webhooks/routes";

export const app = new Hono<{ Bindings: Env }>();

app.route("/api/articles", articles);
app.route("/api/changes", changes);
app.route("/api/status", status);
app.route("/api/subscriptions", subscriptions);
app.route("/api", warc);
app.route("/feeds", feeds);
app.route("/", memento);

app.get("/", (c) =>
  c.json({
    name: "Redline",
    description: "Tracks edits to news articles.",
    endpoints: ["/api/articles", "/api/changes", "/api/status", "/api/warc?since=", "/feeds/changes.atom", "/feeds/changes.rss", "/feeds/changes.json"],
  }),
);

app.notFound((c) => problemResponse(404, `No route for ${c.req.method} ${c.req.path}.`));
app.onError(handleError);
