/** `/api/subscriptions`: webhook subscriptions. Every route needs the admin token: subscriber URLs are private. */
import { Hono } from "hono";
import { requireAdmin } from "../api/auth";
import { readJsonObject } from "../api/params";
import { problem } from "../api/problem";
import type { AppEnv } from "../app-env";
import { parseKinds, parseMinSignificance } from "../feeds/filter";
import { overlongUrl, refusalReason } from "../fetching/url";
import type { RedlineStore } from "../storage/store";
import { newSecret, publicView, type SubscriptionFilter, type SubscriptionRecord } from "./subscription";
import { quoteInput } from "../quote";

const EXAMPLE = '{"url": "https://example.com/hooks/redline", "kinds": ["body", "title"], "minSignificance": 0.3}';

function webhookUrl(value: unknown, allowLoopback: boolean): string {
  if (typeof value !== "string") throw problem(400, `\`url\` is required: the address changes are POSTed to, e.g. ${EXAMPLE}.`);
  const overlong = overlongUrl(value);
  if (overlong) throw problem(400, `\`url\` is refused: ${overlong}.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem(400, `\`url\` is not an absolute URL: ${quoteInput(value)}.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw problem(400, "`url` must be http(s).");
  const refusal = refusalReason(url.href, allowLoopback);
  if (refusal) throw problem(400, `Changes cannot be delivered to this URL: ${refusal}.`);
  return url.href;
}

function optionalString(value: unknown, name: string, pattern: RegExp, hint: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !pattern.test(value)) throw problem(400, `\`${name}\` must be ${hint}, not ${quoteInput(value)}.`);
  return value;
}

function filterFrom(body: Record<string, unknown>): SubscriptionFilter {
  const { kinds, minSignificance } = body;
  if (kinds !== undefined && !(Array.isArray(kinds) && kinds.every((kind) => typeof kind === "string"))) {
    throw problem(400, "`kinds` must be an array of change kinds, e.g. [\"body\", \"title\"].");
  }
  if (minSignificance !== undefined && typeof minSignificance !== "number") throw problem(400, "`minSignificance` must be a number from 0 to 1.");
  return {
    articleId: optionalString(body.articleId, "articleId", /^[0-9a-f]{16}$/u, "an article id (16 hex digits)"),
    site: optionalString(body.site, "site", /^[a-z0-9.-]{1,253}$/u, "a lower-case host name such as en.yna.co.kr")?.toLowerCase() ?? null,
    kinds: kinds === undefined ? null : parseKinds(kinds),
    minSignificance: minSignificance === undefined ? 0 : parseMinSignificance(String(minSignificance)),
  };
}

export const subscriptions = new Hono<AppEnv>();
subscriptions.use(requireAdmin);

subscriptions.post("/", async (c) => {
  const body = await readJsonObject(c.req.raw, EXAMPLE);
  const url = webhookUrl(body.url, c.env.ALLOW_LOOPBACK === "true");
  const filter = filterFrom(body);
  const secret = optionalString(body.secret, "secret", /^.{16,256}$/su, "a string of 16 to 256 characters") ?? newSecret();
  const { store } = c.var.tracker;
  if (filter.articleId !== null && !(await store.getArticle(filter.articleId))) {
    throw problem(422, `No tracked article has the id ${filter.articleId}.`);
  }
  const subscription: SubscriptionRecord = {
    id: crypto.randomUUID(),
    url,
    filter,
    secret,
    createdAt: new Date().toISOString(),
    origin: new URL(c.req.url).origin,
    deadLettered: 0,
    lastDeadLetter: null,
  };
  await store.putSubscription(subscription);
  // The secret is shown this once, as it must be kept to verify signatures.
  return c.json({ ...publicView(subscription), secret }, 201, { Location: `/api/subscriptions/${subscription.id}` });
});

subscriptions.get("/", async (c) => {
  const { store } = c.var.tracker;
  return c.json({ items: (await store.listSubscriptions()).map(publicView) });
});

async function loadSubscription(store: RedlineStore, id: string): Promise<SubscriptionRecord> {
  const subscription = await store.getSubscription(id);
  if (!subscription) throw problem(404, `No subscription has the id ${id}.`);
  return subscription;
}

subscriptions.get("/:id", async (c) => c.json(publicView(await loadSubscription(c.var.tracker.store, c.req.param("id")))));

subscriptions.delete("/:id", async (c) => {
  const { store } = c.var.tracker;
  const subscription = await loadSubscription(store, c.req.param("id"));
  await store.deleteSubscription(subscription.id);
  return c.body(null, 204);
});
