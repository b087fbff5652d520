/**
 * Channel subscriptions: who wants which changes, and the pure parts of delivering them (the
 * shared filters, matching, retry delays, the public view), testable without D1, queues or HTTP.
 */
import { invalidField } from "./fields";
import { BadParameterError, matchesFilter, parseKinds, parseMinSignificance } from "../feeds/filter";
import type { ChangeListItem } from "../storage/records";
import type { ChannelFilter, DeadLetter, StoredSubscription } from "../storage/subscriptions";
import { quoteInput } from "../quote";
import type { AnyChannel } from "./model";

export type { ChannelFilter, DeadLetter, StoredSubscription } from "../storage/subscriptions";

/** What a subscription looks like in API answers and on the admin page: everything except the secret. */
export interface SubscriptionView {
  id: string;
  type: string;
  /** The channel's own words for its config, e.g. "Slack incoming webhook" or "POST to https://…". */
  description: string;
  config: unknown;
  filter: ChannelFilter;
  createdAt: string;
  origin: string;
  deadLettered: number;
  lastDeadLetter: DeadLetter | null;
  /** A webhook's URL at the top level as well, where it was before channels. */
  url?: string;
}

/** `channel` is null for a row whose type this deploy does not deliver (it is shown, never sent). */
export function publicView(subscription: StoredSubscription, channel: AnyChannel | null): SubscriptionView {
  const { id, type, config, filter, createdAt, origin, deadLettered, lastDeadLetter } = subscription;
  const description = channel ? channel.describe(config) : `${type} (not delivered by this deploy)`;
  const view: SubscriptionView = { id, type, description, config, filter, createdAt, origin, deadLettered, lastDeadLetter };
  if (type === "webhook") view.url = (config as { url: string }).url;
  return view;
}

function optionalString(body: Record<string, unknown>, name: string, pattern: RegExp, hint: string): string | null {
  const value = body[name];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || !pattern.test(value)) throw invalidField(name, `must be ${hint}, not ${quoteInput(value)}.`);
  return value;
}

/** The shared filters of a create body; each field optional, each refusal naming its field. */
export function filterFrom(body: Record<string, unknown>): ChannelFilter {
  const { kinds, minSignificance } = body;
  if (kinds !== undefined && kinds !== null && !(Array.isArray(kinds) && kinds.every((kind) => typeof kind === "string"))) {
    throw invalidField("kinds", 'must be an array of change kinds, e.g. ["body", "title"].');
  }
  if (minSignificance !== undefined && minSignificance !== null && typeof minSignificance !== "number") {
    throw invalidField("minSignificance", "must be a number from 0 to 1.");
  }
  return {
    articleId: optionalString(body, "articleId", /^[0-9a-f]{16}$/u, "an article id (16 hex digits)"),
    site: optionalString(body, "site", /^[a-z0-9.-]{1,253}$/u, "a lower-case host name such as en.yna.co.kr"),
    source: optionalString(body, "source", /^[0-9a-f]{16}$/u, "a source id (16 hex digits)"),
    kinds: kinds === undefined || kinds === null ? null : named("kinds", () => parseKinds(kinds as string[])),
    minSignificance: minSignificance === undefined || minSignificance === null ? 0 : named("minSignificance", () => parseMinSignificance(String(minSignificance))),
  };
}

/** The feeds' parsers refuse with a message of their own; here it names the body's field. */
function named<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof BadParameterError) throw invalidField(field, error.message.replace(/^`\w+` /u, ""));
    throw error;
  }
}

/**
 * Whether `change` matches `filter`, whenever it was detected (a test send looks for the newest
 * change that would have been delivered). `foundBy`: the sources that found the change's
 * article, read only when the filter names one.
 */
export function matchesChannelFilter(filter: ChannelFilter, change: ChangeListItem, foundBy: readonly string[]): boolean {
  if (filter.articleId !== null && change.articleId !== filter.articleId) return false;
  if (filter.site !== null && new URL(change.url).hostname !== filter.site) return false;
  if (filter.source !== null && !foundBy.includes(filter.source)) return false;
  return matchesFilter(change, filter);
}

/**
 * Whether `change` goes to a subscriber with `filter`. Changes detected before the subscription
 * existed never do: a new subscriber gets what happens from then on.
 */
export function wantsChange(filter: ChannelFilter, createdAt: string, change: ChangeListItem, foundBy: readonly string[]): boolean {
  if (Date.parse(change.detectedAt) < Date.parse(createdAt)) return false;
  return matchesChannelFilter(filter, change, foundBy);
}

/** 30 s after the first failure, doubling each time, at most an hour between attempts. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}
