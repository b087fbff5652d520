import { Hono } from "hono";
import { contextStorage } from "hono/context-storage";
import { METHODS } from "hono/router";
import { admin } from "./api/admin";
import { csrfGuard, feedLinksWithToken, identify, privateRead } from "./auth/middleware";
import { auth } from "./auth/routes";
import { articles } from "./api/articles";
import { changes } from "./api/changes";
import { handleError, problem, problemResponse } from "./api/problem";
import { sources, sourcesOpml } from "./api/sources";
import { search } from "./api/search";
import { status } from "./api/status";
import { memento, warc } from "./archive/routes";
import { images } from "./image/routes";
import { feeds } from "./feeds/routes";
import type { AppEnv } from "./app-env";
import { trackerFor } from "./tracking";
import { web, webErrorResponse } from "./web/routes";
import { adminPages } from "./web/admin/routes";
import { adminSubscriptions } from "./web/admin/subscriptions";
import { subscriptions } from "./channels/routes";
import { websub } from "./api/websub";
import { quoteInput } from "./quote";

export const app = new Hono<AppEnv>();

// The request's tracker, built once before any route runs; every handler reads `c.var.tracker`.
app.use("*", async (c, next) => {
  c.set("tracker", trackerFor(c.env));
  await next();
});
// Who is asking (c.var.user), then: no cross-site writes, no reads of a private archive without a
// user or feed token, and a private archive's feed links carrying the user's token.
// The pages' header reads the user through context storage (src/auth/nav.tsx), so no page passes it on.
app.use("*", contextStorage(), identify, csrfGuard, privateRead, feedLinksWithToken);

app.route("/api/admin", admin);
app.route("/api/articles", articles);
app.route("/api/changes", changes);
// /api/sources.opml first: it is not an id under /api/sources.
app.route("/api", sourcesOpml);
app.route("/api/sources", sources);
app.route("/api/search", search);
app.route("/api/status", status);
app.route("/api/subscriptions", subscriptions);
app.route("/api", warc);
app.route("/feeds", feeds);
app.route("/websub", websub);
app.route("/", memento);
// Sign-in, sign-out and the account page: paths the HTML pages below do not have.
app.route("/", auth);
// The diff pages' images (…/diff/1..2/image.svg, image.png), before the pages, whose diff route they extend.
app.route("/", images);
// The admin pages' forms (/admin/…), before the pages: none of their paths overlap.
app.route("/", adminPages);
app.route("/", adminSubscriptions);
// The HTML pages; after the routes above, none of which they overlap.
app.route("/", web);

/**
 * The methods `hono`'s routes answer at `path`, as a 405's `Allow` names them: HEAD after GET,
 * since hono answers HEAD with the GET route. Middleware (`use`, method ALL) is not a route.
 */
function allowedMethods(hono: Hono<AppEnv>, path: string): string[] {
  return METHODS.map((name) => name.toUpperCase())
    .filter((method) => hono.router.match(method, path)[0].some(([[, route]]) => route.method === method))
    .flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method]));
}

// No handler answered: either no route has this path (404) or none has it for this method (405).
app.notFound((c) => {
  const { method, path } = c.req;
  const allowed = allowedMethods(app, path);
  if (allowed.length === 0) return problemResponse(404, `No route for ${method} ${quoteInput(path)}.`);
  const refusal = problem(405, `${method} is not allowed on ${quoteInput(path)}; it answers ${allowed.join(", ")}.`, { Allow: allowed.join(", ") });
  // A page's refusal is an HTML page for browsers, as the pages' other errors are.
  return [web, adminPages, adminSubscriptions].some((pages) => allowedMethods(pages, path).length > 0) ? webErrorResponse(refusal, c) : refusal.getResponse();
});
app.onError(handleError);
