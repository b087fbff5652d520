/**
 * The team's signing keys (`https://<team domain>/cdn-cgi/access/certs`), kept per isolate and in
 * the Cache API for an hour, so a request pays no fetch; a token naming a kid the cached keys
 * lack makes one fresh fetch (Cloudflare rotates the keys every six weeks).
 */
import { refusalReason } from "../fetching/url";
import { verifyAccessToken } from "./access-jwt";
import type { AccessSettings } from "./settings";

const KEYS_TTL_MS = 60 * 60 * 1000;

interface CachedKeys {
  keys: JsonWebKey[];
  fetchedAt: number;
}

const isolateKeys = new Map<string, CachedKeys>();

export const certsUrl = (teamDomain: string): string => `https://${teamDomain}/cdn-cgi/access/certs`;

async function fetchKeys(url: string, allowLoopback: boolean): Promise<JsonWebKey[]> {
  const refusal = refusalReason(url, allowLoopback);
  if (refusal) throw new Error(`Access keys not fetched: ${refusal}`);
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`Access keys: ${url} answered ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error(`Access keys: ${url} has no keys array`);
  const keys = body.keys as JsonWebKey[];
  // The Cache API copy serves this colo's other isolates.
  await caches.default.put(url, new Response(JSON.stringify({ keys }), { headers: { "Content-Type": "application/json", "Cache-Control": `max-age=${KEYS_TTL_MS / 1000}` } }));
  return keys;
}

async function cachedKeys(url: string, nowMs: number): Promise<JsonWebKey[] | null> {
  const held = isolateKeys.get(url);
  if (held && nowMs - held.fetchedAt < KEYS_TTL_MS) return held.keys;
  const cached = await caches.default.match(url);
  if (!cached) return null;
  const keys = ((await cached.json()) as { keys: JsonWebKey[] }).keys;
  isolateKeys.set(url, { keys, fetchedAt: nowMs });
  return keys;
}

/** The email of a valid Access token, or null (logged once per refusal, the token left out). */
export async function accessEmail(token: string, settings: AccessSettings, allowLoopback: boolean, nowMs: number): Promise<string | null> {
  const url = certsUrl(settings.teamDomain);
  const now = Math.floor(nowMs / 1000);
  const refetch = async () => {
    const keys = await fetchKeys(url, allowLoopback);
    isolateKeys.set(url, { keys, fetchedAt: nowMs });
    return keys;
  };
  try {
    const held = await cachedKeys(url, nowMs);
    let verdict = await verifyAccessToken(token, held ?? (await refetch()), settings, now);
    if (!verdict.ok && verdict.unknownKid && held !== null) verdict = await verifyAccessToken(token, await refetch(), settings, now);
    if (verdict.ok) return verdict.email;
    console.warn(JSON.stringify({ event: "access-token-refused", reason: verdict.unknownKid ? "unknown kid" : verdict.reason }));
  } catch (error) {
    // Without the keys no token can be checked: the request goes on as nobody's, and the log says why.
    console.error(JSON.stringify({ event: "access-keys-unavailable", error: String(error) }));
  }
  return null;
}
