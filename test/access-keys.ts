/**
 * A Cloudflare Access team for tests: RSA key pairs made with Web Crypto, and tokens signed as
 * Access signs its application tokens (RS256, `kid` in the header, aud an array, iss the team).
 */
import { sign } from "hono/utils/jwt/jwt";

export const TEAM_DOMAIN = "redline-test.cloudflareaccess.com";
export const AUD = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

export interface TeamKey {
  kid: string;
  publicJwk: JsonWebKey;
  privateJwk: JsonWebKey;
}

export async function teamKey(kid: string): Promise<TeamKey> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const publicJwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const privateJwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return { kid, publicJwk: { ...publicJwk, kid, alg: "RS256", use: "sig" } as JsonWebKey, privateJwk: { ...privateJwk, kid, alg: "RS256" } as JsonWebKey };
}

/** The JWKS body of `/cdn-cgi/access/certs` (its `public_cert`s left out: Redline reads `keys`). */
export const jwks = (...keys: TeamKey[]) => ({ keys: keys.map((key) => key.publicJwk) });

export interface Claims {
  email?: string;
  aud?: string | string[];
  iss?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  [claim: string]: unknown;
}

/** An application token for `email`, valid for five minutes from `nowSeconds` unless `claims` say otherwise. */
export function accessToken(key: TeamKey, nowSeconds: number, claims: Claims = {}): Promise<string> {
  return sign(
    { aud: [AUD], email: "reader@example.org", exp: nowSeconds + 300, iat: nowSeconds, nbf: nowSeconds, iss: `https://${TEAM_DOMAIN}`, type: "app", sub: "7335d417", ...claims },
    key.privateJwk,
    "RS256",
  );
}
