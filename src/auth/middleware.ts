/**
 * Who is asking, and what they may do: the middleware src/app.ts runs before every route
 * (`identify`, `csrfGuard`, `privateRead`), and `requireAdminPage` for the HTML admin pages.
 * The rules they apply are plain functions in settings.ts, session.ts and access-jwt.ts.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { problem } from "../api/problem";
import type { AppEnv } from "../app-env";
import { webErrorResponse } from "../web/routes";
import { accessEmail } from "./access-keys";
import { feedTokenFor, feedTokenHash, wellFormedFeedToken, withFeedToken } from "./feed-tokens";
import { feedTokenKey, sessionKey } from "./keys";
import { randomId, sameSecret } from "./secrets";
import { openSession, sessionCookieValue } from "./session";
import { accessSettings, bearerToken, publicRead } from "./settings";
import { adminUser, type User } from "./user";

type AuthContext = Context<AppEnv>;

/** The session a request's cookie names, if its signature and expiry hold (no D1 read). */
export async function sessionClaimOf(c: AuthContext, nowMs: number) {
  const value = sessionCookieValue(c.req.header("Cookie"));
  const secret = c.env.ADMIN_TOKEN;
  if (value === null || !secret) return null;
  return openSession(await sessionKey(secret), value, Math.floor(nowMs / 1000));
}

/**
 * The request's user, tried in this order: the bearer admin token (no I/O), the session cookie
 * (one D1 primary-key read), a Cloudflare Access token (keys cached; a fetch only when they are
 * not). Anything that does not hold makes no user, never an error: the route decides.
 */
async function identifyUser(c: AuthContext): Promise<User | null> {
  const env = c.env;
  const nowMs = Date.now();
  const bearer = bearerToken(c.req.header("Authorization"));
  if (bearer !== null && env.ADMIN_TOKEN && (await sameSecret(bearer, env.ADMIN_TOKEN))) return adminUser("token");
  const claim = await sessionClaimOf(c, nowMs);
  if (claim && (await c.var.tracker.access.sessionOpen(claim.id, nowMs))) return adminUser("session");
  const assertion = c.req.header("Cf-Access-Jwt-Assertion");
  const access = accessSettings(env);
  if (assertion && access) {
    const email = await accessEmail(assertion, access, env.ALLOW_LOOPBACK === "true", nowMs);
    if (email !== null) return { id: email, name: email, admin: access.adminEmails.has(email), via: "access" };
  }
  return null;
}

/** Sets `c.var.user` once per request, before any route runs. */
export const identify = createMiddleware<AppEnv>(async (c, next) => {
  c.set("user", await identifyUser(c));
  await next();
});

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;
const originCheck = csrf();

const crossSiteRefusal = () =>
  problem(403, "This request came from another site (its Origin or Sec-Fetch-Site is not this site's), so it was refused: send it from Redline's own pages, or with `Authorization: Bearer <ADMIN_TOKEN>` and no cookie.");

const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/**
 * Cross-site request forgery: a state-changing request is refused unless it comes from this
 * site, whenever a browser could have sent it on a user's behalf. That is any request carrying a
 * cookie (the session, or Access's CF_Authorization, for which the edge adds its JWT), and any form
 * post without one (a forged sign-in). hono's `csrf()` checks form and text content types; a
 * cookie-borne request of any other type gets the same Origin/Sec-Fetch-Site test here. A request
 * with neither a cookie nor a form body carries no one's credentials but its own (a bearer token,
 * which a browser never adds by itself, or nothing) and passes.
 */
export const csrfGuard = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE_METHOD.test(c.req.method)) return next();
  // A browser signed in through Access sends its CF_Authorization cookie too, so a Cookie header covers both kinds of session;
  // Access's service-token clients (no cookie) are not browsers and pass like bearer clients.
  const ambient = c.req.header("Cookie") !== undefined;
  const bearer = bearerToken(c.req.header("Authorization")) !== null;
  if (!ambient && (bearer || !FORM_TYPE.test(c.req.header("Content-Type") ?? ""))) return next();
  let passed = false;
  try {
    await originCheck(c, async () => {
      passed = true;
    });
  } catch (error) {
    if (!(error instanceof HTTPException && error.status === 403)) throw error;
    return webErrorResponse(crossSiteRefusal(), c);
  }
  // hono's check passes every non-form content type unexamined; a cookie makes those a risk too.
  const sameSite = c.req.header("Sec-Fetch-Site") === "same-origin" || c.req.header("Origin") === new URL(c.req.url).origin;
  if (!passed || (ambient && !sameSite)) return webErrorResponse(crossSiteRefusal(), c);
  return next();
});

