/**
 * Webhook subscriptions: who wants which changes, and the pure parts of delivering them
 * (matching, signing, retry delays), testable without KV, queues or HTTP.
 */
import { toHex } from "../digest";
import { matchesFilter } from "../feeds/filter";
import type { ChangeListItem, SubscriptionFilter, SubscriptionRecord } from "../storage/records";

export type { SubscriptionFilter, SubscriptionRecord } from "../storage/records";

/** What a subscription looks like to anyone but its creator: everything except the secret. */
export type SubscriptionView = Omit<SubscriptionRecord, "secret">;

export function publicView({ secret: _secret, ...view }: SubscriptionRecord): SubscriptionView {
  return view;
}

/**
 * Whether `change` goes to a subscriber with `filter`. Changes detected before the subscription
 * existed never do: a new subscriber gets what happens from then on.
 */
export function wantsChange(filter: SubscriptionFilter, createdAt: string, change: ChangeListItem): boolean {
  if (Date.parse(change.detectedAt) < Date.parse(createdAt)) return false;
  if (filter.articleId !== null && change.articleId !== filter.articleId) return false;
  if (filter.site !== null && new URL(change.url).hostname !== filter.site) return false;
  return matchesFilter(change, filter);
}

/** The header a delivery's signature travels in, GitHub-style: `sha256=<hex HMAC of the body>`. */
export const SIGNATURE_HEADER = "Redline-Signature-256";

export async function signatureOf(secret: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `sha256=${toHex(mac)}`;
}

/** 30 s after the first failure, doubling each time, at most an hour between attempts. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

/** 256 random bits as hex, for subscribers who do not bring their own secret. */
export function newSecret(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}
