-- Redline's mutable state and every index (docs/storage.md describes each column).
-- KV keeps only write-once, content-addressed values: `snapshot:<record sha256>` and `raw:<body sha256>`.

-- One row per tracked article: its head. Every state change bumps `revision`, and every writer
-- commits with `... WHERE id = ? AND revision = ?`, so exactly one of two racing writers wins.
CREATE TABLE articles (
  id TEXT PRIMARY KEY,                       -- first 16 hex digits of SHA-256 over the canonical URL
  url TEXT NOT NULL,                         -- canonical URL the article was added with
  site TEXT NOT NULL,                        -- host of `url`
  title TEXT NOT NULL DEFAULT '',            -- headline of the latest version
  tracking INTEGER NOT NULL DEFAULT 1,       -- 0 after DELETE; written only by DELETE and resume
  status TEXT NOT NULL DEFAULT 'active',     -- active | removed | failing
  first_seen_at TEXT NOT NULL,               -- ISO 8601
  last_checked_at TEXT,                      -- ISO 8601; the time of the observation the head reflects
  last_changed_at TEXT NOT NULL,             -- ISO 8601
  next_check_at INTEGER NOT NULL,            -- epoch ms
  version_count INTEGER NOT NULL DEFAULT 0,  -- versions 1..version_count exist
  change_count INTEGER NOT NULL DEFAULT 0,   -- changes 1..change_count exist
  latest_hash TEXT,                          -- content hash of version version_count
  final_url TEXT,                            -- URL after redirects at the latest capture
  etag TEXT,                                 -- validators of the latest 200, for conditional GET
  last_modified TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  consecutive_missing INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  revision INTEGER NOT NULL DEFAULT 1        -- bumped by every state change (compare-and-set)
);
CREATE INDEX articles_due ON articles (tracking, next_check_at);
CREATE INDEX articles_site ON articles (site);

-- One row per stored version; the record itself is in KV at `snapshot:<record_sha256>`.
CREATE TABLE versions (
  article_id TEXT NOT NULL,
  n INTEGER NOT NULL,                        -- 1, 2, … in capture order
  captured_at TEXT NOT NULL,                 -- ISO 8601
  content_hash TEXT NOT NULL,                -- SHA-256 of the normalised content
  record_sha256 TEXT NOT NULL,               -- SHA-256 of the record's canonical JSON: the KV key
  title TEXT NOT NULL,
  modified_at TEXT,                          -- the site's own modified date, as published
  PRIMARY KEY (article_id, n)
);
CREATE INDEX versions_hash ON versions (article_id, content_hash);

-- One row per change; `record` is the full ChangeRecord JSON, the other columns are its index.
CREATE TABLE changes (
  article_id TEXT NOT NULL,
  seq INTEGER NOT NULL,                      -- 1, 2, … per article
  id TEXT NOT NULL,                          -- `<article_id>-<seq>`
  detected_at_ms INTEGER NOT NULL,           -- epoch ms of `detectedAt`
  site TEXT NOT NULL,                        -- host of the article URL
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  from_n INTEGER,                            -- version numbers; null for created / removed
  to_n INTEGER,
  kinds TEXT NOT NULL,                       -- JSON array of change kinds
  summary TEXT NOT NULL,
  significance REAL,                         -- 0–1; null counts as 1 in filters
  revert_of INTEGER,                         -- with kind `revert`
  record TEXT NOT NULL,                      -- the ChangeRecord, JSON
  PRIMARY KEY (article_id, seq)
);
CREATE INDEX changes_newest ON changes (detected_at_ms DESC, article_id DESC, seq DESC);
CREATE INDEX changes_site_newest ON changes (site, detected_at_ms DESC, article_id DESC, seq DESC);

CREATE TABLE subscriptions (
  id TEXT PRIMARY KEY,                       -- UUID
  url TEXT NOT NULL,                         -- where changes are POSTed
  filter TEXT NOT NULL,                      -- SubscriptionFilter JSON
  secret TEXT NOT NULL,                      -- HMAC key; never returned after creation
  created_at TEXT NOT NULL,                  -- ISO 8601; earlier changes are never delivered
  origin TEXT NOT NULL,                      -- the Worker's origin, for payload links
  dead_lettered INTEGER NOT NULL DEFAULT 0,
  last_dead_letter TEXT                      -- {changeId, at} JSON, or null
);

-- The latest run of each periodic job (today only `cron`), as JSON.
CREATE TABLE runs (
  name TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
