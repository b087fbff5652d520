/**
 * Per-user feed tokens (/account): created by a signed-in user, shown once, stored as their
 * SHA-256, revoked at once; a private archive's feeds read with `?token=`, and its pages' feed
 * links carrying the user's own token.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { feedTokenHash } from "../src/auth/feed-tokens";
import { BROWSER_ACCEPT, call, SAME_ORIGIN, signIn } from "./auth-helpers";
import { instrumented, reset } from "./helpers";

const PRIVATE = { PUBLIC_READ: "false" };

let cookie: string;
beforeEach(async () => {
  await reset();
  cookie = await signIn(PRIVATE);
});

const asUser = (extra: Record<string, string> = {}) => ({ Cookie: cookie, ...SAME_ORIGIN, ...BROWSER_ACCEPT, ...extra });

/** Creates a token from the account page's form; returns it as the page shows it, once. */
async function createToken(name: string): Promise<string> {
  const response = await call("/account/feed-tokens", { form: { name }, headers: asUser(), bindings: PRIVATE });
  expect(response.status).toBe(201);
  const token = /<p><code>([A-Za-z0-9_-]{43})<\/code><\/p>/.exec(await response.text())?.[1];
  expect(token).toBeDefined();
  return token!;
}

/** The tokens users made; the pages token every HTML page view makes (see the last tests) is left out. */
const tokenRows = () => env.DB.prepare("SELECT id, user_id, name, token_hash, for_pages, last_used_at FROM feed_tokens WHERE for_pages = 0 ORDER BY created_at").all<Record<string, unknown>>().then((r) => r.results);
const pagesTokenRows = () => env.DB.prepare("SELECT id, name, token_hash FROM feed_tokens WHERE for_pages = 1").all<Record<string, unknown>>().then((r) => r.results);

const feed = (token: string, bindings: Record<string, unknown> = PRIVATE) => call(`/feeds/changes.atom?token=${token}`, { bindings });

