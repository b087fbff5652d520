import type { Env } from "../env";
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from "../fetching/fetch-page";
import type { ChangeRecord } from "../storage/records";
import { RedlineStore } from "../storage/store";
import { announceChange } from "../webhooks/queue";
import { DEFAULT_MAX_CHECKS_PER_RUN } from "./cron";
import type { Tracker } from "./check";

export { checkArticle, FirstCaptureError, setTracking, trackNewArticle, type CheckResult } from "./check";
export { DEFAULT_MAX_CHECKS_PER_RUN, runScheduledChecks } from "./cron";

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

export function trackerFor(env: Env): Tracker {
  const webhooks = env.WEBHOOKS;
  return {
    store: new RedlineStore(env.DB, env.REDLINE_KV),
    ...(webhooks ? { announce: (change: ChangeRecord) => announceChange(webhooks, change) } : {}),
    fetchOptions: {
      allowLoopback: env.ALLOW_LOOPBACK === "true",
      replayOrigin: env.REPLAY_ORIGIN || undefined,
      timeoutMs: positiveInteger(env.FETCH_TIMEOUT_MS, DEFAULT_TIMEOUT_MS),
      maxBytes: positiveInteger(env.FETCH_MAX_BYTES, DEFAULT_MAX_BYTES),
    },
  };
}

export function maxChecksPerRun(env: Env): number {
  return positiveInteger(env.MAX_CHECKS_PER_RUN, DEFAULT_MAX_CHECKS_PER_RUN);
}
