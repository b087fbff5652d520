import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { accessSettings, bearerToken } from "../auth/settings";
import { problem } from "./problem";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="redline"' };

/**
 * Every write needs an admin: `Authorization: Bearer <ADMIN_TOKEN>`, or a signed-in admin (the
 * session cookie, or a Cloudflare Access user listed in ADMIN_EMAILS). `identify`
 * (src/auth/middleware.ts) has already found who is asking.
 */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.var.user;
  if (user?.admin) return next();
  const canSignIn = Boolean(c.env.ADMIN_TOKEN) || accessSettings(c.env) !== null;
  if (!canSignIn) throw problem(503, "Writes are disabled: neither the ADMIN_TOKEN secret nor Cloudflare Access (ACCESS_TEAM_DOMAIN, ACCESS_AUD) is configured on this Worker.");
  if (bearerToken(c.req.header("Authorization")) !== null) {
    if (!c.env.ADMIN_TOKEN) throw problem(401, "Bearer tokens are not accepted: the ADMIN_TOKEN secret is not configured on this Worker.", CHALLENGE);
    throw problem(401, "The bearer token is not the admin token.", CHALLENGE);
  }
  if (user) throw problem(403, `Signed in as ${user.name}, who is not an admin: writes need an admin.`);
  throw problem(401, "This endpoint needs `Authorization: Bearer <ADMIN_TOKEN>` or a signed-in admin.", CHALLENGE);
});
