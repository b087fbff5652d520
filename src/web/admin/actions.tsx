/**
 * The admin buttons on an article's and a source's page: each a form posting to the admin
 * router (src/web/admin/routes.tsx), so they work without script. Only an admin sees them: the
 * request's user comes from hono's context storage (src/app.ts), as the header's sign-in state does.
 */
import { tryGetContext } from "hono/context-storage";
import type { AppEnv } from "../../app-env";
import type { ArticleRecord, SourceRecord } from "../../storage/records";
import { ADMIN_PATHS, articleActionPath, sourceActionPath } from "./paths";

const signedInAdmin = (): boolean => tryGetContext<AppEnv>()?.var.user?.admin ?? false;


function ActionButton({ action, label }: { action: string; label: string }) {
  return (
    <form method="post" action={action}>
      <button type="submit">{label}</button>
    </form>
  );
}

/**
 * Untrack or Resume, and Check now: a stopped article is resumed before it can be checked, while
 * a retired one (its source's trackDays over) is resumed by a check, as the API does.
 */
export function ArticleActions({ article }: { article: ArticleRecord }) {
  if (!signedInAdmin()) return null;
  const checkable = article.tracking || article.status === "retired";
  return (
    <section class="admin-actions" aria-label="Admin">
      {article.tracking ? <ActionButton action={articleActionPath(article.id, "untrack")} label="Untrack" /> : <ActionButton action={articleActionPath(article.id, "resume")} label="Resume tracking" />}
      {checkable ? <ActionButton action={articleActionPath(article.id, "check")} label="Check now" /> : null}
    </section>
  );
}

/** Pause or Resume, Check now, and Delete behind a checkbox the browser itself requires ticked. */
export function SourceActions({ source }: { source: SourceRecord }) {
  if (!signedInAdmin()) return null;
  return (
    <section class="admin-actions" aria-label="Admin">
      {source.status === "paused" ? <ActionButton action={sourceActionPath(source.id, "resume")} label="Resume" /> : <ActionButton action={sourceActionPath(source.id, "pause")} label="Pause" />}
      <ActionButton action={sourceActionPath(source.id, "check")} label="Check now" />
      <form method="post" action={sourceActionPath(source.id, "delete")}>
        <label>
          <input type="checkbox" name="confirm" value="yes" required /> yes, delete it (the articles it found stay tracked)
        </label>{" "}
        <button type="submit">Delete this source</button>
      </form>
    </section>
  );
}

/** On the sources page: the form that adds one. */
export function AddSourceLink() {
  if (!signedInAdmin()) return null;
  return (
    <p class="admin-actions">
      <a href={ADMIN_PATHS.newSource}>Add a source</a>
    </p>
  );
}
