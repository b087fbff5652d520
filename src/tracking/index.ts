import type { Env } from "../env";
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from "../fetching/fetch-page";
import { DEFAULT_SOURCE_MAX_BYTES } from "../fetching/fetch-source";
import { DEFAULT_MIN_HOST_INTERVAL_MS, politenessFor } from "../politeness/hosts";
import type { ChangeRecord } from "../storage/records";
import { RedlineStore } from "../storage/store";
import { SourceCatalog } from "../storage/sources";
import { AccessStore } from "../storage/access";
import { SubscriptionStore } from "../storage/subscriptions";
import { WaybackCaptures } from "../storage/wayback";
import { announceChange } from "../channels/queue";
import type { Tracker } from "./check";
import { DEFAULT_DISPATCH_BATCH, type DispatchSettings } from "./dispatch";

export { checkArticle, FirstCaptureError, RobotsRefusal, setTracking, trackNewArticle, type CheckResult } from "./check";
export { dispatchDueChecks, DEFAULT_DISPATCH_BATCH } from "./dispatch";

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** Like `positiveInteger`, but 0 is a setting of its own (MIN_HOST_INTERVAL_MS = 0: no spacing). */
function nonNegativeInteger(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 ? parsed : fallback;
}

export function trackerFor(env: Env): Tracker {
  const webhooks = env.WEBHOOKS;
  // The binding is read once per tracker (test/context.test.ts counts it).
  const db = env.DB;
  const store = new RedlineStore(db, env.REDLINE_KV);
  const fetchOptions = {
    allowLoopback: env.ALLOW_LOOPBACK === "true",
    replayOrigin: env.REPLAY_ORIGIN || undefined,
    timeoutMs: positiveInteger(env.FETCH_TIMEOUT_MS, DEFAULT_TIMEOUT_MS),
    maxBytes: positiveInteger(env.FETCH_MAX_BYTES, DEFAULT_MAX_BYTES),
    sourceMaxBytes: positiveInteger(env.SOURCE_MAX_BYTES, DEFAULT_SOURCE_MAX_BYTES),
  };
  return {
    store,
    sources: new SourceCatalog(db),
    subscriptions: new SubscriptionStore(db, env.REDLINE_KV),
    wayback: new WaybackCaptures(db),
    access: new AccessStore(db),
    ...(webhooks ? { announce: (change: ChangeRecord) => announceChange(webhooks, change) } : {}),
    politeness: politenessFor(store, fetchOptions),
    fetchOptions,
  };
}

/** Workers allow six simultaneous outgoing connections per invocation: a consumer never runs more checks at once. */
export const MAX_PARALLEL_CHECKS = 6;

/** The scale settings (README, Configuration), from the environment with their defaults. */
export function scaleSettings(env: Env): DispatchSettings & { parallelChecks: number } {
  return {
    batch: positiveInteger(env.DISPATCH_BATCH, DEFAULT_DISPATCH_BATCH),
    minHostIntervalMs: nonNegativeInteger(env.MIN_HOST_INTERVAL_MS, DEFAULT_MIN_HOST_INTERVAL_MS),
    parallelChecks: Math.min(positiveInteger(env.CHECK_CONCURRENCY, MAX_PARALLEL_CHECKS), MAX_PARALLEL_CHECKS),
  };
}
