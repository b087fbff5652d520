-- Issue 13, newsroom scale: checks fanned out through the `redline-checks` queue, politeness per
-- host, robots.txt. docs/storage.md describes every column.

-- A dispatched check's lease (epoch ms): the dispatcher sets it in the UPDATE that picks the
-- article, so a second tick does not send it again; the check's commit clears it. A lease that
-- expires (the message was lost, or its consumer crashed) makes the article due again.
ALTER TABLE articles ADD COLUMN lease_until INTEGER;
-- `status` may now also be 'blocked': the host's robots.txt disallows the URL (no column change:
-- status is free text, checked by the code).

-- One row per host Redline fetches from (the article's host name, never the replay address).
CREATE TABLE hosts (
  host TEXT PRIMARY KEY,
  next_allowed_at INTEGER NOT NULL DEFAULT 0, -- epoch ms; no request to the host before it (claimed by compare-and-set)
  booked_until INTEGER NOT NULL DEFAULT 0,    -- epoch ms; the dispatcher has spaced messages for the host up to here
  min_interval_ms INTEGER,                    -- per-host override of MIN_HOST_INTERVAL_MS; null: the deployment's
  robots_status INTEGER,                      -- HTTP status of the last robots.txt fetch; null: unreachable
  robots_body TEXT,                           -- its body (≤ 500 KiB, RFC 9309 §2.5), or null
  robots_fetched_at INTEGER,                  -- epoch ms; null: never fetched. Refetched after 24 h
  crawl_delay_ms INTEGER                      -- Crawl-delay for Redline's user agent, in ms, or null
);

-- Checks completed per minute and outcome: /api/status sums the last hour and day.
CREATE TABLE check_counts (
  minute INTEGER NOT NULL,                    -- epoch ms / 60000, floored
  outcome TEXT NOT NULL,                      -- a CheckOutcome, or crashed | skipped
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, outcome)
);

-- Running totals incremented in SQL (today only `checks-dead-lettered`).
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL DEFAULT 0,
  last TEXT,                                  -- JSON of the latest event counted, or null
  updated_at TEXT NOT NULL                    -- ISO 8601
);
