/**
 * `/admin/subscriptions`: the channel subscriptions in a browser, without script. The list (type,
 * destination as the channel describes it, filters, dead letters), a create form per type (each
 * refused field's reason beside it), a test send showing what the service answered, and delete.
 * Every write goes through the functions the API uses (src/channels/manage.ts), never an HTTP
 * call to the Worker itself. Needs a signed-in admin; src/app.ts's csrfGuard checks the posts.
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Problem, problem } from "../../api/problem";
import type { AppContext, AppEnv } from "../../app-env";
import { requireAdminPage } from "../../auth/middleware";
import { channelOf, registeredTypes } from "../../channels/index";
import { createSubscription, testSend, type TestSend } from "../../channels/manage";
import type { ChannelType } from "../../channels/model";
import { delivererFor } from "../../channels/queue";
import { loadSubscription } from "../../channels/routes";
import { publicView, type SubscriptionView } from "../../channels/subscription";
import { CHANGE_KINDS } from "../../model";
import { RENDERING_HEADERS } from "../../security-headers";
import { Instant } from "../components";
import { ALL_CHANGES_FEED, Layout } from "../layout";
import { webErrorResponse } from "../routes";
import { formErrors, formValues, NO_ERRORS, type FormErrors, type FormValues } from "./form";
import { Field, GeneralErrors } from "./pages";
import { ADMIN_PATHS } from "./paths";
import { CHANNEL_FORMS, FILTER_FIELDS, formFieldNames, subscriptionBody, type FormField } from "./subscription-form";

export const SUBSCRIPTIONS_PATH = "/admin/subscriptions";
const newPath = (type: string) => `${SUBSCRIPTIONS_PATH}/new/${type}`;
const actionPath = (id: string, action: "test" | "delete") => `${SUBSCRIPTIONS_PATH}/${id}/${action}`;

function FilterSummary({ view }: { view: SubscriptionView }) {
  const { filter } = view;
  const parts = [
    filter.site && `site ${filter.site}`,
    filter.source && `source ${filter.source}`,
    filter.articleId && `article ${filter.articleId}`,
    filter.kinds && `kinds ${filter.kinds.join(", ")}`,
    filter.minSignificance > 0 && `significance ≥ ${filter.minSignificance}`,
  ].filter((part): part is string => typeof part === "string");
  return <>{parts.length === 0 ? "every change" : parts.join("; ")}</>;
}

function SubscriptionRow({ view }: { view: SubscriptionView }) {
  return (
    <tr>
      <td>{view.type}</td>
      <td>{view.description}</td>
      <td><FilterSummary view={view} /></td>
      <td><Instant iso={view.createdAt} /></td>
      <td>
        {view.deadLettered}
        {view.lastDeadLetter ? (
          <p class="hint">Last: change {view.lastDeadLetter.changeId}, <Instant iso={view.lastDeadLetter.at} />{view.lastDeadLetter.reason ? `: ${view.lastDeadLetter.reason}` : ""}</p>
        ) : null}
      </td>
      <td>
        <form method="post" action={actionPath(view.id, "test")}>
          <button type="submit">Send a test</button>
        </form>
        <form method="post" action={actionPath(view.id, "delete")}>
          <label><input type="checkbox" name="confirm" value="yes" required /> Delete this subscription</label>
          <button type="submit">Delete</button>
        </form>
      </td>
    </tr>
  );
}

export function SubscriptionsPage({ views }: { views: SubscriptionView[] }) {
  return (
    <Layout title="Subscriptions" feed={ALL_CHANGES_FEED}>
      <p class="meta"><a href={ADMIN_PATHS.index}>← Admin</a></p>
      <h1>Subscriptions</h1>
      <p>Each subscription sends the changes that pass its filters to one channel, through the queue with retries; a delivery that fails for good is counted here.</p>
      <h2>New subscription</h2>
      <ul class="admin-links">
        {registeredTypes().map((type) => <li><a href={newPath(type)}>{CHANNEL_FORMS[type].title}</a>: {CHANNEL_FORMS[type].intro}</li>)}
      </ul>
      <h2>{views.length === 0 ? "No subscriptions yet" : `${views.length} subscription${views.length === 1 ? "" : "s"}`}</h2>
      {views.length === 0 ? null : (
        <table class="subscriptions">
          <thead>
            <tr><th>Type</th><th>Sends to</th><th>Filters</th><th>Created</th><th>Dead letters</th><th></th></tr>
          </thead>
          <tbody>{views.map((view) => <SubscriptionRow view={view} />)}</tbody>
        </table>
      )}
    </Layout>
  );
}

function Input({ field, values, described }: { field: FormField; values: FormValues; described: Record<string, string> }) {
  if (field.input === "select") {
    return (
      <select name={field.name} {...described}>
        {(field.options ?? []).map((option) => <option value={option} selected={values[field.name] === option}>{option}</option>)}
      </select>
    );
  }
  // A secret typed in is never sent back to the browser: a refused form asks for it again.
  const value = field.input === "password" ? "" : (values[field.name] ?? "");
  return <input type={field.input} name={field.name} required={field.required} value={value} autocomplete="off" {...described} />;
}

export function NewSubscriptionPage({ type, values, kinds, errors }: { type: ChannelType; values: FormValues; kinds: readonly string[]; errors: FormErrors }) {
  const form = CHANNEL_FORMS[type];
  return (
    <Layout title={`New ${form.title} subscription`} feed={ALL_CHANGES_FEED}>
      <p class="meta"><a href={SUBSCRIPTIONS_PATH}>← Subscriptions</a></p>
      <h1>New {form.title} subscription</h1>
      <p>{form.intro}</p>
      <GeneralErrors errors={errors} outcome="The subscription was not created:" />
      <form method="post" action={newPath(type)} class="admin-form">
        {form.fields.map((field) => (
          <Field name={field.name} label={field.required ? field.label : `${field.label} (optional)`} errors={errors} hint={field.hint}>
            {(described) => <Input field={field} values={values} described={described} />}
          </Field>
        ))}
        <fieldset>
          <legend>Filters (every field optional)</legend>
          {FILTER_FIELDS.map((field) => (
            <Field name={field.name} label={field.label} errors={errors} hint={field.hint}>
              {(described) => <Input field={field} values={values} described={described} />}
            </Field>
          ))}
          <div class={errors.fields.kinds === undefined ? "field" : "field invalid"}>
            <p><strong>Kinds</strong> (none ticked: every kind)</p>
            {CHANGE_KINDS.map((kind) => <label class="kind"><input type="checkbox" name="kinds" value={kind} checked={kinds.includes(kind)} /> {kind}</label>)}
            {errors.fields.kinds === undefined ? null : <p class="field-error" id="kinds-error">{errors.fields.kinds}</p>}
          </div>
        </fieldset>
        <p><button type="submit">Create the subscription</button></p>
      </form>
    </Layout>
  );
}

/** After creating a webhook: its signing secret, this once. */
export function CreatedWebhookPage({ view, secret }: { view: SubscriptionView; secret: string }) {
  return (
    <Layout title="Webhook created" feed={ALL_CHANGES_FEED}>
      <p class="meta"><a href={SUBSCRIPTIONS_PATH}>← Subscriptions</a></p>
      <h1>Webhook created</h1>
      <p>{view.description}. Each delivery is signed with this secret (Redline-Signature-256: sha256=&lt;HMAC of the body&gt;). Keep it now: it is stored encrypted and not shown again.</p>
      <p><code class="secret">{secret}</code></p>
    </Layout>
  );
}

