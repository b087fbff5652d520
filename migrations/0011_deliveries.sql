-- Issue 15, the delivery ledger: one row per change a channel has delivered to a subscription,
-- so a queue redelivery (Cloudflare Queues deliver at least once: an ack lost after the service
-- answered, a consumer that crashed after it) never posts the same change twice. The consumer
-- reads the row with the subscription before a delivery or poll and skips the channel when it is
-- there; it inserts the row when the channel answers `delivered`, before the ack
-- (src/channels/queue.ts). Test sends are not recorded. The cron tick prunes rows older than
-- DELIVERIES_KEPT_MS (7 days), past any redelivery. docs/storage.md ("deliveries").
CREATE TABLE deliveries (
  delivery_id TEXT PRIMARY KEY,      -- <change id>/<subscription id>: the notice's deliveryId
  subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE, -- deleting the subscription deletes its rows
  delivered_at_ms INTEGER NOT NULL,  -- epoch ms the channel answered `delivered`
  receipt TEXT                       -- the channel's receipt JSON (a status id, a message id, a memento URL), or null
);

-- The cascade's look-up (a subscription's rows), and the cron's bounded prune (oldest first).
CREATE INDEX deliveries_subscription ON deliveries (subscription_id);
CREATE INDEX deliveries_delivered_at ON deliveries (delivered_at_ms);
