-- Issue 15, search across every version: one row per stored version, written in the commit batch
-- that inserts the version's row (src/storage/store.ts) — the index row never exists without its
-- version, nor the version without its index row. docs/storage.md ("Search") describes it.
--
-- unicode61 (the default tokenizer, diacritics removed): English words, phrases and prefixes
-- ("five-fold" is the phrase five + fold, negotiat* a prefix). Korean has no spaces inside a
-- word (방위비분담금), so `grams` holds every Hangul run of the text as overlapping two-syllable
-- grams, and a Hangul query term becomes the phrase of its grams: any substring of two syllables
-- or more matches (src/search/text.ts).
CREATE VIRTUAL TABLE version_search USING fts5(
  article_id UNINDEXED,   -- articles.id
  n UNINDEXED,            -- versions.n
  captured_at_ms UNINDEXED, -- versions.captured_at as epoch ms (the from/to filters, sort=time)
  body,                   -- the headline, then each paragraph, one per line
  grams                   -- the Hangul bigrams of body, space-separated
);
