-- /api/status without scanning articles: the counts it shows, kept in ONE row by triggers on
-- `articles`, so the status request reads one row whatever the number of articles (D1 bills rows
-- read). docs/storage.md describes the table and the triggers.
--
-- Written for wrangler's statement splitter (and readD1Migrations', the same code): each trigger
-- body is BEGIN … END with END in capitals, and no CASE inside (a CASE … END followed by a comma
-- or a parenthesis unbalances the splitter); booleans are summed as 0/1 instead.

CREATE TABLE article_stats (
  id INTEGER PRIMARY KEY CHECK (id = 1),    -- the one row
  total INTEGER NOT NULL DEFAULT 0,         -- articles
  tracking INTEGER NOT NULL DEFAULT 0,      -- articles with tracking = 1
  active INTEGER NOT NULL DEFAULT 0,        -- articles by status
  removed INTEGER NOT NULL DEFAULT 0,
  failing INTEGER NOT NULL DEFAULT 0,
  blocked INTEGER NOT NULL DEFAULT 0,
  versions INTEGER NOT NULL DEFAULT 0,      -- SUM(version_count)
  changes INTEGER NOT NULL DEFAULT 0        -- SUM(change_count)
);

-- The initial fill, from the rows a deployment already has (one scan, once).
INSERT INTO article_stats (id, total, tracking, active, removed, failing, blocked, versions, changes)
SELECT 1, COUNT(*), COALESCE(SUM(tracking), 0), COALESCE(SUM(status = 'active'), 0), COALESCE(SUM(status = 'removed'), 0),
  COALESCE(SUM(status = 'failing'), 0), COALESCE(SUM(status = 'blocked'), 0), COALESCE(SUM(version_count), 0), COALESCE(SUM(change_count), 0)
FROM articles;

-- A first capture, a migrated article, or a row inserted by hand.
CREATE TRIGGER article_stats_insert AFTER INSERT ON articles
BEGIN
  UPDATE article_stats SET
    total = total + 1,
    tracking = tracking + NEW.tracking,
    active = active + (NEW.status = 'active'),
    removed = removed + (NEW.status = 'removed'),
    failing = failing + (NEW.status = 'failing'),
    blocked = blocked + (NEW.status = 'blocked'),
    versions = versions + NEW.version_count,
    changes = changes + NEW.change_count
  WHERE id = 1;
END;

-- A check's commit, DELETE and resume. Only an UPDATE that sets one of the counted columns fires
-- it: the dispatcher's lease (SET lease_until) and the host bookkeeping cost nothing here.
CREATE TRIGGER article_stats_update AFTER UPDATE OF tracking, status, version_count, change_count ON articles
BEGIN
  UPDATE article_stats SET
    tracking = tracking + NEW.tracking - OLD.tracking,
    active = active + (NEW.status = 'active') - (OLD.status = 'active'),
    removed = removed + (NEW.status = 'removed') - (OLD.status = 'removed'),
    failing = failing + (NEW.status = 'failing') - (OLD.status = 'failing'),
    blocked = blocked + (NEW.status = 'blocked') - (OLD.status = 'blocked'),
    versions = versions + NEW.version_count - OLD.version_count,
    changes = changes + NEW.change_count - OLD.change_count
  WHERE id = 1;
END;

-- Redline never deletes an article row; an operator may (docs/storage.md, the migration's conflicts).
CREATE TRIGGER article_stats_delete AFTER DELETE ON articles
BEGIN
  UPDATE article_stats SET
    total = total - 1,
    tracking = tracking - OLD.tracking,
    active = active - (OLD.status = 'active'),
    removed = removed - (OLD.status = 'removed'),
    failing = failing - (OLD.status = 'failing'),
    blocked = blocked - (OLD.status = 'blocked'),
    versions = versions - OLD.version_count,
    changes = changes - OLD.change_count
  WHERE id = 1;
END;
