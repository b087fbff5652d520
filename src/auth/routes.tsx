/**
 * Signing in and out, and the account page's feed tokens: thin routes over src/auth's rules and
 * the D1 questions of src/storage/access.ts. Mounted at `/` (src/app.ts).
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { problem } from "../api/problem";
import type { AppContext, AppEnv } from "../app-env";
import { RENDERING_HEADERS } from "../security-headers";
import { webErrorResponse } from "../web/routes";
import { AccountPage, type NewFeedToken } from "../web/pages/account";
import { SignInPage } from "../web/pages/sign-in";
import { feedTokenFor, feedTokenHash, feedTokenName } from "./feed-tokens";
import { feedTokenKey, sessionKey } from "./keys";
import { sessionClaimOf, signInPath } from "./middleware";
import { randomId, sameSecret } from "./secrets";
import { clearedSessionCookie, sealSession, sessionCookie, SESSION_TTL_SECONDS } from "./session";
import { accessSettings, nextPath } from "./settings";
import type { User } from "./user";

const render = (c: AppContext, page: string | Promise<string>, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}) =>
  c.html(page, status, { ...RENDERING_HEADERS, "Cache-Control": "no-store", ...headers });

const formText = (form: Record<string, unknown>, name: string): string | undefined => (typeof form[name] === "string" ? (form[name] as string) : undefined);

export const auth = new Hono<AppEnv>();

function signInPage(c: AppContext, next: string, error: string | null, status: ContentfulStatusCode = 200) {
  return render(c, <SignInPage next={next} error={error} access={accessSettings(c.env) !== null} tokenSignIn={Boolean(c.env.ADMIN_TOKEN)} />, status);
}

auth.get("/sign-in", (c) => signInPage(c, nextPath(c.req.query("next")), null));

auth.post("/sign-in", async (c) => {
  const form = await c.req.parseBody();
  const next = nextPath(formText(form, "next"));
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) throw problem(503, "Signing in with the admin token is off: the ADMIN_TOKEN secret is not configured on this Worker.");
  const given = formText(form, "token")?.trim() ?? "";
  if (given === "") return signInPage(c, next, "Enter the admin token.", 400);
  if (!(await sameSecret(given, expected))) return signInPage(c, next, "That is not the admin token.", 401);
  const nowMs = Date.now();
  const expiresAt = Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS;
  const id = randomId();
  // The row first: a cookie is only ever handed out for a session D1 already holds.
  await c.var.tracker.access.openSession(id, nowMs, expiresAt * 1000);
  const value = await sealSession(await sessionKey(expected), { id, expiresAt });
  c.header("Set-Cookie", sessionCookie(value, SESSION_TTL_SECONDS));
  return c.redirect(next, 303);
});

auth.post("/sign-out", async (c) => {
  const claim = await sessionClaimOf(c, Date.now());
  if (claim) await c.var.tracker.access.closeSession(claim.id);
  c.header("Set-Cookie", clearedSessionCookie());
  // An Access user's sign-in is Access's own cookie: its logout endpoint ends it.
  return c.redirect(c.var.user?.via === "access" ? "/cdn-cgi/access/logout" : "/", 303);
});

/** The signed-in user, or a redirect to sign in and back. */
const signedIn = (c: AppContext): User | Response => c.var.user ?? c.redirect(signInPath(new URL(c.req.url).pathname), 303);

async function accountPage(c: AppContext, user: User, created: NewFeedToken | null, nameError: string | null, status: ContentfulStatusCode = 200) {
  const tokens = await c.var.tracker.access.feedTokensOf(user.id);
  return render(c, <AccountPage user={user} tokens={tokens} created={created} nameError={nameError} tokensAvailable={Boolean(c.env.ADMIN_TOKEN)} />, status);
}

auth.get("/account", async (c) => {
  const user = signedIn(c);
  return user instanceof Response ? user : accountPage(c, user, null, null);
});

auth.post("/account/feed-tokens", async (c) => {
  const user = signedIn(c);
  if (user instanceof Response) return user;
  const secret = c.env.ADMIN_TOKEN;
  if (!secret) throw problem(503, "Feed tokens are off: their key derives from the ADMIN_TOKEN secret, which is not configured on this Worker.");
  const form = await c.req.parseBody();
  const name = feedTokenName(formText(form, "name"));
  if (name === null) return accountPage(c, user, null, "A token needs a name of 1 to 100 characters.", 400);
  const id = randomId();
  const token = await feedTokenFor(await feedTokenKey(secret), id);
  await c.var.tracker.access.addFeedToken({ id, userId: user.id, name, forPages: false, createdAt: Date.now() }, await feedTokenHash(token));
  const feedUrl = `${new URL(c.req.url).origin}/feeds/changes.atom?token=${token}`;
  return accountPage(c, user, { name, token, feedUrl }, null, 201);
});

auth.post("/account/feed-tokens/:id/revoke", async (c) => {
  const user = signedIn(c);
  if (user instanceof Response) return user;
  const revoked = await c.var.tracker.access.revokeFeedToken(user.id, c.req.param("id"));
  if (!revoked) throw problem(404, "You have no feed token with this id: it may be revoked already.");
  return c.redirect("/account", 303);
});

auth.onError(webErrorResponse);
