/**
 * The admin pages: forms that post without script, each refused field's reason beside it
 * (`aria-describedby`, `aria-invalid`) and the values typed kept, and the outcome pages of Check now.
 */
import type { Child } from "hono/jsx";
import type { SourceCheckResult } from "../../discovery/check-source";
import { SOURCE_TYPES } from "../../discovery/model";
import type { ArticleRecord, SourceRecord } from "../../storage/records";
import type { CheckResult } from "../../tracking";
import { articlePath, diffPath, Instant, sourceName, sourcePath, versionPath } from "../components";
import { ALL_CHANGES_FEED, Layout } from "../layout";
import { AUTO_TYPE, type FormErrors, type FormValues } from "./form";
import { ADMIN_PATHS } from "./paths";

/** The problems of no one field, above the form, so they are read before the fields. */
export function GeneralErrors({ errors, outcome }: { errors: FormErrors; outcome: string }) {
  if (errors.general.length === 0) return null;
  return (
    <div class="form-errors" id="form-errors">
      <p><strong>{outcome}</strong></p>
      <ul>
        {errors.general.map((error) => <li>{error}</li>)}
      </ul>
    </div>
  );
}

interface FieldProps {
  name: string;
  label: string;
  errors: FormErrors;
  /** What the field takes, read out with it (`aria-describedby`). */
  hint?: string;
  children: (described: { id: string; "aria-invalid"?: "true"; "aria-describedby"?: string }) => Child;
}

/** A labelled control, its hint, and the reason the API refused its value. */
export function Field({ name, label, errors, hint, children }: FieldProps) {
  const error = errors.fields[name];
  const describedBy = [error === undefined ? null : `${name}-error`, hint === undefined ? null : `${name}-hint`].filter((id) => id !== null).join(" ");
  return (
    <div class={error === undefined ? "field" : "field invalid"}>
      <label for={name}>{label}</label>
      {children({ id: name, ...(error === undefined ? {} : { "aria-invalid": "true" as const }), ...(describedBy ? { "aria-describedby": describedBy } : {}) })}
      {error === undefined ? null : <p class="field-error" id={`${name}-error`}>{error}</p>}
      {hint === undefined ? null : <p class="hint" id={`${name}-hint`}>{hint}</p>}
    </div>
  );
}

export function AdminIndexPage() {
  return (
    <Layout title="Admin" feed={ALL_CHANGES_FEED}>
      <h1>Admin</h1>
      <ul class="admin-links">
        <li><a href={ADMIN_PATHS.track}>Track a URL</a>: capture an article now and check it for edits from then on.</li>
        <li><a href={ADMIN_PATHS.newSource}>Add a source</a>: a feed, sitemap or section page whose new articles are tracked, with its filters.</li>
        <li><a href="/sources">Sources</a>: each source's page pauses, resumes, checks or deletes it.</li>
        <li><a href="/admin/subscriptions">Subscriptions</a>: send each edit to a webhook, Slack, Discord, email, Mastodon, Bluesky or the Wayback Machine; test-send, delete.</li>
        <li>Each article's page stops or resumes its tracking and checks it now.</li>
      </ul>
    </Layout>
  );
}

export function TrackPage({ values, errors }: { values: FormValues; errors: FormErrors }) {
  return (
    <Layout title="Track a URL" feed={ALL_CHANGES_FEED}>
      <p class="meta"><a href={ADMIN_PATHS.index}>← Admin</a></p>
      <h1>Track a URL</h1>
      <p>Redline captures the article at once (its first version) and checks it for edits from then on, politely: robots.txt and the host's spacing apply.</p>
      <GeneralErrors errors={errors} outcome="The URL was not tracked:" />
      <form method="post" action={ADMIN_PATHS.track} class="admin-form">
        <Field name="url" label="Article URL" errors={errors} hint="An http or https address of one article.">
          {(described) => <input type="url" name="url" required value={values.url ?? ""} {...described} />}
        </Field>
        <p><button type="submit">Track</button></p>
      </form>
    </Layout>
  );
}