const OUTCOME_WORDS: Record<TestSend["result"]["outcome"], string> = {
  delivered: "Delivered",
  pending: "Accepted, still in progress at the service",
  retry: "Not delivered; a queued delivery would be retried",
  failed: "Not delivered; a queued delivery would fail for good",
};

export function TestResultPage({ view, sent }: { view: SubscriptionView; sent: TestSend }) {
  const { result } = sent;
  return (
    <Layout title={`Test: ${OUTCOME_WORDS[result.outcome]}`} feed={ALL_CHANGES_FEED}>
      <p class="meta"><a href={SUBSCRIPTIONS_PATH}>← Subscriptions</a></p>
      <h1>Test send: {OUTCOME_WORDS[result.outcome]}</h1>
      <dl class="facts">
        <dt>Subscription</dt>
        <dd>{view.description}</dd>
        <dt>Sent</dt>
        <dd>{sent.sent === "sample" ? "a sample notice (no recorded change matches the filters yet)" : `change ${sent.sent}`}</dd>
        <dt>Outcome</dt>
        <dd class="outcome">{result.outcome}</dd>
        {result.outcome === "retry" || result.outcome === "failed" ? (
          <>
            <dt>The service said</dt>
            <dd class="error">{result.reason}</dd>
          </>
        ) : null}
        {result.outcome === "retry" && result.retryAfterSeconds !== undefined ? (
          <>
            <dt>Retry after</dt>
            <dd>{result.retryAfterSeconds} s</dd>
          </>
        ) : null}
      </dl>
    </Layout>
  );
}

