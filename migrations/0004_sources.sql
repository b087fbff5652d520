-- Issue 14, discovery: sources (feeds, sitemaps, section pages) that find articles, what each
-- found, WebSub subscriptions, and retirement after a source's trackDays. docs/storage.md
-- describes every column.
--
-- Written for wrangler's statement splitter (see 0003): trigger bodies BEGIN … END, no CASE.

CREATE TABLE sources (
  id TEXT PRIMARY KEY,                        -- first 16 hex digits of SHA-256 over the canonical URL (as articles)
  url TEXT NOT NULL,                          -- canonical URL (normalizeArticleUrl)
  site TEXT NOT NULL,                         -- host of `url`: politeness keys on it
  type TEXT,                                  -- rss | atom | jsonfeed | sitemap | news-sitemap | page; null: detected at its first check (an OPML outline without one)
  title TEXT NOT NULL DEFAULT '',             -- the source's own title (feed title, page <title>), or the OPML text
  status TEXT NOT NULL DEFAULT 'active',      -- active | failing | paused
  filter TEXT NOT NULL DEFAULT '{}',          -- SourceFilter JSON
  track_days INTEGER,                         -- articles it finds stop being checked this many days after discovery; null: never
  interval_ms INTEGER NOT NULL DEFAULT 900000,-- its schedule (default every 15 minutes)
  created_at TEXT NOT NULL,                   -- ISO 8601
  last_checked_at TEXT,                       -- ISO 8601
  next_check_at INTEGER NOT NULL,             -- epoch ms
  lease_until INTEGER,                        -- a dispatched check's lease (as articles.lease_until)
  etag TEXT,                                  -- validators of the last 200, for conditional GET
  last_modified TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  entries_seen INTEGER NOT NULL DEFAULT 0,    -- entries in its last successful read
  articles_tracked INTEGER NOT NULL DEFAULT 0,-- articles it found (rows of article_sources)
  websub_hub TEXT,                            -- the hub the feed advertises, or null
  websub_topic TEXT,                          -- the topic (rel="self") subscribed to
  websub_secret TEXT,                         -- hub.secret sent with the subscription (HMAC key for notifications)
  websub_state TEXT,                          -- null | pending | verified | denied
  websub_lease_until INTEGER,                 -- epoch ms the hub's lease ends; renewed before
  revision INTEGER NOT NULL DEFAULT 1         -- bumped by every state change (compare-and-set, as articles)
);
CREATE INDEX sources_due ON sources (status, next_check_at);

-- Entries a source accepted (passed its filter), so each becomes one first capture, once:
-- `queued` (a discover message is on its way), `tracked` (the article exists), `failed` (its first
-- capture failed; tried again after `retry_at`). Entries the filter skips are not stored: the
-- filter is pure and cheap to run again.
CREATE TABLE source_entries (
  source_id TEXT NOT NULL,
  url TEXT NOT NULL,                          -- normalised entry URL
  article_id TEXT NOT NULL,                   -- articleIdFor(url)
  state TEXT NOT NULL,                        -- queued | tracked | failed
  entry_title TEXT,
  found_at INTEGER NOT NULL,                  -- epoch ms
  retry_at INTEGER,                           -- epoch ms: `queued`, sent again then if still queued; `failed`, retried then; null: never (given up, or tracked)
  last_error TEXT,
  PRIMARY KEY (source_id, url)
);
-- The dispatcher's pick of the entries to send again (queued or failed, retry_at passed), oldest
-- first in the index's order (no sort), without reading a tracked or given-up entry.
CREATE INDEX source_entries_due ON source_entries (retry_at, source_id, url) WHERE state IN ('queued', 'failed') AND retry_at IS NOT NULL;

-- What found each article: one row per (article, source). An article found by two sources is
-- tracked once and has two rows. Rows stay after the source is deleted (`source_url` says which).
CREATE TABLE article_sources (
  article_id TEXT NOT NULL,
  source_id TEXT NOT NULL,
  source_url TEXT NOT NULL,
  found_at TEXT NOT NULL,                     -- ISO 8601
  entry_title TEXT,
  PRIMARY KEY (article_id, source_id)
);
CREATE INDEX article_sources_by_source ON article_sources (source_id, found_at DESC, article_id);

