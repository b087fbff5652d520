-- Issue 15, the Wayback Machine channel: one Save Page Now 2 capture per stored version, requested
-- when the version's change is delivered to a `wayback` subscription (src/channels/wayback.ts).
-- The capture is of the live page a little later than Redline's own, so it may differ from the
-- version it is filed under. docs/storage.md describes every column and the write order.

CREATE TABLE wayback_captures (
  article_id TEXT NOT NULL,
  n INTEGER NOT NULL,                         -- the version (versions.n) whose change asked for the capture
  subscription_id TEXT NOT NULL,              -- the wayback subscription that claimed it (its account's keys)
  status TEXT NOT NULL,                       -- submitting | pending | success | retry | failed
  job_id TEXT,                                -- SPN2's job id, stored before the first status poll; null while submitting
  claimed_at_ms INTEGER NOT NULL,             -- epoch ms of the latest claim (a new submission)
  submitted_at_ms INTEGER,                    -- epoch ms SPN2 accepted the job: the 10-minute polling deadline counts from it
  memento_url TEXT,                           -- https://web.archive.org/web/<timestamp>/<original url>, on success
  memento_at_ms INTEGER,                      -- the capture's timestamp (to the second), epoch ms, on success
  error TEXT,                                 -- why the last attempt did not succeed (status_ext and message), or null
  updated_at_ms INTEGER NOT NULL,             -- epoch ms of the last write: every re-claim compares it
  PRIMARY KEY (article_id, n)
);
