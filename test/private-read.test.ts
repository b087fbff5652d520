/**
 * PUBLIC_READ=false: every page, feed and API read needs a user (bearer admin token, session,
 * Cloudflare Access) or, for feeds, a feed token (test/feed-tokens.test.ts); sign-in, the static
 * assets and WebSub callbacks stay open. Browsers are sent to sign in, other clients get a 401.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { STYLESHEET } from "../src/web/assets";
import { BROWSER_ACCEPT, call, signIn } from "./auth-helpers";
import { instrumented, reset } from "./helpers";

const PRIVATE = { PUBLIC_READ: "false" };
const CHALLENGE = 'Bearer realm="redline"';

beforeEach(reset);

describe("a private archive", () => {
  it.each([["/"], ["/sources"], ["/articles/some-article"], ["/account"]])("sends a browser from %s to sign in and back", async (path) => {
    const response = await call(path, { headers: BROWSER_ACCEPT, bindings: PRIVATE });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
  });

  it("keeps a page's query in the way back", async () => {
    const response = await call("/?kinds=edit&site=en.yna.co.kr", { headers: BROWSER_ACCEPT, bindings: PRIVATE });
    expect(response.headers.get("Location")).toBe("/sign-in?next=%2F%3Fkinds%3Dedit%26site%3Den.yna.co.kr");
  });

  it.each([["/api/status"], ["/api/articles"], ["/api/search?q=talks"], ["/api/changes"], ["/api/sources.opml"]])("answers an API read of %s with a 401 problem and a Bearer challenge", async (path) => {
    const response = await call(path, { bindings: PRIVATE });
    expect(response.status).toBe(401);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.headers.get("WWW-Authenticate")).toBe(CHALLENGE);
    expect((await response.json<{ detail: string }>()).detail).toBe("This archive is private: sign in, or send `Authorization: Bearer <ADMIN_TOKEN>`.");
  });

  it.each([["/feeds/changes.atom"], ["/feeds/changes.rss"], ["/feeds/sites/en.yna.co.kr.json"]])("answers %s without a token with a 401 saying how to get one", async (path) => {
    const response = await call(path, { headers: { Accept: "application/atom+xml" }, bindings: PRIVATE });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe(CHALLENGE);
    expect((await response.json<{ detail: string }>()).detail).toBe("This archive is private: a feed needs `?token=<feed token>` (create one on /account) or a signed-in user.");
  });

  it("answers a feed with a token that is no one's with the same 401", async () => {
    const response = await call(`/feeds/changes.atom?token=${"A".repeat(43)}`, { bindings: PRIVATE });
    expect(response.status).toBe(401);
  });

  it("still shows the sign-in page, the stylesheet, and lets WebSub hubs reach their callbacks", async () => {
    expect((await call("/sign-in", { headers: BROWSER_ACCEPT, bindings: PRIVATE })).status).toBe(200);
    expect((await call(STYLESHEET.path, { bindings: PRIVATE })).status).toBe(200);
    // No such source: the callback route itself answers, not the sign-in gate.
    const callback = await call("/websub/no-such-source?hub.mode=subscribe&hub.topic=x&hub.challenge=c", { bindings: PRIVATE });
    expect(callback.status).toBe(404);
  });

  it("is read with the bearer admin token, a session, or as an Access user", async () => {
    expect((await call("/api/status", { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` }, bindings: PRIVATE })).status).toBe(200);
    const cookie = await signIn(PRIVATE);
    expect((await call("/sources", { headers: { Cookie: cookie, ...BROWSER_ACCEPT }, bindings: PRIVATE })).status).toBe(200);
    expect((await call("/feeds/changes.atom", { headers: { Cookie: cookie }, bindings: PRIVATE })).status).toBe(200);
  });

  it("does not take a wrong bearer token", async () => {
    expect((await call("/api/status", { headers: { Authorization: "Bearer guess" }, bindings: PRIVATE })).status).toBe(401);
  });

  it("costs a signed-in page view one D1 read for the session and one for the user's pages token", async () => {
    const cookie = await signIn(PRIVATE);
    // The pages token exists after the first view; the second is what every later view costs.
    await call("/sign-in", { headers: { Cookie: cookie, ...BROWSER_ACCEPT }, bindings: PRIVATE });
    const metered = instrumented();
    expect((await call("/sign-in", { headers: { Cookie: cookie, ...BROWSER_ACCEPT }, bindings: { ...PRIVATE, DB: metered.env.DB } })).status).toBe(200);
    expect(metered.d1.trips).toEqual([["SELECT sessions"], ["SELECT feed_tokens"]]);
    expect(metered.d1.rowsRead).toBe(2);
    expect(metered.d1.rowsWritten).toBe(0);
  });
});

describe("a public archive", () => {
  it.each([[undefined], ["true"]])("(PUBLIC_READ %j) is read by anyone, its pages' feed links without tokens", async (value) => {
    const response = await call("/", { headers: BROWSER_ACCEPT, bindings: { PUBLIC_READ: value } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('href="/feeds/changes.atom"');
    expect((await call("/api/status", { bindings: { PUBLIC_READ: value } })).status).toBe(200);
  });

  it("costs a signed-in page view one D1 read for the session", async () => {
    const cookie = await signIn();
    const metered = instrumented();
    await call("/sign-in", { headers: { Cookie: cookie, ...BROWSER_ACCEPT }, bindings: { DB: metered.env.DB } });
    expect(metered.d1.trips).toEqual([["SELECT sessions"]]);
    expect(metered.d1.rowsRead).toBe(1);
  });
});