export const adminSubscriptions = new Hono<AppEnv>();
adminSubscriptions.use(SUBSCRIPTIONS_PATH, requireAdminPage);
adminSubscriptions.use(`${SUBSCRIPTIONS_PATH}/*`, requireAdminPage);

const render = (c: AppContext, page: string | Promise<string>, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}) =>
  // An admin's page (destinations, a secret shown once) is for them alone: no cache keeps it.
  c.html(page, status, { ...RENDERING_HEADERS, "Cache-Control": "no-store", ...headers });

function channelType(c: AppContext): ChannelType {
  const type = c.req.param("type") ?? "";
  if (!(registeredTypes() as string[]).includes(type)) throw problem(404, `No channel type is called ${JSON.stringify(type).slice(0, 40)}; the types are ${registeredTypes().join(", ")}.`);
  return type as ChannelType;
}

adminSubscriptions.get(SUBSCRIPTIONS_PATH, async (c) => {
  const { subscriptions } = await delivererFor(c.env, c.var.tracker);
  const views = (await subscriptions.list()).map((subscription) => publicView(subscription, channelOf(subscription.type)));
  return render(c, <SubscriptionsPage views={views} />);
});

adminSubscriptions.get(`${SUBSCRIPTIONS_PATH}/new/:type`, (c) => render(c, <NewSubscriptionPage type={channelType(c)} values={{}} kinds={[]} errors={NO_ERRORS} />));

adminSubscriptions.post(`${SUBSCRIPTIONS_PATH}/new/:type`, async (c) => {
  const type = channelType(c);
  let data: FormData;
  try {
    data = await c.req.formData();
  } catch {
    throw problem(415, "These pages take a posted HTML form (application/x-www-form-urlencoded or multipart/form-data).");
  }
  const values = formValues(data);
  const kinds = data.getAll("kinds").filter((kind): kind is string => typeof kind === "string");
  try {
    const created = await createSubscription(await delivererFor(c.env, c.var.tracker), subscriptionBody(type, values, kinds), new URL(c.req.url).origin);
    if (created.secret !== undefined && !values.secret) return render(c, <CreatedWebhookPage view={created.view} secret={created.secret} />, 201);
    return c.redirect(SUBSCRIPTIONS_PATH, 303);
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    const errors = formErrors(error.message, error.invalidParams, formFieldNames(type));
    return render(c, <NewSubscriptionPage type={type} values={values} kinds={kinds} errors={errors} />, error.status as ContentfulStatusCode);
  }
});

adminSubscriptions.post(`${SUBSCRIPTIONS_PATH}/:id/test`, async (c) => {
  const deliverer = await delivererFor(c.env, c.var.tracker);
  const subscription = await loadSubscription(deliverer.subscriptions, c.req.param("id"));
  const sent = await testSend(deliverer, subscription);
  return render(c, <TestResultPage view={publicView(subscription, channelOf(subscription.type))} sent={sent} />);
});

adminSubscriptions.post(`${SUBSCRIPTIONS_PATH}/:id/delete`, async (c) => {
  const values = formValues(await c.req.formData());
  // The browser requires the box ticked; a post without it (another client) deletes nothing.
  if (values.confirm !== "yes") throw problem(400, "Tick the box beside “Delete this subscription” to confirm; nothing was deleted.");
  const { subscriptions } = await delivererFor(c.env, c.var.tracker);
  const subscription = await loadSubscription(subscriptions, c.req.param("id"));
  await subscriptions.delete(subscription.id);
  return c.redirect(SUBSCRIPTIONS_PATH, 303);
});

adminSubscriptions.onError(webErrorResponse);
