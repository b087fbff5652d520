/**
 * The keys and comparisons behind sessions and feed tokens. Everything here computes on plain
 * values (no storage), with Web Crypto as workerd and Node both provide it.
 */

const encoder = new TextEncoder();

/** Base64url without padding: safe in cookies and query strings as is. */
export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `length` random bytes as base64url: session and feed token ids. */
export function randomId(length = 16): string {
  return base64url(crypto.getRandomValues(new Uint8Array(length)));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether two secrets are equal, in a time that does not depend on where they differ: their
 * digests (always 32 bytes) are compared with timingSafeEqual, which needs equal lengths.
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(given)), crypto.subtle.digest("SHA-256", encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/**
 * The HMAC key that signs session cookies and derives feed tokens: HKDF-SHA256 of the admin
 * token, so no second secret has to be configured, and rotating ADMIN_TOKEN ends every session.
 * `purpose` separates the keys of different uses of the same secret.
 */
export async function derivedHmacKey(secret: string, purpose: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("redline"), info: encoder.encode(purpose) },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

export async function hmac(key: CryptoKey, message: string): Promise<string> {
  return base64url(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}
