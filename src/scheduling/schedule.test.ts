import { describe, expect, it } from "vitest";
import { CHECK_POLICY, isDue, nextCheckAt } from ".";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const t0 = Date.UTC(2026, 3, 1, 12, 0, 0);

/** Interval chosen for a check at `now` of an article last changed at t0. */
function intervalAt(now: number, consecutiveFailures = 0): number {
  return nextCheckAt({ now, lastChangedAt: t0, firstSeenAt: t0 - 10 * DAY, consecutiveFailures }) - now;
}

describe("nextCheckAt", () => {
  it("re-checks a just-changed article after 15 minutes, not 14", () => {
    const next = nextCheckAt({ now: t0, lastChangedAt: t0, firstSeenAt: t0, consecutiveFailures: 0 });
    expect(next).toBe(t0 + 15 * MINUTE);
    expect(isDue(next, t0)).toBe(false);
    expect(isDue(next, t0 + 15 * MINUTE)).toBe(true);
  });

  it("slows down as the last change ages", () => {
    expect(intervalAt(t0 + 2 * HOUR + 59 * MINUTE)).toBe(15 * MINUTE);
    expect(intervalAt(t0 + 3 * HOUR)).toBe(HOUR);
    expect(intervalAt(t0 + 5 * HOUR)).toBe(HOUR);
    expect(intervalAt(t0 + 2 * DAY)).toBe(3 * HOUR);
    expect(intervalAt(t0 + 10 * DAY)).toBe(3 * DAY);
    expect(intervalAt(t0 + 40 * DAY)).toBe(30 * DAY);
    expect(intervalAt(t0 + 400 * DAY)).toBe(30 * DAY);
  });

  it("measures age from first seen when the article never changed", () => {
    const firstSeenAt = t0;
    const now = t0 + 5 * HOUR;
    expect(nextCheckAt({ now, lastChangedAt: null, firstSeenAt, consecutiveFailures: 0 })).toBe(now + HOUR);
  });

  it("measures age from the last change, not from first seen", () => {
    const now = t0 + 60 * DAY;
    const next = nextCheckAt({ now, lastChangedAt: now - 30 * MINUTE, firstSeenAt: t0, consecutiveFailures: 0 });
    expect(next).toBe(now + 15 * MINUTE);
  });

  it("simulated over two days, checks quarter-hourly, then hourly, then every 3 hours", () => {
    const checks: number[] = [];
    for (let now = t0; now < t0 + 2 * DAY; now = nextCheckAt({ now, lastChangedAt: t0, firstSeenAt: t0, consecutiveFailures: 0 })) {
      checks.push(now);
    }
    const gaps = checks.slice(1).map((at, i) => at - (checks[i] ?? 0));
    expect(gaps.filter((gap) => gap === 15 * MINUTE)).toHaveLength(12);
    expect(gaps.filter((gap) => gap === HOUR)).toHaveLength(21);
    expect(gaps.filter((gap) => gap === 3 * HOUR)).toHaveLength(gaps.length - 33);
  });

  it("backs off after consecutive failures, doubling from 15 minutes up to a 24 hour cap", () => {
    const fresh = t0 + MINUTE;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50, 5000].map((failures) => intervalAt(fresh, failures))).toEqual([
      15 * MINUTE,
      30 * MINUTE,
      HOUR,
      2 * HOUR,
      4 * HOUR,
      8 * HOUR,
      16 * HOUR,
      DAY,
      DAY,
      DAY,
      DAY,
    ]);
  });

  it("never checks a failing article more often than its age calls for", () => {
    expect(intervalAt(t0 + 40 * DAY, 3)).toBe(30 * DAY);
    expect(intervalAt(t0 + 2 * DAY, 2)).toBe(3 * HOUR);
    expect(intervalAt(t0 + 2 * DAY, 5)).toBe(4 * HOUR);
  });
});

describe("nextCheckAt after a server asked to wait (Retry-After)", () => {
  const failedOnce = { lastChangedAt: t0, firstSeenAt: t0, consecutiveFailures: 1 };

  it("waits out a delay longer than the back-off", () => {
    expect(nextCheckAt({ now: t0, ...failedOnce, retryAfter: { delaySeconds: 7200 } })).toBe(t0 + 2 * HOUR);
  });

  it("waits until a date later than the back-off", () => {
    expect(nextCheckAt({ now: t0, ...failedOnce, retryAfter: { at: t0 + 5 * HOUR + 17_000 } })).toBe(t0 + 5 * HOUR + 17_000);
  });

  it("keeps the back-off when the server asks for less", () => {
    expect(nextCheckAt({ now: t0, ...failedOnce, retryAfter: { delaySeconds: 120 } })).toBe(t0 + 15 * MINUTE);
    expect(nextCheckAt({ now: t0, ...failedOnce, retryAfter: { delaySeconds: 0 } })).toBe(t0 + 15 * MINUTE);
    expect(nextCheckAt({ now: t0, ...failedOnce, retryAfter: { at: t0 - HOUR } })).toBe(t0 + 15 * MINUTE);
  });

  it("waits at most the 24 h back-off cap, however long the server asks for", () => {
    expect(nextCheckAt({ now: t0, ...failedOnce, retryAfter: { delaySeconds: 3 * 86_400 } })).toBe(t0 + DAY);
    expect(nextCheckAt({ now: t0, ...failedOnce, retryAfter: { delaySeconds: 1e21 } })).toBe(t0 + DAY);
    expect(nextCheckAt({ now: t0, ...failedOnce, retryAfter: { at: t0 + 10 * DAY } })).toBe(t0 + DAY);
  });

  it("keeps a policy interval longer than the cap", () => {
    const now = t0 + 40 * DAY;
    expect(nextCheckAt({ now, ...failedOnce, retryAfter: { delaySeconds: 7200 } })).toBe(now + 30 * DAY);
  });
});

describe("isDue", () => {
  const cronRun = Date.UTC(2026, 3, 1, 12, 15, 0);

  it("takes an article due exactly at the run, or in the minute after it", () => {
    expect(isDue(cronRun, cronRun)).toBe(true);
    expect(isDue(cronRun - HOUR, cronRun)).toBe(true);
    expect(isDue(cronRun + 3_000, cronRun)).toBe(true);
    expect(isDue(cronRun + MINUTE, cronRun)).toBe(true);
  });

  it("leaves an article due later to a later run", () => {
    expect(isDue(cronRun + MINUTE + 1, cronRun)).toBe(false);
    expect(isDue(cronRun + 14 * MINUTE, cronRun)).toBe(false);
  });

  it("keeps a 15-minute cadence when the run and the check are a few seconds late", () => {
    const checkedAt = cronRun + 4_000;
    const next = nextCheckAt({ now: checkedAt, lastChangedAt: checkedAt, firstSeenAt: checkedAt, consecutiveFailures: 0 });
    expect(isDue(next, cronRun + 15 * MINUTE)).toBe(true);
  });
});

describe("CHECK_POLICY", () => {
  it("is ordered by age and ends with a catch-all", () => {
    const limits = CHECK_POLICY.map((step) => step.withinMs);
    expect(limits).toEqual([...limits].sort((a, b) => a - b));
    expect(limits.at(-1)).toBe(Number.POSITIVE_INFINITY);
  });
});
