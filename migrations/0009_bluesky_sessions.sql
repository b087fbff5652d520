-- Issue 15, the Bluesky channel: each bluesky subscription's AT Protocol session, kept between
-- deliveries because com.atproto.server.createSession is rate-limited (30 per 5 minutes, 300 a
-- day per account). A delivery reuses the access token, refreshes it once with
-- com.atproto.server.refreshSession when the PDS says it expired, and signs in again only when
-- the refresh token is refused too (src/channels/bluesky.ts). docs/storage.md ("bluesky_sessions").
CREATE TABLE bluesky_sessions (
  subscription_id TEXT PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE, -- deleting the subscription forgets its tokens
  sealed_session TEXT NOT NULL,  -- {accessJwt, refreshJwt, did} JSON sealed like a channel secret (rs1.…), additional data bluesky-session:<subscription id>
  updated_at_ms INTEGER NOT NULL -- epoch ms the session was created or refreshed
);
