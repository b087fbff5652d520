-- Issue 15, search what each change added and removed (`GET /api/search?in=added|removed`): one
-- row per change that compares two versions (from_n and to_n both set and different), written in
-- the commit batch that inserts the change row, under the same guard (src/storage/store.ts), so
-- the index row never exists without its change. `POST /api/admin/reindex` fills it for changes
-- recorded before this table existed. docs/storage.md ("change_search") describes it.
--
-- Sentence-level spans: `removed` holds the old wording of what the change took out or rewrote
-- (the old headline when it changed, then every sentence it deleted or edited, whole, one per
-- line), `added` the new wording likewise (src/search/changes.ts). Tokenized as version_search:
-- unicode61, and each column's Hangul runs as overlapping two-syllable grams in its own column.
CREATE VIRTUAL TABLE change_search USING fts5(
  article_id UNINDEXED,     -- changes.article_id
  seq UNINDEXED,            -- changes.seq
  detected_at_ms UNINDEXED, -- changes.detected_at_ms (the from/to filters, sort=time)
  removed,                  -- the old headline if it changed, then each deleted or edited sentence as it was, one per line
  added,                    -- the new headline if it changed, then each added or edited sentence as it is, one per line
  removed_grams,            -- the Hangul bigrams of removed, space-separated
  added_grams               -- the Hangul bigrams of added
);
