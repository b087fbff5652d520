/**
 * The admin token exchanged for a session cookie at /sign-in, the cookie standing in for the
 * bearer token on writes and in the header, sign-out ending the session at once, and the CSRF
 * refusals of cookie-borne and form requests from other sites.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { sessionKey } from "../src/auth/keys";
import { sealSession, SESSION_COOKIE } from "../src/auth/session";
import { BROWSER_ACCEPT, call, ORIGIN, SAME_ORIGIN, sessionCount, signIn } from "./auth-helpers";
import { reset } from "./helpers";

beforeEach(reset);

/** A write every admin may make that touches nothing: deleting an article that does not exist (404 once past requireAdmin). */
const write = (headers: Record<string, string>) => call("/api/articles/no-such-article", { method: "DELETE", headers });

describe("GET /sign-in", () => {
  it("is a form posting the admin token and where to go next, without script", async () => {
    const response = await call("/sign-in?next=%2Fsources", { headers: BROWSER_ACCEPT });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<form method="post" action="/sign-in" class="sign-in">');
    expect(html).toContain('<input type="hidden" name="next" value="/sources"/>');
    expect(html).toContain('<input type="password" id="token" name="token" required="" autocomplete="current-password"/>');
    expect(html).not.toContain("<script");
  });

  it("mentions Cloudflare Access when it is configured", async () => {
    const html = await (await call("/sign-in", { headers: BROWSER_ACCEPT, bindings: { ACCESS_TEAM_DOMAIN: "team.cloudflareaccess.com", ACCESS_AUD: "aud" } })).text();
    expect(html).toContain("This Redline is behind Cloudflare Access: signing in to Access signs you in here");
  });
});

