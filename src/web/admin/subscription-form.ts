/**
 * The subscriptions page's forms, as plain data and pure functions: each channel type's own
 * fields (named as the `POST /api/subscriptions` body's), the shared filters, and a posted form
 * read as that body. Tested on plain values in subscription-form.test.ts.
 */
import type { ChannelType } from "../../channels/model";
import type { FormValues } from "./form";

export interface FormField {
  name: string;
  label: string;
  /** The input's type; `select` offers `options`. Secrets are `password` so the page never shows them back. */
  input: "url" | "text" | "email" | "password" | "select";
  required: boolean;
  hint: string;
  options?: readonly string[];
}

/** Each type's own fields, in the order the form shows them. */
export const CHANNEL_FORMS: Record<ChannelType, { title: string; intro: string; fields: readonly FormField[] }> = {
  webhook: {
    title: "Webhook",
    intro: "Each change POSTed as JSON, signed with HMAC-SHA256 in Redline-Signature-256.",
    fields: [
      { name: "url", label: "URL", input: "url", required: true, hint: "Where each change is POSTed." },
      { name: "secret", label: "Signing secret", input: "password", required: false, hint: "16 to 256 characters; empty: Redline makes one and shows it once." },
    ],
  },
  slack: {
    title: "Slack",
    intro: "An incoming webhook of a Slack app (api.slack.com/messaging/webhooks); the URL is stored encrypted.",
    fields: [
      { name: "url", label: "Incoming webhook URL", input: "password", required: true, hint: "https://hooks.slack.com/services/…" },
      { name: "label", label: "Label", input: "text", required: false, hint: "Who reads it, e.g. #newsroom (the URL does not say)." },
    ],
  },
  discord: {
    title: "Discord",
    intro: "A channel webhook (Server settings → Integrations → Webhooks); the URL is stored encrypted.",
    fields: [
      { name: "url", label: "Webhook URL", input: "password", required: true, hint: "https://discord.com/api/webhooks/<id>/<token>" },
      { name: "label", label: "Label", input: "text", required: false, hint: "Who reads it, e.g. #edits." },
    ],
  },
  email: {
    title: "Email",
    intro: "Sent through Cloudflare Email Routing's send_email binding (EMAIL in wrangler.toml).",
    fields: [
      { name: "to", label: "To", input: "email", required: true, hint: "An address verified in Email Routing." },
      { name: "from", label: "From", input: "email", required: true, hint: "An address on your Email Routing domain." },
    ],
  },
  mastodon: {
    title: "Mastodon",
    intro: "A status with the redline image, posted with an application's access token; the token is stored encrypted.",
    fields: [
      { name: "instance", label: "Instance", input: "url", required: true, hint: "The instance's address, e.g. https://mastodon.social." },
      { name: "accessToken", label: "Access token", input: "password", required: true, hint: "Scopes write:statuses and write:media." },
      { name: "visibility", label: "Visibility", input: "select", required: false, hint: "Default unlisted.", options: ["unlisted", "public", "private"] },
    ],
  },
  bluesky: {
    title: "Bluesky",
    intro: "A post with the redline image; the app password is stored encrypted.",
    fields: [
      { name: "identifier", label: "Handle or DID", input: "text", required: true, hint: "e.g. redline.bsky.social" },
      { name: "appPassword", label: "App password", input: "password", required: true, hint: "xxxx-xxxx-xxxx-xxxx, made under Settings → Privacy and security → App passwords." },
      { name: "service", label: "PDS", input: "url", required: false, hint: "Empty: https://bsky.social." },
    ],
  },
  wayback: {
    title: "Wayback Machine",
    intro: "Each new version saved with Save Page Now 2; the keys are stored encrypted.",
    fields: [
      { name: "accessKey", label: "Access key", input: "text", required: true, hint: "From archive.org/account/s3.php." },
      { name: "secretKey", label: "Secret key", input: "password", required: true, hint: "From the same page." },
    ],
  },
};

/** The shared filters' text fields (kinds are checkboxes). */
export const FILTER_FIELDS: readonly FormField[] = [
  { name: "site", label: "Site", input: "text", required: false, hint: "Only articles on this host, e.g. en.yna.co.kr." },
  { name: "source", label: "Source id", input: "text", required: false, hint: "Only articles this source found (its page shows the id)." },
  { name: "articleId", label: "Article id", input: "text", required: false, hint: "Only this article's changes." },
  { name: "minSignificance", label: "Minimum significance", input: "text", required: false, hint: "0 to 1; empty: every change." },
];

/** Every field a refusal may name on the form of `type`: its own, the filters', and the kinds. */
export function formFieldNames(type: ChannelType): string[] {
  return [...CHANNEL_FORMS[type].fields.map((field) => field.name), ...FILTER_FIELDS.map((field) => field.name), "kinds"];
}

/**
 * The API body a posted form stands for: empty fields left out (the API's defaults), the kinds
 * ticked as a list, the significance a number when it reads as one (else the text, which the
 * API refuses naming the field).
 */
export function subscriptionBody(type: ChannelType, values: FormValues, kinds: readonly string[]): Record<string, unknown> {
  const body: Record<string, unknown> = { type };
  for (const { name } of [...CHANNEL_FORMS[type].fields, ...FILTER_FIELDS]) {
    const value = values[name]?.trim();
    if (value) body[name] = value;
  }
  const significance = body.minSignificance;
  if (typeof significance === "string" && /^\d*\.?\d+$/u.test(significance)) body.minSignificance = Number(significance);
  if (kinds.length > 0) body.kinds = [...kinds];
  return body;
}
