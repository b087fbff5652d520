import type { WebhookMessage } from "./webhooks/queue";

/** Bindings and variables the worker runs with (wrangler.toml, `.dev.vars`, secrets). */
export interface Env {
  /** Write-once, content-addressed values: `snapshot:<record sha256>`, `raw:<body sha256>`. */
  REDLINE_KV: KVNamespace;
  /** Articles, versions, changes, subscriptions, runs (migrations/). */
  DB: D1Database;
  /** Webhook deliveries (src/webhooks/queue.ts); without it changes are not announced. */
  WEBHOOKS?: Queue<WebhookMessage>;
  /** Bearer token required by every write endpoint (a Worker secret). */
  ADMIN_TOKEN?: string;
  /** "true" lets local development track pages served from 127.0.0.1 / localhost. */
  ALLOW_LOOPBACK?: string;
  /**
   * Local development only: an origin (e.g. http://127.0.0.1:8788) that replays fixture
   * pages. When set, every article fetch is sent there instead of the real site.
   */
  REPLAY_ORIGIN?: string;
  /** Optional tuning, as decimal strings: per-fetch timeout, response size cap, checks per cron run. */
  FETCH_TIMEOUT_MS?: string;
  FETCH_MAX_BYTES?: string;
  MAX_CHECKS_PER_RUN?: string;
}
