-- Issue 15, channels: a subscription is one typed channel (webhook, slack, discord, email,
-- mastodon, bluesky, wayback) with the shared filters, its public config, and its secret sealed
-- with AES-GCM under SECRETS_KEY (src/channels/secrets.ts). docs/storage.md ("Channels")
-- describes every column, the sealed format, the costs and the write order.
--
-- SQLite cannot drop NOT NULL from `url` and `secret`, which a Slack or email channel does not
-- have, so the table is built again and the rows copied: every existing row is a webhook, its
-- URL its config, its plaintext HMAC secret kept in `plain_secret` until the next fan-out seals
-- it (a migration cannot encrypt: the key is a Worker secret).
CREATE TABLE subscriptions_0008 (
  id TEXT PRIMARY KEY,                       -- UUID; the sealed secret's additional data
  type TEXT NOT NULL,                        -- ChannelType (src/channels/model.ts)
  config TEXT NOT NULL,                      -- the channel's public config JSON (webhook: {url}; slack: {})
  filter TEXT NOT NULL,                      -- ChannelFilter JSON: articleId, site, source, kinds, minSignificance
  sealed_secret TEXT,                        -- rs1.<key id>.<iv>.<ciphertext>; null: no secret, or not sealed yet
  plain_secret TEXT,                         -- a webhook's HMAC key stored before 0008; null once sealed
  created_at TEXT NOT NULL,                  -- ISO 8601; earlier changes are never delivered
  origin TEXT NOT NULL,                      -- the Worker's origin, for the links in each notice
  dead_lettered INTEGER NOT NULL DEFAULT 0,  -- deliveries dead-lettered (retries exhausted, or failed for good)
  last_dead_letter TEXT                      -- {changeId, at, reason?} JSON, or null
);

INSERT INTO subscriptions_0008 (id, type, config, filter, sealed_secret, plain_secret, created_at, origin, dead_lettered, last_dead_letter)
SELECT id, 'webhook', json_object('url', url), filter, NULL, secret, created_at, origin, dead_lettered, last_dead_letter FROM subscriptions;

DROP TABLE subscriptions;

ALTER TABLE subscriptions_0008 RENAME TO subscriptions;
