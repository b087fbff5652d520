/**
 * Cloudflare Access: the `Cf-Access-Jwt-Assertion` token checked against the team's keys, served
 * by a fetch spy at `https://<team>/cdn-cgi/access/certs` as Cloudflare serves them. Each test
 * has its own team domain, so the keys one test cached are not another's.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppEnv } from "../src/app-env";
import { identify, requireAdminPage } from "../src/auth/middleware";
import { accessToken, AUD, jwks, teamKey, type Claims, type TeamKey } from "./access-keys";
import { BROWSER_ACCEPT, call, SAME_ORIGIN } from "./auth-helpers";
import { reset } from "./helpers";

const [key1, key2] = await Promise.all([teamKey("kid-1"), teamKey("kid-2")]);
const ADMIN_EMAIL = "ed@example.org";

let team: string;
/** The keys the team's certs endpoint serves now, or an error status. */
let served: { keys: TeamKey[] } | { status: number };
let certsFetches: number;

beforeEach(async () => {
  await reset();
  team = `team-${crypto.randomUUID().slice(0, 8)}.cloudflareaccess.com`;
  served = { keys: [key1] };
  certsFetches = 0;
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== `https://${team}/cdn-cgi/access/certs`) return realFetch(input, init);
    certsFetches++;
    return "status" in served ? new Response("unavailable", { status: served.status }) : Response.json(jwks(...served.keys));
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const bindings = () => ({ ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: AUD, ADMIN_EMAILS: `Ops@example.org, ${ADMIN_EMAIL}` });
const token = (key: TeamKey, claims: Claims = {}) => accessToken(key, Math.floor(Date.now() / 1000), { iss: `https://${team}`, ...claims });

/** A write every admin may make that touches nothing: deleting an article that does not exist (404 once past requireAdmin). */
const writeAs = async (assertion: string) =>
  call("/api/articles/no-such-article", { method: "DELETE", headers: { "Cf-Access-Jwt-Assertion": assertion, ...SAME_ORIGIN }, bindings: bindings() });

describe("a valid Access token", () => {
  it("of an ADMIN_EMAILS user writes, and the header names them", async () => {
    const assertion = await token(key1, { email: "Ed@Example.org" });
    expect((await writeAs(assertion)).status).toBe(404);
    const html = await (await call("/sources", { headers: { "Cf-Access-Jwt-Assertion": assertion, ...BROWSER_ACCEPT }, bindings: bindings() })).text();
    expect(html).toContain("<li>Signed in as <strong>ed@example.org</strong></li>");
  });

  it("of any other user only reads: a write is a 403 naming them", async () => {
    const response = await writeAs(await token(key1, { email: "reader@example.org" }));
    expect(response.status).toBe(403);
    expect((await response.json<{ detail: string }>()).detail).toBe("Signed in as reader@example.org, who is not an admin: writes need an admin.");
  });

  it("is checked against keys fetched once, then cached", async () => {
    const assertion = await token(key1, { email: ADMIN_EMAIL });
    expect((await writeAs(assertion)).status).toBe(404);
    expect((await writeAs(assertion)).status).toBe(404);
    expect(certsFetches).toBe(1);
  });

  it("under a kid the cached keys lack makes one fresh fetch of the keys, and holds under the rotated key", async () => {
    expect((await writeAs(await token(key1, { email: ADMIN_EMAIL }))).status).toBe(404);
    served = { keys: [key2] };
    expect((await writeAs(await token(key2, { email: ADMIN_EMAIL }))).status).toBe(404);
    expect(certsFetches).toBe(2);
  });

  it("ends the Access session at Access's own logout on sign-out", async () => {
    const response = await call("/sign-out", { method: "POST", headers: { "Cf-Access-Jwt-Assertion": await token(key1), ...SAME_ORIGIN }, bindings: bindings() });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/cdn-cgi/access/logout");
  });
});

describe("an Access token signs no one in", () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => Promise<string>]>([
    ["expired", () => token(key1, { email: ADMIN_EMAIL, exp: now() - 120, iat: now() - 600, nbf: now() - 600 })],
    ["for another application's AUD", () => token(key1, { email: ADMIN_EMAIL, aud: ["another-application"] })],
    ["from another team", () => token(key1, { email: ADMIN_EMAIL, iss: "https://evil.cloudflareaccess.com" })],
    ["signed by a key not the team's under the team key's kid", async () => token({ ...key2, privateJwk: { ...key2.privateJwk, kid: "kid-1" } as JsonWebKey }, { email: ADMIN_EMAIL })],
    [
      "with alg none",
      async () => {
        const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
        return `${part({ alg: "none", kid: "kid-1" })}.${part({ aud: [AUD], email: ADMIN_EMAIL, iss: `https://${team}`, exp: now() + 300 })}.`;
      },
    ],
  ])("when %s", async (_, make) => {
    const response = await writeAs(await make());
    expect(response.status).toBe(401);
    expect((await response.json<{ detail: string }>()).detail).toBe("This endpoint needs `Authorization: Bearer <ADMIN_TOKEN>` or a signed-in admin.");
  });

  it("under a kid the team does not have, after one fresh fetch of the keys", async () => {
    expect((await writeAs(await token(key1, { email: ADMIN_EMAIL }))).status).toBe(404);
    expect((await writeAs(await token(key2, { email: ADMIN_EMAIL }))).status).toBe(401);
    expect(certsFetches).toBe(2);
  });

  it("while the team's keys cannot be fetched, with a 401 rather than an error", async () => {
    served = { status: 503 };
    expect((await writeAs(await token(key1, { email: ADMIN_EMAIL }))).status).toBe(401);
  });

  it("when Access is not configured: the header is not even read", async () => {
    const response = await call("/api/articles/no-such-article", { method: "DELETE", headers: { "Cf-Access-Jwt-Assertion": await token(key1, { email: ADMIN_EMAIL }), ...SAME_ORIGIN } });
    expect(response.status).toBe(401);
    expect(certsFetches).toBe(0);
  });
});

describe("requireAdminPage", () => {
  const pages = new Hono<AppEnv>().use(identify).get("/admin-page", requireAdminPage, (c) => c.text("the admin page"));
  const open = async (headers: Record<string, string>) => {
    const context = createExecutionContext();
    const response = await pages.request("/admin-page?source=x", { headers: { ...BROWSER_ACCEPT, ...headers } }, { ...env, ...bindings() }, context);
    await waitOnExecutionContext(context);
    return response;
  };

  it("sends someone not signed in to sign in, and back to the page afterwards", async () => {
    const response = await open({});
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/sign-in?next=%2Fadmin-page%3Fsource%3Dx");
  });

  it("shows a reader a 403 page", async () => {
    const response = await open({ "Cf-Access-Jwt-Assertion": await token(key1, { email: "reader@example.org" }) });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("<p>Signed in as reader@example.org, who is not an admin: this page changes what Redline tracks.</p>");
  });

  it("shows an admin the page", async () => {
    const response = await open({ "Cf-Access-Jwt-Assertion": await token(key1, { email: ADMIN_EMAIL }) });
    expect(await response.text()).toBe("the admin page");
  });
});
