/**
 * The admin pages (`/admin/…`): forms for what the API's writes do, through the same functions
 * (trackUrl, addSource, untrack, checkNow, updateSource, checkSourceAt, deleteSource), never an
 * HTTP call to the Worker itself. Every path needs a signed-in admin (`requireAdminPage`); the
 * cross-site check on their posts is src/app.ts's `csrfGuard`, before any route.
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { checkNow, loadArticle, trackUrl, untrack } from "../../api/articles";
import { Problem, problem } from "../../api/problem";
import { addSource, checkSourceAt, deleteSource, loadSource, updateSource } from "../../api/sources";
import type { AppContext, AppEnv } from "../../app-env";
import { requireAdminPage } from "../../auth/middleware";
import { RENDERING_HEADERS } from "../../security-headers";
import { articlePath, sourcePath } from "../components";
import { webErrorResponse } from "../routes";
import { formErrors, formValues, NO_ERRORS, SOURCE_FIELDS, sourceBody, type FormErrors, type FormValues } from "./form";
import { AdminIndexPage, ArticleCheckPage, NewSourcePage, SourceCheckPage, TrackPage } from "./pages";
import { ADMIN_PATHS } from "./paths";

export const adminPages = new Hono<AppEnv>();

adminPages.use(ADMIN_PATHS.index, requireAdminPage);
adminPages.use("/admin/*", requireAdminPage);

const render = (c: AppContext, page: string | Promise<string>, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}) =>
  // An admin's page (the values typed, an outcome) is for them alone: no cache keeps it.
  c.html(page, status, { ...RENDERING_HEADERS, "Cache-Control": "no-store", ...headers });

/** The posted form's values; a body that is not a form is the client's mistake. */
async function postedForm(c: AppContext): Promise<FormValues> {
  try {
    return formValues(await c.req.formData());
  } catch {
    throw problem(415, "These pages take a posted HTML form (application/x-www-form-urlencoded or multipart/form-data).");
  }
}

/**
 * Runs a form's write; a problem it throws comes back as the form's errors with the problem's
 * status (400, 422, 429) and headers (`Retry-After`), so the page is re-rendered with them.
 */
async function attempt<T>(write: () => Promise<T>, fields: readonly string[]): Promise<{ ok: true; value: T } | { ok: false; errors: FormErrors; status: ContentfulStatusCode; headers: Record<string, string> }> {
  try {
    return { ok: true, value: await write() };
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    const headers = Object.fromEntries([...error.getResponse().headers].filter(([name]) => name !== "content-type"));
    return { ok: false, errors: formErrors(error.message, error.invalidParams, fields), status: error.status as ContentfulStatusCode, headers };
  }
}

adminPages.get(ADMIN_PATHS.index, (c) => render(c, <AdminIndexPage />));

adminPages.get(ADMIN_PATHS.track, (c) => render(c, <TrackPage values={{}} errors={NO_ERRORS} />));

adminPages.post(ADMIN_PATHS.track, async (c) => {
  const values = await postedForm(c);
  const tracked = await attempt(() => trackUrl(c.var.tracker, c.env, values.url ?? ""), ["url"]);
  if (!tracked.ok) return render(c, <TrackPage values={values} errors={tracked.errors} />, tracked.status, tracked.headers);
  return c.redirect(articlePath(tracked.value.article.id), 303);
});

adminPages.get(ADMIN_PATHS.newSource, (c) => render(c, <NewSourcePage values={{}} errors={NO_ERRORS} />));

adminPages.post(ADMIN_PATHS.newSource, async (c) => {
  const values = await postedForm(c);
  const added = await attempt(() => addSource(c.var.tracker, c.env, sourceBody(values)), SOURCE_FIELDS);
  if (!added.ok) return render(c, <NewSourcePage values={values} errors={added.errors} />, added.status, added.headers);
  return c.redirect(sourcePath(added.value.source.id), 303);
});

adminPages.post("/admin/articles/:id/untrack", async (c) => {
  const article = await untrack(c.var.tracker.store, c.req.param("id"));
  return c.redirect(articlePath(article.id), 303);
});

// Resuming is tracking the article's URL again, as `POST /api/articles` with it does.
adminPages.post("/admin/articles/:id/resume", async (c) => {
  const article = await loadArticle(c.var.tracker.store, c.req.param("id"));
  await trackUrl(c.var.tracker, c.env, article.url);
  return c.redirect(articlePath(article.id), 303);
});

adminPages.post("/admin/articles/:id/check", async (c) => {
  const result = await checkNow(c.var.tracker, c.env, c.req.param("id"));
  return render(c, <ArticleCheckPage article={result.article} result={result} />);
});

adminPages.post("/admin/sources/:id/pause", async (c) => {
  const source = await loadSource(c.var.tracker.sources, c.req.param("id"));
  await updateSource(c.var.tracker, source, { status: "paused" });
  return c.redirect(sourcePath(source.id), 303);
});

adminPages.post("/admin/sources/:id/resume", async (c) => {
  const source = await loadSource(c.var.tracker.sources, c.req.param("id"));
  await updateSource(c.var.tracker, source, { status: "active" });
  return c.redirect(sourcePath(source.id), 303);
});

adminPages.post("/admin/sources/:id/check", async (c) => {
  const { result, source } = await checkSourceAt(c.var.tracker, c.env, c.req.param("id"));
  return render(c, <SourceCheckPage source={source} result={result} />);
});

adminPages.post("/admin/sources/:id/delete", async (c) => {
  const values = await postedForm(c);
  // The browser requires the box ticked; a post without it (another client) deletes nothing.
  if (values.confirm !== "yes") throw problem(400, "Tick the box beside “Delete this source” to confirm; nothing was deleted.");
  await deleteSource(c.var.tracker, c.req.param("id"));
  return c.redirect("/sources", 303);
});

adminPages.onError(webErrorResponse);
