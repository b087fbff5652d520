/**
 * `/admin/subscriptions` in workerd, as a browser without script uses it: signed in with the
 * admin token's session, forms posted same-origin; the list, a create form per type with each
 * refused field's reason beside it, a webhook's secret shown once, a test send against the Slack
 * fake showing what Slack answered, and delete.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { SubscriptionStore } from "../src/storage/subscriptions";
import { BROWSER_ACCEPT, call, pageHtml, signInAsAdmin, type AdminBrowser } from "./auth-helpers";
import { SLACK_HOOKS } from "./fakes/slack.mjs";
import { api, reset } from "./helpers";

declare module "vitest" {
  export interface ProvidedContext {
    slackFake: string;
  }
}

const SLACK = inject("slackFake");
const SLACK_URL = `${SLACK}${SLACK_HOOKS.good}`;

let admin: AdminBrowser;

beforeEach(async () => {
  await reset();
  await fetch(`${SLACK}/__slack`, { method: "POST", body: JSON.stringify({ reset: true }) });
  admin = await signInAsAdmin();
});

/** An admin page's HTML: pageHtml, and never cached. */
const html = (response: Response, status: number) => pageHtml(response, status, "no-store");

const subscriptions = () => new SubscriptionStore(env.DB, env.REDLINE_KV).list();

describe("/admin/subscriptions", () => {
  it("sends a visitor who is not signed in to sign in, and refuses a cross-site post", async () => {
    const visitor = await call("/admin/subscriptions", { headers: BROWSER_ACCEPT });
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get("Location")).toBe("/sign-in?next=%2Fadmin%2Fsubscriptions");
    const forged = await call("/admin/subscriptions/new/slack", { form: { url: SLACK_URL }, headers: { Cookie: admin.cookie, Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" } });
    expect(forged.status).toBe(403);
    expect(await subscriptions()).toEqual([]);
  });

  it("lists no subscriptions at first, with a create form for each channel type", async () => {
    const page = await html(await admin.get("/admin/subscriptions"), 200);
    expect(page).toContain("No subscriptions yet");
    for (const type of ["webhook", "slack", "discord", "email", "mastodon", "bluesky", "wayback"]) expect(page).toContain(`href="/admin/subscriptions/new/${type}"`);
    const form = await html(await admin.get("/admin/subscriptions/new/discord"), 200);
    expect(form).toContain('<form method="post" action="/admin/subscriptions/new/discord" class="admin-form">');
    expect(form).toContain('<input type="password" name="url" required="" value="" autocomplete="off" id="url" aria-describedby="url-hint"');
    expect(form).toContain('<input type="checkbox" name="kinds" value="stealth-edit"');
  });

  it("creates a Slack subscription from the form and lists it with its filters, never its URL", async () => {
    const created = await admin.post("/admin/subscriptions/new/slack", { url: SLACK_URL, label: "#newsroom", site: "en.yna.co.kr", kinds: "body", minSignificance: "0.3" });
    expect(created.status).toBe(303);
    expect(created.headers.get("Location")).toBe("/admin/subscriptions");
    const [subscription] = await subscriptions();
    expect(subscription).toMatchObject({ type: "slack", config: { label: "#newsroom" }, filter: { site: "en.yna.co.kr", kinds: ["body"], minSignificance: 0.3 } });
    const page = await html(await admin.get("/admin/subscriptions"), 200);
    expect(page).toContain("<td>Slack incoming webhook to #newsroom</td>");
    expect(page).toContain("<td>site en.yna.co.kr; kinds body; significance ≥ 0.3</td>");
    expect(page).not.toContain(SLACK_HOOKS.good);
  });

  it("shows each refused field's reason beside it, keeps the values typed (escaped), and never echoes a secret", async () => {
    const response = await admin.post("/admin/subscriptions/new/slack", { url: "http://169.254.169.254/secret-path-7f3a", label: "<b>desk</b>", site: "Not A Host!" });
    const page = await html(response, 400);
    expect(page).toContain('<p class="field-error" id="url-error">');
    expect(page).toMatch(/id="url-error">cannot be delivered to: [^<]*link-local/);
    // The URL is a secret: the form asks for it again rather than sending it back.
    expect(page).toContain('<input type="password" name="url" required="" value="" autocomplete="off" id="url" aria-invalid="true"');
    expect(page).not.toContain("secret-path-7f3a");
    expect(page).toContain('value="&lt;b&gt;desk&lt;/b&gt;"');
    expect(await subscriptions()).toEqual([]);

    const site = await html(await admin.post("/admin/subscriptions/new/email", { to: "desk@redline.test", from: "redline@redline.test", site: "Not A Host!" }), 400);
    expect(site).toContain('<p class="field-error" id="site-error">must be a lower-case host name such as en.yna.co.kr, not &quot;Not A Host!&quot;.</p>');
  });

  it("shows a webhook's generated secret once, on the page after creating it", async () => {
    const page = await html(await admin.post("/admin/subscriptions/new/webhook", { url: `${env.REPLAY_ORIGIN}/__replay/webhooks/admin` }), 201);
    const secret = /<code class="secret">([0-9a-f]{64})<\/code>/.exec(page)![1]!;
    expect(await html(await admin.get("/admin/subscriptions"), 200)).not.toContain(secret);
  });

  it("a test send shows what Slack answered: delivered, then its refusal in its own words", async () => {
    await admin.post("/admin/subscriptions/new/slack", { url: SLACK_URL });
    const [subscription] = await subscriptions();
    const delivered = await html(await admin.post(`/admin/subscriptions/${subscription!.id}/test`), 200);
    expect(delivered).toContain("<h1>Test send: Delivered</h1>");
    expect(delivered).toContain("a sample notice (no recorded change matches the filters yet)");

    await fetch(`${SLACK}/__slack`, { method: "POST", body: JSON.stringify({ answers: [{ status: 404, body: "channel_not_found" }] }) });
    const refused = await html(await admin.post(`/admin/subscriptions/${subscription!.id}/test`), 200);
    expect(refused).toContain("<h1>Test send: Not delivered; a queued delivery would fail for good</h1>");
    expect(refused).toContain('<dd class="error">Slack answered 404: channel_not_found</dd>');
    const { requests } = (await (await fetch(`${SLACK}/__slack`)).json()) as { requests: unknown[] };
    expect(requests).toHaveLength(2);
  });

  it("deletes a subscription only with the box ticked", async () => {
    await admin.post("/admin/subscriptions/new/slack", { url: SLACK_URL });
    const [subscription] = await subscriptions();
    expect((await admin.post(`/admin/subscriptions/${subscription!.id}/delete`)).status).toBe(400);
    expect(await subscriptions()).toHaveLength(1);
    const deleted = await admin.post(`/admin/subscriptions/${subscription!.id}/delete`, { confirm: "yes" });
    expect(deleted.status).toBe(303);
    expect(await subscriptions()).toEqual([]);
    expect((await api("GET", `/api/subscriptions/${subscription!.id}`)).status).toBe(404);
  });
});