-- sources.articles_tracked counts the source's article_sources rows, in the transaction that adds one.
CREATE TRIGGER article_sources_count AFTER INSERT ON article_sources
BEGIN
  UPDATE sources SET articles_tracked = articles_tracked + 1 WHERE id = NEW.source_id;
END;

-- trackDays: the article is retired (status 'retired', tracking 0, history kept) at this time.
ALTER TABLE articles ADD COLUMN retire_at INTEGER;
ALTER TABLE article_stats ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;

-- The three article_stats triggers of 0003 again, counting `retired` too; the UPDATE trigger now
-- fires only when a counted column really changed (WHEN), so an unchanged check, which rewrites
-- status, tracking and the counts with their old values, writes no article_stats row.
DROP TRIGGER article_stats_insert;
DROP TRIGGER article_stats_update;
DROP TRIGGER article_stats_delete;

CREATE TRIGGER article_stats_insert AFTER INSERT ON articles
BEGIN
  UPDATE article_stats SET
    total = total + 1,
    tracking = tracking + NEW.tracking,
    active = active + (NEW.status = 'active'),
    removed = removed + (NEW.status = 'removed'),
    failing = failing + (NEW.status = 'failing'),
    blocked = blocked + (NEW.status = 'blocked'),
    retired = retired + (NEW.status = 'retired'),
    versions = versions + NEW.version_count,
    changes = changes + NEW.change_count
  WHERE id = 1;
END;

CREATE TRIGGER article_stats_update AFTER UPDATE OF tracking, status, version_count, change_count ON articles
WHEN NEW.tracking != OLD.tracking OR NEW.status != OLD.status OR NEW.version_count != OLD.version_count OR NEW.change_count != OLD.change_count
BEGIN
  UPDATE article_stats SET
    tracking = tracking + NEW.tracking - OLD.tracking,
    active = active + (NEW.status = 'active') - (OLD.status = 'active'),
    removed = removed + (NEW.status = 'removed') - (OLD.status = 'removed'),
    failing = failing + (NEW.status = 'failing') - (OLD.status = 'failing'),
    blocked = blocked + (NEW.status = 'blocked') - (OLD.status = 'blocked'),
    retired = retired + (NEW.status = 'retired') - (OLD.status = 'retired'),
    versions = versions + NEW.version_count - OLD.version_count,
    changes = changes + NEW.change_count - OLD.change_count
  WHERE id = 1;
END;

CREATE TRIGGER article_stats_delete AFTER DELETE ON articles
BEGIN
  UPDATE article_stats SET
    total = total - 1,
    tracking = tracking - OLD.tracking,
    active = active - (OLD.status = 'active'),
    removed = removed - (OLD.status = 'removed'),
    failing = failing - (OLD.status = 'failing'),
    blocked = blocked - (OLD.status = 'blocked'),
    retired = retired - (OLD.status = 'retired'),
    versions = versions - OLD.version_count,
    changes = changes - OLD.change_count
  WHERE id = 1;
END;

-- WebSub (src/storage/websub.ts writes these, nothing else does): websub_state is also `failed`
-- (the request never reached a hub that accepted it) or `not-configured` (no PUBLIC_ORIGIN, so no
-- callback a hub could reach).
ALTER TABLE sources ADD COLUMN websub_callback TEXT;          -- hub.callback sent (<PUBLIC_ORIGIN>/websub/<id>); a new one is a new subscription
ALTER TABLE sources ADD COLUMN websub_renew_at INTEGER;       -- epoch ms the next subscription request is due (renewal, or retry); null: none
ALTER TABLE sources ADD COLUMN websub_error TEXT;             -- why the state is not verified (hub's answer, hub.reason, refusal)
ALTER TABLE sources ADD COLUMN websub_ignored INTEGER NOT NULL DEFAULT 0; -- notifications acknowledged but ignored (bad or missing signature)
-- The renewal cron's one query: the due subscriptions, soonest first, without reading any other source.
CREATE INDEX sources_websub_renewal ON sources (websub_renew_at) WHERE websub_renew_at IS NOT NULL;
