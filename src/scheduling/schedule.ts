const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface CheckInterval {
  /** Applies while the article's age (time since its last change) is below this. */
  withinMs: number;
  /** Time from one check to the next. */
  everyMs: number;
}

/**
 * How often an article is re-checked, by age (NewsDiffs-style): fresh stories are edited most.
 * Every 15 min for 3 h after a change, hourly up to a day, every 3 h up to a week, every 3 days
 * up to 30 days, then every 30 days.
 */
export const CHECK_POLICY: readonly Readonly<CheckInterval>[] = [
  { withinMs: 3 * HOUR_MS, everyMs: 15 * MINUTE_MS },
  { withinMs: DAY_MS, everyMs: HOUR_MS },
  { withinMs: 7 * DAY_MS, everyMs: 3 * HOUR_MS },
  { withinMs: 30 * DAY_MS, everyMs: 3 * DAY_MS },
  { withinMs: Number.POSITIVE_INFINITY, everyMs: 30 * DAY_MS },
];

/**
 * After a failed check the next one waits at least 15 min × 2^(failures − 1), capped at 24 h:
 * 15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 16 h, then 24 h. It never shortens the policy interval.
 * A server that says how long to wait (`Retry-After`) is waited out, up to the same cap.
 */
export const FAILURE_BACKOFF_BASE_MS = 15 * MINUTE_MS;
export const FAILURE_BACKOFF_CAP_MS = DAY_MS;

/**
 * Cron runs every 15 min and fire a little late; an article whose time falls up to this long
 * after a run's scheduled time is taken by that run rather than waiting 15 more minutes.
 */
export const DUE_TOLERANCE_MS = MINUTE_MS;

/**
 * A server's request not to ask again before a delay from now or a time (epoch ms): HTTP
 * `Retry-After` on a 429 or 503, parsed by the fetcher.
 */
export type RetryAfter = { delaySeconds: number } | { at: number };

export interface ScheduleInput {
  /** When this check happened (epoch ms). */
  now: number;
  /** Last time the content changed (epoch ms); null if it never has. */
  lastChangedAt: number | null;
  firstSeenAt: number;
  /** Failed checks in a row, 0 after a successful one. */
  consecutiveFailures: number;
  /** What the server answering this (failed) check asked for; absent or null when it did not. */
  retryAfter?: RetryAfter | null;
}

/** When the article should next be checked (epoch ms). */
export function nextCheckAt({ now, lastChangedAt, firstSeenAt, consecutiveFailures, retryAfter = null }: ScheduleInput): number {
  const ageMs = now - (lastChangedAt ?? firstSeenAt);
  // Only a NaN age (an unparseable date upstream) misses every step; it gets the catch-all.
  const step = CHECK_POLICY.find(({ withinMs }) => ageMs < withinMs) ?? CHECK_POLICY[CHECK_POLICY.length - 1]!;
  return backedOff(now, step.everyMs, consecutiveFailures, retryAfter);
}

/**
 * `now + everyMs`, widened by the failure back-off and by what the server asked for (both
 * capped): the one rule for articles (above) and sources (src/discovery/plan.ts).
 */
export function backedOff(now: number, everyMs: number, consecutiveFailures: number, retryAfter: RetryAfter | null = null): number {
  const backoffMs =
    consecutiveFailures > 0
      ? Math.min(FAILURE_BACKOFF_BASE_MS * 2 ** (consecutiveFailures - 1), FAILURE_BACKOFF_CAP_MS)
      : 0;
  const next = now + Math.max(everyMs, backoffMs);
  if (retryAfter === null) return next;
  // A server may ask for days; past the cap it is checked as often as any failing one.
  const asked = "at" in retryAfter ? retryAfter.at : now + retryAfter.delaySeconds * 1000;
  return Math.max(next, Math.min(asked, now + FAILURE_BACKOFF_CAP_MS));
}

/** Whether the cron run scheduled at `scheduledTime` should check an article due at `nextCheckAt`. */
export function isDue(nextCheckAt: number, scheduledTime: number): boolean {
  return nextCheckAt <= scheduledTime + DUE_TOLERANCE_MS;
}
