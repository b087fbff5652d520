import type { ChecksQueueMessage, WebhookMessage } from "./queues/messages";

/** Bindings and variables the worker runs with (wrangler.toml, `.dev.vars`, secrets). */
export interface Env {
  /** Write-once, content-addressed values: `snapshot:<record sha256>`, `raw:<body sha256>`. */
  REDLINE_KV: KVNamespace;
  /** Articles, versions, changes, subscriptions, runs, hosts, counters (migrations/). */
  DB: D1Database;
  /** `redline-checks`: the dispatcher's article and source checks, discoveries, and WebSub's immediate source checks (src/queues). */
  CHECKS?: Queue<ChecksQueueMessage>;
  /** Channel deliveries, webhooks and every other type (src/channels/queue.ts); without it changes are not announced. */
  WEBHOOKS?: Queue<WebhookMessage>;
  /**
   * AES-GCM-256 key (base64 of 32 bytes, a Worker secret) sealing channel secrets at rest
   * (src/channels/secrets.ts). Unset: no channel with a secret can be created.
   */
  SECRETS_KEY?: string;
  /** The key SECRETS_KEY replaced, during a rotation: values sealed under it still open, and are sealed again under SECRETS_KEY. */
  SECRETS_KEY_PREVIOUS?: string;
  /** Cloudflare Email Routing's `send_email` binding for email channels (wrangler.toml); unset, email subscriptions cannot be created. */
  EMAIL?: SendEmail;
  /**
   * The admin token (a Worker secret): API writes accept it as `Authorization: Bearer`, and
   * `/sign-in` exchanges it for a session cookie. Session cookies and feed tokens are HMACs under
   * keys derived from it (HKDF), so rotating it signs every browser out.
   */
  ADMIN_TOKEN?: string;
  /** "false" (or anything but "true"): every page, feed and API read needs a signed-in user or a feed token. Unset: public. */
  PUBLIC_READ?: string;
  /** Cloudflare Access team domain, e.g. `redline.cloudflareaccess.com`; with ACCESS_AUD, Access users are signed in. */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's Application Audience (AUD) tag. */
  ACCESS_AUD?: string;
  /** Comma-separated emails of the Access users who are admins; other Access users may only read. */
  ADMIN_EMAILS?: string;
  /** "true" lets local development track pages served from 127.0.0.1 / localhost. */
  ALLOW_LOOPBACK?: string;
  /**
   * Local development only: an origin (e.g. http://127.0.0.1:8788) that replays fixture
   * pages. When set, every article fetch is sent there instead of the real site.
   */
  REPLAY_ORIGIN?: string;
  /** Optional tuning, as decimal strings: per-fetch timeout, response size cap. */
  FETCH_TIMEOUT_MS?: string;
  FETCH_MAX_BYTES?: string;
  /** Size cap of a source (feed, sitemap, section page), default 10 MiB. */
  SOURCE_MAX_BYTES?: string;
  /** Checks one cron tick sends to the queue at most (default 500). */
  DISPATCH_BATCH?: string;
  /** Checks one consumer invocation runs at once (default and maximum 6). */
  CHECK_CONCURRENCY?: string;
  /** Minimum time between two requests to one host (default 1000; a host's own setting or Crawl-delay can widen it). */
  MIN_HOST_INTERVAL_MS?: string;
  /**
   * This Worker's public origin (e.g. https://redline.example.workers.dev): WebSub callbacks are
   * `<PUBLIC_ORIGIN>/websub/<source id>`. Unset: no hub could reach the Worker, so none is subscribed to.
   */
  PUBLIC_ORIGIN?: string;
  /** The Save Page Now 2 service the wayback channel captures with (default https://web.archive.org); the tests point it at their fake. */
  WAYBACK_ORIGIN?: string;
}
