/**
 * Feed tokens: `?token=` on a feed URL, for feed readers that cannot sign in. A token is the
 * HMAC of its row's id under a key derived from ADMIN_TOKEN, so the pages can put the signed-in
 * user's own token in their feed links without the token being stored; D1 holds only its SHA-256.
 */
import { hmac, sha256Hex } from "./secrets";

/** The key's HKDF purpose: no other use of ADMIN_TOKEN's derived keys shares it. */
export const FEED_TOKEN_PURPOSE = "redline feed token v1";

export const feedTokenFor = (key: CryptoKey, id: string): Promise<string> => hmac(key, id);

export const feedTokenHash = (token: string): Promise<string> => sha256Hex(token);

/** A plausible token: 43 base64url characters (a 32-byte HMAC); anything else is refused before D1 is asked. */
export const wellFormedFeedToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

/** The name a user gives a token: trimmed, 1–100 characters; null when unusable. */
export function feedTokenName(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const name = raw.trim();
  return name.length >= 1 && name.length <= 100 ? name : null;
}

/** `href` with `token` added to its query, for a feed link on a page; other links are left as they are. */
export function withFeedToken(href: string, token: string): string {
  if (!href.startsWith("/feeds/")) return href;
  const [path, query = ""] = href.split("?", 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.set("token", token);
  return `${path}?${params}`;
}