const TYPE_LABELS: Record<string, string> = {
  [AUTO_TYPE]: "detect from its content",
  rss: "RSS",
  atom: "Atom",
  jsonfeed: "JSON Feed",
  sitemap: "sitemap",
  "news-sitemap": "Google News sitemap",
  page: "section page (its article links)",
};

export function NewSourcePage({ values, errors }: { values: FormValues; errors: FormErrors }) {
  const chosenType = values.type || AUTO_TYPE;
  const text = (name: string) => values[name] ?? "";
  return (
    <Layout title="Add a source" feed={ALL_CHANGES_FEED}>
      <p class="meta"><a href={ADMIN_PATHS.index}>← Admin</a></p>
      <h1>Add a source</h1>
      <p>Redline reads the source once now to learn its type and title; its first scheduled check tracks the new entries that pass the filter.</p>
      <GeneralErrors errors={errors} outcome="The source was not added:" />
      <form method="post" action={ADMIN_PATHS.newSource} class="admin-form">
        <Field name="url" label="Source URL" errors={errors} hint="A feed, sitemap or section page.">
          {(described) => <input type="url" name="url" required value={text("url")} {...described} />}
        </Field>
        <Field name="type" label="Type" errors={errors}>
          {(described) => (
            <select name="type" {...described}>
              {[AUTO_TYPE, ...SOURCE_TYPES].map((type) => <option value={type} selected={chosenType === type}>{TYPE_LABELS[type] ?? type}</option>)}
            </select>
          )}
        </Field>
        <fieldset>
          <legend>Filter (every field optional)</legend>
          <Field name="include" label="Include (URLPatterns)" errors={errors} hint="One a line, e.g. /view/AEN* or https://example.com/world/*; when given, only entries matching one are tracked.">
            {(described) => <textarea name="include" rows={3} {...described}>{text("include")}</textarea>}
          </Field>
          <Field name="exclude" label="Exclude (URLPatterns)" errors={errors} hint="One a line; an entry matching one is never tracked.">
            {(described) => <textarea name="exclude" rows={3} {...described}>{text("exclude")}</textarea>}
          </Field>
          <Field name="keywords" label="Keywords" errors={errors} hint="One a line; when given, an entry is tracked if its title or summary has any of them.">
            {(described) => <textarea name="keywords" rows={3} {...described}>{text("keywords")}</textarea>}
          </Field>
          <Field name="maxAgeDays" label="Maximum age (days)" errors={errors} hint="Entries dated earlier than this are skipped.">
            {(described) => <input type="text" inputmode="decimal" name="maxAgeDays" value={text("maxAgeDays")} {...described} />}
          </Field>
        </fieldset>
        <Field name="trackDays" label="Track each article for (days)" errors={errors} hint="1 to 3650; empty tracks them until stopped.">
          {(described) => <input type="text" inputmode="numeric" name="trackDays" value={text("trackDays")} {...described} />}
        </Field>
        <Field name="intervalMinutes" label="Check the source every (minutes)" errors={errors} hint="1 to 10080; empty is the default, every 15 minutes.">
          {(described) => <input type="text" inputmode="numeric" name="intervalMinutes" value={text("intervalMinutes")} {...described} />}
        </Field>
        <p><button type="submit">Add the source</button></p>
      </form>
    </Layout>
  );
}

/** What one article check did, in words. */
const ARTICLE_OUTCOMES: Record<CheckResult["outcome"], string> = {
  created: "captured its first version",
  "new-version": "found a new version",
  unchanged: "no change since the last version",
  relocated: "the article moved to a new URL",
  missing: "the page is missing (404 or 410)",
  removed: "the article is gone: it has been missing long enough to count as removed",
  restored: "the article is back after it was missing",
  failed: "the fetch failed; it is retried later",
  blocked: "robots.txt disallows the URL now",
  retired: "its tracking period is over: retired",
};