describe("POST /sign-in", () => {
  it("with the admin token opens a session: a D1 row, and a HttpOnly, Secure, SameSite=Strict cookie for 12 hours, then goes to next", async () => {
    const response = await call("/sign-in", { form: { token: env.ADMIN_TOKEN!, next: "/sources?cursor=x" }, headers: SAME_ORIGIN });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/sources?cursor=x");
    expect(response.headers.get("Set-Cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{22}\\.\\d{10}\\.[A-Za-z0-9_-]{43}; Max-Age=43200; Path=/; HttpOnly; Secure; SameSite=Strict$`));
    const row = await env.DB.prepare("SELECT created_at, expires_at FROM sessions").first<{ created_at: number; expires_at: number }>();
    // The expiry is whole seconds, 12 hours after the second the session opened in.
    expect(row!.expires_at).toBe(Math.floor(row!.created_at / 1000) * 1000 + 43_200_000);
    const signedExpiry = Number(response.headers.get("Set-Cookie")!.split(";")[0]!.split(".")[1]);
    expect(signedExpiry * 1000).toBe(row!.expires_at);
  });

  it("goes home instead of to another site", async () => {
    const response = await call("/sign-in", { form: { token: env.ADMIN_TOKEN!, next: "//evil.example/" }, headers: SAME_ORIGIN });
    expect(response.headers.get("Location")).toBe("/");
  });

  it("with a wrong token answers 401 with the form again and the reason beside the field, opening no session", async () => {
    const response = await call("/sign-in", { form: { token: "guess", next: "/" }, headers: { ...SAME_ORIGIN, ...BROWSER_ACCEPT } });
    expect(response.status).toBe(401);
    expect(response.headers.get("Set-Cookie")).toBeNull();
    expect(await response.text()).toContain('<span class="error" id="token-error"> That is not the admin token.</span>');
    expect(await sessionCount()).toBe(0);
  });

  it("without a token answers 400 asking for it", async () => {
    const response = await call("/sign-in", { form: { token: " ", next: "/" }, headers: SAME_ORIGIN });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Enter the admin token.");
  });

  it("deletes the sessions that have expired", async () => {
    await env.DB.prepare("INSERT INTO sessions (id, created_at, expires_at) VALUES ('old', 0, 1), ('live', 0, ?)").bind(Date.now() + 60_000).run();
    await signIn();
    const { results } = await env.DB.prepare("SELECT id FROM sessions WHERE id IN ('old', 'live')").all<{ id: string }>();
    expect(results.map((row) => row.id)).toEqual(["live"]);
  });

  it("is refused without ADMIN_TOKEN: there is nothing to sign in with", async () => {
    const response = await call("/sign-in", { form: { token: "x" }, headers: SAME_ORIGIN, bindings: { ADMIN_TOKEN: undefined } });
    expect(response.status).toBe(503);
    expect((await response.json<{ detail: string }>()).detail).toBe("Signing in with the admin token is off: the ADMIN_TOKEN secret is not configured on this Worker.");
  });
});

describe("a session cookie", () => {
  it("lets a same-site write through, as the bearer token does", async () => {
    const cookie = await signIn();
    expect((await write({ Cookie: cookie, ...SAME_ORIGIN })).status).toBe(404);
    expect((await write({})).status).toBe(401);
  });

  it("shows who is signed in in the header, with Account and a sign-out button", async () => {
    const cookie = await signIn();
    const html = await (await call("/sources", { headers: { Cookie: cookie, ...BROWSER_ACCEPT } })).text();
    expect(html).toContain('<li>Signed in as <strong>admin</strong></li><li><a href="/account">Account</a></li><li><form method="post" action="/sign-out"><button type="submit">Sign out</button></form></li>');
    const anonymous = await (await call("/sources", { headers: BROWSER_ACCEPT })).text();
    expect(anonymous).toContain('<nav aria-label="Account" class="account"><a href="/sign-in?next=%2Fsources">Sign in</a></nav>');
  });

  it("counts for nothing once changed", async () => {
    const cookie = await signIn();
    const tampered = cookie.replace(/\.(\d+)\./, (_, expiry: string) => `.${Number(expiry) + 3600}.`);
    expect((await write({ Cookie: tampered, ...SAME_ORIGIN })).status).toBe(401);
  });

  it("counts for nothing past its signed expiry, even with its D1 row still there", async () => {
    const expiresAt = Math.floor(Date.now() / 1000) - 1;
    await env.DB.prepare("INSERT INTO sessions (id, created_at, expires_at) VALUES ('stale', 0, ?)").bind(Date.now() + 60_000).run();
    const value = await sealSession(await sessionKey(env.ADMIN_TOKEN!), { id: "stale", expiresAt });
    expect((await write({ Cookie: `${SESSION_COOKIE}=${value}`, ...SAME_ORIGIN })).status).toBe(401);
  });

  it("counts for nothing signed under another admin token: rotating ADMIN_TOKEN signs everyone out", async () => {
    const cookie = await signIn();
    const response = await call("/api/articles/no-such-article", { method: "DELETE", headers: { Cookie: cookie, ...SAME_ORIGIN }, bindings: { ADMIN_TOKEN: "rotated-admin-token" } });
    expect(response.status).toBe(401);
  });
});

describe("POST /sign-out", () => {
  it("ends the session at once: its D1 row is deleted, the cookie cleared, and the same cookie no longer writes", async () => {
    const cookie = await signIn();
    const response = await call("/sign-out", { method: "POST", headers: { Cookie: cookie, ...SAME_ORIGIN } });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/");
    expect(response.headers.get("Set-Cookie")).toBe(`${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict`);
    expect(await sessionCount()).toBe(0);
    const again = await write({ Cookie: cookie, ...SAME_ORIGIN });
    expect(again.status).toBe(401);
    expect((await again.json<{ detail: string }>()).detail).toBe("This endpoint needs `Authorization: Bearer <ADMIN_TOKEN>` or a signed-in admin.");
  });
});

describe("cross-site request forgery", () => {
  it.each([
    ["without Origin or Sec-Fetch-Site", {}],
    ["from another origin", { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" }],
  ])("a form post with a session cookie %s is refused with a 403 page, and the session stays open", async (_, headers) => {
    const cookie = await signIn();
    const response = await call("/sign-out", { form: {}, headers: { Cookie: cookie, ...BROWSER_ACCEPT, ...headers } });
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(html).toContain("<h1>403 Forbidden</h1>");
    expect(html).toContain("This request came from another site");
    expect(await sessionCount()).toBe(1);
  });

  it("a JSON write with a session cookie from another origin is refused with a 403 problem, though hono's csrf() leaves JSON alone", async () => {
    const cookie = await signIn();
    const response = await call("/api/articles/no-such-article", { method: "DELETE", json: {}, headers: { Cookie: cookie, Origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect((await response.json<{ title: string }>()).title).toBe("Forbidden");
  });

  it("a same-origin post passes on Origin alone, as on Sec-Fetch-Site alone", async () => {
    const cookie = await signIn();
    expect((await write({ Cookie: cookie, Origin: ORIGIN })).status).toBe(404);
    expect((await write({ Cookie: cookie, "Sec-Fetch-Site": "same-origin" })).status).toBe(404);
  });

  it("a sign-in form posted from another site is refused: no one is signed in as the admin by someone else's page", async () => {
    const response = await call("/sign-in", { form: { token: env.ADMIN_TOKEN!, next: "/" }, headers: { Origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    expect(await sessionCount()).toBe(0);
  });

  it("a bearer-token client without cookies needs no Origin, whatever its content type", async () => {
    expect((await write({ Authorization: `Bearer ${env.ADMIN_TOKEN}` })).status).toBe(404);
    const form = await call("/api/articles/no-such-article", { method: "DELETE", form: {}, headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` } });
    expect(form.status).toBe(404);
  });
});
