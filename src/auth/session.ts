/**
 * The session cookie: `<session id>.<expiry, epoch seconds>.<HMAC-SHA256 of both>`, signed with
 * a key derived from ADMIN_TOKEN (secrets.ts). The expiry inside the signed value ends a session
 * even if a browser keeps the cookie past its Max-Age; sign-out ends it at once by deleting the
 * session's D1 row, which every request checks (src/storage/access.ts).
 */
import { hmac } from "./secrets";

/** `__Host-`: the browser takes the cookie only over a secure context, for Path=/, with no Domain. */
export const SESSION_COOKIE = "__Host-redline-session";
/** Twelve hours: a working day, after which the admin token is asked for again. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface SessionClaim {
  id: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export async function sealSession(key: CryptoKey, claim: SessionClaim): Promise<string> {
  const body = `${claim.id}.${claim.expiresAt}`;
  return `${body}.${await hmac(key, body)}`;
}

function base64urlBytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The claim of a cookie value whose signature holds and whose expiry is after `nowSeconds`; null otherwise. */
export async function openSession(key: CryptoKey, value: string, nowSeconds: number): Promise<SessionClaim | null> {
  const match = /^([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return null;
  const [, id, expiry, signature] = match as unknown as [string, string, string, string];
  const signatureBytes = base64urlBytes(signature);
  // subtle.verify compares the MAC in constant time.
  if (!signatureBytes || !(await crypto.subtle.verify("HMAC", key, signatureBytes, new TextEncoder().encode(`${id}.${expiry}`)))) return null;
  const expiresAt = Number(expiry);
  return expiresAt > nowSeconds ? { id, expiresAt } : null;
}

const COOKIE_ATTRIBUTES = "Path=/; HttpOnly; Secure; SameSite=Strict";

/** The Set-Cookie of a new session: Max-Age matches the signed expiry. */
export const sessionCookie = (value: string, maxAgeSeconds: number): string => `${SESSION_COOKIE}=${value}; Max-Age=${maxAgeSeconds}; ${COOKIE_ATTRIBUTES}`;

/** The Set-Cookie that makes the browser drop the session cookie. */
export const clearedSessionCookie = (): string => `${SESSION_COOKIE}=; Max-Age=0; ${COOKIE_ATTRIBUTES}`;

/** The session cookie's value in a Cookie header, or null. */
export function sessionCookieValue(cookieHeader: string | undefined): string | null {
  for (const pair of (cookieHeader ?? "").split(";")) {
    const [name, ...value] = pair.trim().split("=");
    if (name === SESSION_COOKIE) return value.join("=");
  }
  return null;
}