export function ArticleCheckPage({ article, result }: { article: ArticleRecord; result: CheckResult }) {
  const name = article.title || article.url;
  const { version, change } = result;
  return (
    <Layout title={`Checked ${name}`} feed={ALL_CHANGES_FEED}>
      <p class="meta"><a href={articlePath(article.id)}>← {name}</a></p>
      <h1>Checked now: {ARTICLE_OUTCOMES[result.outcome]}</h1>
      <dl class="facts">
        <dt>Article</dt>
        <dd><a href={articlePath(article.id)}>{name}</a></dd>
        <dt>Outcome</dt>
        <dd class="outcome">{result.outcome}</dd>
        {version === null ? null : (
          <>
            <dt>Latest version</dt>
            <dd><a href={versionPath(article.id, version.n)}>Version {version.n}</a>, captured <Instant iso={version.capturedAt} /></dd>
          </>
        )}
        {change === null ? null : (
          <>
            <dt>Change</dt>
            <dd>{change.from !== null && change.to !== null && change.from !== change.to ? <a href={diffPath(article.id, change.from, change.to)}>{change.summary}</a> : change.summary}</dd>
          </>
        )}
        {result.error === null ? null : (
          <>
            <dt>Error</dt>
            <dd class="error">{result.error}</dd>
          </>
        )}
      </dl>
    </Layout>
  );
}

const SOURCE_OUTCOMES: Record<SourceCheckResult["outcome"], string> = {
  read: "read",
  unchanged: "unchanged since its last read (304)",
  failed: "failed",
  gone: "deleted while it was checked",
};

export function SourceCheckPage({ source, result }: { source: SourceRecord; result: SourceCheckResult }) {
  const name = sourceName(source);
  return (
    <Layout title={`Checked ${name}`} feed={ALL_CHANGES_FEED}>
      <p class="meta"><a href={sourcePath(source.id)}>← {name}</a></p>
      <h1>Checked now: {SOURCE_OUTCOMES[result.outcome]}</h1>
      <dl class="facts outcome">
        <dt>Source</dt>
        <dd><a href={sourcePath(source.id)}>{name}</a></dd>
        <dt>Found</dt>
        <dd>{`${result.found} ${result.found === 1 ? "entry" : "entries"}`}</dd>
        <dt>Queued</dt>
        <dd>{`${result.queued.length} new article${result.queued.length === 1 ? "" : "s"} to capture`}</dd>
        <dt>Linked</dt>
        <dd>{`${result.linked.length} article${result.linked.length === 1 ? "" : "s"} already tracked`}</dd>
        <dt>Skipped</dt>
        <dd>{`${result.skipped.length} ${result.skipped.length === 1 ? "entry" : "entries"}`}</dd>
        {result.error === null ? null : (
          <>
            <dt>Error</dt>
            <dd class="error">{result.error}</dd>
          </>
        )}
      </dl>
      {result.queued.length === 0 ? null : (
        <>
          <h2>Queued for their first capture</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Not before</th>
              </tr>
            </thead>
            <tbody>
              {result.queued.map((entry) => (
                <tr>
                  <td>{entry.url}</td>
                  <td><Instant iso={new Date(entry.notBefore).toISOString()} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {result.linked.length === 0 ? null : (
        <>
          <h2>Already tracked, now linked to this source</h2>
          <ul>
            {result.linked.map((id) => <li><a href={articlePath(id)}>{id}</a></li>)}
          </ul>
        </>
      )}
      {result.skipped.length === 0 ? null : (
        <>
          <h2>Skipped</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {result.skipped.map((entry) => (
                <tr>
                  <td>{entry.url}</td>
                  <td>{entry.reason}{entry.detail === undefined ? null : <>: {entry.detail}</>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  );
}
