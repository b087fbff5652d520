/**
 * What the framework hands a channel for one delivery: a fetch that only reaches addresses the
 * host rules allow, and the translation of whatever a channel throws into a DeliveryResult.
 */
import type { Env } from "../env";
import { refusalReason } from "../fetching/url";
import type { ChannelContext, DeliveryResult } from "./model";

/** A service gets this long to answer before the attempt counts as failed (and is retried). */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** The destination is one the host rules refuse: asking again cannot change that. */
export class RefusedDestination extends Error {}

export function channelContext(env: Env, nowMs: number): ChannelContext {
  const allowLoopback = env.ALLOW_LOOPBACK === "true";
  return {
    env,
    nowMs,
    async fetch(url, init = {}) {
      const refusal = refusalReason(url, allowLoopback);
      if (refusal) throw new RefusedDestination(`${url} is refused: ${refusal}`);
      const timeout = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
      // A redirect could lead anywhere, past the host rules: it is the service's answer, not followed.
      return fetch(url, { ...init, redirect: "manual", signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    },
  };
}

/** A channel's attempt, whatever it throws: a refused destination fails for good; anything else (network, timeout, a bug) is retried. */
export async function settle(attempt: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
  try {
    return await attempt();
  } catch (error) {
    if (error instanceof RefusedDestination) return { outcome: "failed", reason: error.message };
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { outcome: "retry", reason };
  }
}