/** The sign-in page that comes back to `path` afterwards. */
export const signInPath = (path: string): string => `/sign-in?next=${encodeURIComponent(path)}`;

const pathWithQuery = (c: AuthContext): string => {
  const url = new URL(c.req.url);
  return `${url.pathname}${url.search}`;
};

/**
 * Paths anyone may read when the archive is private: signing in, the stylesheet and icon, and
 * WebSub hubs' callbacks (they prove themselves with the subscription's secret).
 */
const OPEN_PATHS = [/^\/sign-in$/, /^\/sign-out$/, /^\/static\//, /^\/websub\//];

/** Feed readers poll often: one write an hour per token is enough for "last used". */
const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000;

/** Whether `?token=` on a feed request is a live feed token; a use is recorded at most hourly. */
async function feedTokenAdmits(c: AuthContext): Promise<boolean> {
  const token = c.req.query("token");
  if (!token || !c.req.path.startsWith("/feeds/") || !wellFormedFeedToken(token)) return false;
  const store = c.var.tracker.access;
  const found = await store.feedTokenByHash(await feedTokenHash(token));
  if (!found) return false;
  const nowMs = Date.now();
  if (found.lastUsedAt === null || nowMs - found.lastUsedAt >= LAST_USED_RESOLUTION_MS) c.executionCtx.waitUntil(store.touchFeedToken(found.id, nowMs));
  return true;
}

const wantsHtml = (c: AuthContext): boolean => c.req.header("Accept")?.includes("text/html") ?? false;

/**
 * PUBLIC_READ=false: nothing is read without a user, except the open paths and feeds with a
 * valid token. Browsers are sent to sign in; API clients and feed readers get a 401.
 */
export const privateRead = createMiddleware<AppEnv>(async (c, next) => {
  if (publicRead(c.env) || c.var.user !== null || OPEN_PATHS.some((path) => path.test(c.req.path))) return next();
  if (await feedTokenAdmits(c)) return next();
  if (wantsHtml(c) && SAFE_METHOD.test(c.req.method)) return c.redirect(signInPath(pathWithQuery(c)), 303);
  const detail = c.req.path.startsWith("/feeds/")
    ? "This archive is private: a feed needs `?token=<feed token>` (create one on /account) or a signed-in user."
    : "This archive is private: sign in, or send `Authorization: Bearer <ADMIN_TOKEN>`.";
  throw problem(401, detail, { "WWW-Authenticate": 'Bearer realm="redline"' });
});

/**
 * For HTML admin pages: nobody signed in is sent to sign in and back; a signed-in reader gets a
 * 403 page.
 */
export const requireAdminPage = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.var.user;
  if (user === null) return c.redirect(signInPath(pathWithQuery(c)), 303);
  if (!user.admin) return webErrorResponse(problem(403, `Signed in as ${user.name}, who is not an admin: this page changes what Redline tracks.`), c);
  return next();
});

const PAGES_TOKEN_NAME = "Feed links on pages";

/**
 * The signed-in user's pages token: the one their pages' feed links carry. Created on their
 * first page view; recreated when ADMIN_TOKEN was rotated (the HMAC no longer matches its hash).
 */
async function pagesToken(c: AuthContext, user: User, secret: string): Promise<string> {
  const store = c.var.tracker.access;
  const key = await feedTokenKey(secret);
  const held = await store.pagesTokenOf(user.id);
  if (held) {
    const token = await feedTokenFor(key, held.id);
    if ((await feedTokenHash(token)) === held.tokenHash) return token;
    await store.revokeFeedToken(user.id, held.id);
  }
  const id = randomId();
  const token = await feedTokenFor(key, id);
  if (await store.addFeedToken({ id, userId: user.id, name: PAGES_TOKEN_NAME, forPages: true, createdAt: Date.now() }, await feedTokenHash(token))) return token;
  // A page view beside this one created it first: use theirs.
  const theirs = await store.pagesTokenOf(user.id);
  return theirs ? feedTokenFor(key, theirs.id) : token;
}

/**
 * In a private archive a feed reader needs a token, so every `/feeds/` link of a signed-in
 * user's HTML page carries theirs (a D1 read per page view); public archives' pages are untouched.
 */
export const feedLinksWithToken = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const user = c.var.user;
  const secret = c.env.ADMIN_TOKEN;
  if (publicRead(c.env) || user === null || !secret || !c.res.headers.get("Content-Type")?.startsWith("text/html")) return;
  const token = await pagesToken(c, user, secret);
  const rewrite = {
    element(element: Element) {
      element.setAttribute("href", withFeedToken(element.getAttribute("href")!, token));
    },
  };
  c.res = new HTMLRewriter().on("a[href^='/feeds/']", rewrite).on("link[href^='/feeds/']", rewrite).transform(c.res);
});
