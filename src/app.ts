import { Hono } from "hono";
import { admin } from "./api/admin";
import { articles } from "./api/articles";
import { changes } from "./api/changes";
import { handleError, problemResponse } from "./api/problem";
import { status } from "./api/status";
import { memento, warc } from "./archive/routes";
import { feeds } from "./feeds/routes";
import type { Env } from "./env";
import { web } from "./web/routes";
import { subscriptions } from "./webhooks/routes";

export const app = new Hono<{ Bindings: Env }>();

app.route("/api/admin", admin);
app.route("/api/articles", articles);
app.route("/api/changes", changes);
app.route("/api/status", status);
app.route("/api/subscriptions", subscriptions);
app.route("/api", warc);
app.route("/feeds", feeds);
app.route("/", memento);
// The HTML pages; after the routes above, none of which they overlap.
app.route("/", web);

app.notFound((c) => problemResponse(404, `No route for ${c.req.method} ${c.req.path}.`));
app.onError(handleError);
