/**
 * Who sent a request, as `identify` (src/auth/middleware.ts) finds it once per request and every
 * handler reads it from `c.var.user`.
 */
export interface User {
  /** "admin" for the admin token (bearer or session); the Access identity's email for Cloudflare Access. */
  id: string;
  /** What the header shows after "Signed in as". */
  name: string;
  /** Admins may write; other signed-in users may only read. */
  admin: boolean;
  /** How the request proved it: the bearer admin token, a session cookie, or a Cloudflare Access JWT. */
  via: "token" | "session" | "access";
}

/** The admin token's holder, whether it came as a bearer token or was exchanged for a session. */
export const ADMIN_ID = "admin";

export const adminUser = (via: "token" | "session"): User => ({ id: ADMIN_ID, name: "admin", admin: true, via });
