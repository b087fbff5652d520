/**
 * Cloudflare Access's application token (`Cf-Access-Jwt-Assertion`), checked as Cloudflare
 * documents: RS256, signed by one of the team's keys, `aud` the application's AUD tag, `iss`
 * the team domain, within exp/nbf. Pure: the keys and the clock come in as values; fetching and
 * caching the keys is access-keys.ts. hono's own JWT code checks the signature, header and claims;
 * only exp/nbf are checked here, because hono allows no clock leeway.
 */
import { decodeHeader, verify } from "hono/utils/jwt/jwt";
import type { AccessSettings } from "./settings";

/** Clock skew allowed between Cloudflare's edge and this Worker. */
export const LEEWAY_SECONDS = 60;

export type AccessVerdict =
  /** The token holds: who it names. */
  | { ok: true; email: string }
  /** No key in `keys` has the token's kid: the team may have rotated its keys. */
  | { ok: false; unknownKid: true }
  | { ok: false; unknownKid: false; reason: string };

const refused = (reason: string): AccessVerdict => ({ ok: false, unknownKid: false, reason });

export async function verifyAccessToken(token: string, keys: readonly JsonWebKey[], settings: AccessSettings, nowSeconds: number): Promise<AccessVerdict> {
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decodeHeader(token) as typeof header;
  } catch {
    return refused("not a JWT");
  }
  // Only RS256, whatever the token says: `none` and HMAC algorithms are refused before any key is looked at.
  if (header.alg !== "RS256") return refused(`alg ${String(header.alg)} is not RS256`);
  const key = keys.find((candidate) => (candidate as { kid?: string }).kid === header.kid);
  if (!key) return { ok: false, unknownKid: true };
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, { ...key, alg: "RS256" }, { alg: "RS256", iss: `https://${settings.teamDomain}`, aud: settings.audience, exp: false, nbf: false, iat: false })) as Record<string, unknown>;
  } catch (error) {
    return refused(error instanceof Error ? error.name : "invalid");
  }
  if (typeof payload.exp !== "number" || payload.exp + LEEWAY_SECONDS <= nowSeconds) return refused("expired");
  if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || payload.nbf - LEEWAY_SECONDS > nowSeconds)) return refused("not yet valid");
  if (typeof payload.email !== "string" || payload.email === "") return refused("no email: a service token, which reads nothing here");
  return { ok: true, email: payload.email.toLowerCase() };
}
