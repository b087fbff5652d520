/**
 * The generic webhook: the change as JSON, POSTed and signed with the subscription's HMAC secret
 * (`Redline-Signature-256: sha256=<hex>`, GitHub-style), the delivery id in `Redline-Delivery`.
 */
import { toHex } from "../digest";
import type { ChangeRecord } from "../storage/records";
import { invalidField, resultOfStatus, serviceUrl, shortDetail } from "./fields";
import type { Channel, EditNotice } from "./model";

export interface WebhookConfig {
  /** Where changes are POSTed; public, as it was before channels (the secret signs, the URL does not authenticate). */
  url: string;
}

/** What a subscriber receives (the request body, signed). */
export interface WebhookPayload {
  event: "change";
  /** `<change id>/<subscription id>`: the same on every retry, so receivers can drop duplicates. */
  deliveryId: string;
  change: ChangeRecord;
  links: { article: string; diff: string | null; feed: string };
}

/** The header a delivery's signature travels in, GitHub-style: `sha256=<hex HMAC of the body>`. */
export const SIGNATURE_HEADER = "Redline-Signature-256";

const EXAMPLE = '{"url": "https://example.com/hooks/redline", "kinds": ["body", "title"], "minSignificance": 0.3}';

export async function signatureOf(secret: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `sha256=${toHex(mac)}`;
}

/** 256 random bits as hex, for subscribers who do not bring their own secret. */
export function newSecret(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** The payload's links are the API's, as they were before channels: a receiver is a program, not a reader. */
export function webhookPayload(notice: EditNotice): WebhookPayload {
  const { change } = notice;
  const article = `${new URL(notice.links.article).origin}/api/articles/${change.articleId}`;
  const diff = notice.links.redline === null ? null : `${article}/diff?from=${change.from}&to=${change.to}&format=html`;
  return { event: "change", deliveryId: notice.deliveryId, change, links: { article, diff, feed: notice.links.feed } };
}

export const webhookChannel: Channel<WebhookConfig, string> = {
  type: "webhook",
  parse(body, { allowLoopback }) {
    const url = serviceUrl(body, "url", allowLoopback, `the address changes are POSTed to, e.g. ${EXAMPLE}`);
    const { secret } = body;
    if (secret !== undefined && secret !== null && (typeof secret !== "string" || !/^.{16,256}$/su.test(secret))) {
      throw invalidField("secret", "must be a string of 16 to 256 characters.");
    }
    return { config: { url: url.href }, secret: typeof secret === "string" ? secret : newSecret() };
  },
  async deliver(notice, config, secret, context) {
    const payload = webhookPayload(notice);
    const body = JSON.stringify(payload);
    const response = await context.fetch(config.url, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Redline-Webhooks/0.1",
        "Redline-Event": payload.event,
        "Redline-Delivery": payload.deliveryId,
        [SIGNATURE_HEADER]: await signatureOf(secret, body),
      },
    });
    // A refusal's body explains it; a success's is not read (cancelled, so the connection is freed).
    // Cancelling a body text() has read would throw, turning every refusal into a TypeError.
    const text = response.ok ? "" : await response.text();
    if (response.ok) await response.body?.cancel();
    // Before channels every non-2xx answer was retried until the dead-letter queue: a receiver's
    // 4xx is often a deploy in progress, not a verdict, so it still is.
    const result = resultOfStatus("The webhook", response.status, shortDetail(text), undefined);
    return result.outcome === "failed" ? { outcome: "retry", reason: result.reason } : result;
  },
  describe: (config) => `POST to ${config.url}`,
};
