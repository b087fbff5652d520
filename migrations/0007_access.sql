-- Issue 15, sign-in and private archives: the sessions of the admin token exchanged for a cookie,
-- and the feed tokens signed-in users create for their feed readers. docs/storage.md ("Access")
-- describes both and what each request costs (src/storage/access.ts asks these questions).

-- One row per signed-in browser. The cookie carries the id signed (src/auth/session.ts); every
-- request with the cookie reads its row by primary key, so deleting the row (sign-out) ends the
-- session at once. Expired rows are deleted at the next sign-in.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,          -- 16 random bytes, base64url
  created_at INTEGER NOT NULL,  -- epoch ms
  expires_at INTEGER NOT NULL   -- epoch ms, the same instant as the cookie's signed expiry
) WITHOUT ROWID;
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Feed tokens: `?token=` on a feed URL lets a feed reader read a private archive's feeds. Only
-- the token's SHA-256 is stored; the token is an HMAC of the id (src/auth/feed-tokens.ts), shown
-- once on creation. Revoking deletes the row, so the next feed request with the token is a 401.
CREATE TABLE feed_tokens (
  id TEXT PRIMARY KEY,          -- 16 random bytes, base64url
  user_id TEXT NOT NULL,        -- User.id: "admin", or the Cloudflare Access email
  name TEXT NOT NULL,           -- the user's label, e.g. "NetNewsWire"
  token_hash TEXT NOT NULL UNIQUE, -- hex SHA-256 of the token: the feed request's lookup
  for_pages INTEGER NOT NULL DEFAULT 0, -- 1: the token the pages put in their feed links
  created_at INTEGER NOT NULL,  -- epoch ms
  last_used_at INTEGER          -- epoch ms of a feed request with it, at most an hour stale; null: never used
);
CREATE INDEX feed_tokens_user ON feed_tokens (user_id, created_at);
-- At most one pages token per user: two page views racing to create it cannot both succeed.
CREATE UNIQUE INDEX feed_tokens_pages ON feed_tokens (user_id) WHERE for_pages = 1;