describe("the account page", () => {
  it("needs a signed-in user", async () => {
    const response = await call("/account", { headers: BROWSER_ACCEPT });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/sign-in?next=%2Faccount");
  });

  it("shows a new token once, with a feed URL carrying it, and stores only its SHA-256", async () => {
    const response = await call("/account/feed-tokens", { form: { name: " NetNewsWire " }, headers: asUser(), bindings: PRIVATE });
    expect(response.status).toBe(201);
    const html = await response.text();
    const token = /<p><code>([A-Za-z0-9_-]{43})<\/code><\/p>/.exec(html)![1]!;
    expect(html).toContain("<h3 id=\"created-heading\">Token “NetNewsWire” created</h3>");
    expect(html).toContain(`<p>For example: <code>http://redline.test/feeds/changes.atom?token=${token}</code></p>`);
    expect(await tokenRows()).toEqual([{ id: expect.any(String), user_id: "admin", name: "NetNewsWire", token_hash: await feedTokenHash(token), for_pages: 0, last_used_at: null }]);
    const again = await (await call("/account", { headers: asUser(), bindings: PRIVATE })).text();
    expect(again).not.toContain(token);
    expect(again).toContain("<td>NetNewsWire</td>");
    expect(again).toContain("<td>never</td>");
  });

  it("refuses a token without a name, saying so beside the field", async () => {
    const response = await call("/account/feed-tokens", { form: { name: "  " }, headers: asUser(), bindings: PRIVATE });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<span class="error" id="name-error"> A token needs a name of 1 to 100 characters.</span>');
    expect(await tokenRows()).toEqual([]);
  });

  it("refuses a token form posted from another site", async () => {
    const response = await call("/account/feed-tokens", { form: { name: "x" }, headers: asUser({ Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" }), bindings: PRIVATE });
    expect(response.status).toBe(403);
    expect(await tokenRows()).toEqual([]);
  });
});

describe("a feed token", () => {
  it("reads a private archive's feeds", async () => {
    const token = await createToken("reader");
    const response = await feed(token);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("application/atom+xml");
  });

  it("records when it was last used, at most once an hour", async () => {
    const token = await createToken("reader");
    const before = Date.now();
    await feed(token);
    const [{ last_used_at: first }] = (await tokenRows()) as [{ last_used_at: number }];
    expect(first).toBeGreaterThanOrEqual(before);
    const metered = instrumented();
    await feed(token, { ...PRIVATE, DB: metered.env.DB });
    expect(metered.d1.trips[0]).toEqual(["SELECT feed_tokens"]);
    expect(metered.d1.trips.flat()).not.toContain("UPDATE feed_tokens");
    await env.DB.prepare("UPDATE feed_tokens SET last_used_at = ?").bind(first - 60 * 60 * 1000).run();
    await feed(token);
    expect(((await tokenRows())[0] as { last_used_at: number }).last_used_at).toBeGreaterThanOrEqual(before);
  });

  it("is refused at once when revoked: a 401 on the next feed request", async () => {
    const token = await createToken("reader");
    const [{ id }] = (await tokenRows()) as [{ id: string }];
    const revoked = await call(`/account/feed-tokens/${id}/revoke`, { method: "POST", headers: asUser(), bindings: PRIVATE });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get("Location")).toBe("/account");
    expect((await feed(token)).status).toBe(401);
    expect(await tokenRows()).toEqual([]);
  });

  it("is revoked only by its owner", async () => {
    await createToken("reader");
    await env.DB.prepare("UPDATE feed_tokens SET user_id = 'someone@example.org'").run();
    const [{ id }] = (await tokenRows()) as [{ id: string }];
    const response = await call(`/account/feed-tokens/${id}/revoke`, { method: "POST", headers: asUser(), bindings: PRIVATE });
    expect(response.status).toBe(404);
    expect(await tokenRows()).toHaveLength(1);
  });

  it("reads no page and no API: it is for feeds only", async () => {
    const token = await createToken("reader");
    expect((await call(`/api/status?token=${token}`, { bindings: PRIVATE })).status).toBe(401);
    expect((await call(`/?token=${token}`, { headers: BROWSER_ACCEPT, bindings: PRIVATE })).status).toBe(303);
  });
});

describe("the feed links of a private archive's pages", () => {
  it("carry the signed-in user's pages token, which reads the feed; one token however many pages are viewed", async () => {
    const html = await (await call("/", { headers: asUser(), bindings: PRIVATE })).text();
    const token = /<link rel="alternate" type="application\/atom\+xml" title="[^"]*" href="\/feeds\/changes\.atom\?[^"]*token=([A-Za-z0-9_-]{43})"/.exec(html)?.[1];
    expect(token).toBeDefined();
    expect(html).toContain(`<a href="/feeds/changes.atom?token=${token}">All changes (Atom)</a>`);
    expect((await feed(token!)).status).toBe(200);
    const second = await (await call("/sources", { headers: asUser(), bindings: PRIVATE })).text();
    expect(second).toContain(`/feeds/changes.atom?token=${token}`);
    expect((await pagesTokenRows()).map((row) => row.name)).toEqual(["Feed links on pages"]);
  });

  it("get a new pages token after ADMIN_TOKEN is rotated, the old one replaced", async () => {
    await call("/", { headers: asUser(), bindings: PRIVATE });
    const [{ id: oldId }] = (await pagesTokenRows()) as [{ id: string }];
    // A new admin token: a new session under it, and the old pages token no longer its HMAC.
    const rotated = { ...PRIVATE, ADMIN_TOKEN: "rotated-admin-token" };
    const response = await call("/sign-in", { form: { token: "rotated-admin-token", next: "/" }, headers: SAME_ORIGIN, bindings: rotated });
    const rotatedCookie = response.headers.get("Set-Cookie")!.split(";")[0]!;
    const html = await (await call("/", { headers: { Cookie: rotatedCookie, ...BROWSER_ACCEPT }, bindings: rotated })).text();
    const token = /href="\/feeds\/changes\.atom\?token=([A-Za-z0-9_-]{43})"/.exec(html)![1]!;
    const rows = await pagesTokenRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).not.toBe(oldId);
    expect(rows[0]!.token_hash).toBe(await feedTokenHash(token));
  });
});
