/**
 * Sign-in settings read from the Worker's environment (src/env.ts): plain values in, plain values
 * out, so the rules are tested without a Worker.
 */

/** Cloudflare Access, when both its variables are set: tokens are checked against the team's keys. */
export interface AccessSettings {
  /** e.g. `redline.cloudflareaccess.com`: the issuer is `https://<teamDomain>`, the keys at `/cdn-cgi/access/certs`. */
  teamDomain: string;
  /** The application's AUD tag: a token for another Access application is refused. */
  audience: string;
  /** Lower-cased emails of the Access users who may write; every other Access user only reads. */
  adminEmails: ReadonlySet<string>;
}

export interface AuthEnv {
  PUBLIC_READ?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  ADMIN_EMAILS?: string;
}

/**
 * Reads are public unless PUBLIC_READ says otherwise: unset, empty or "true" keep the archive
 * public; any other value ("false", or a typo) makes it private, so a mistake fails closed.
 */
export const publicRead = (env: AuthEnv): boolean => env.PUBLIC_READ === undefined || ["", "true"].includes(env.PUBLIC_READ.trim().toLowerCase());

export function accessSettings(env: AuthEnv): AccessSettings | null {
  // Accepts the team domain as shown in the dashboard, with or without its scheme.
  const teamDomain = env.ACCESS_TEAM_DOMAIN?.trim().replace(/^https:\/\//, "").replace(/\/+$/, "");
  const audience = env.ACCESS_AUD?.trim();
  if (!teamDomain || !audience) return null;
  const adminEmails = new Set(
    (env.ADMIN_EMAILS ?? "")
      .split(",")
      .map((email) => email.trim().toLowerCase())
      .filter((email) => email !== ""),
  );
  return { teamDomain, audience, adminEmails };
}

/**
 * Where to go after signing in: a path on this site only. Anything else (an absolute URL,
 * `//host`, a backslash a browser may read as a slash) goes home, so the link cannot send a
 * signed-in admin elsewhere.
 */
export function nextPath(raw: string | undefined | null): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || /[\\\s]/.test(raw)) return "/";
  return raw;
}

/** `Authorization: Bearer <token>`'s token, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return match ? match[1]!.trim() : null;
}
