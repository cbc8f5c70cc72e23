-- 0006_notify.sql - whether head office told each visitor's host that they
-- are here (issue 14). Head office sends the message and pulls its outcome
-- down (kind 'notice', hq/PROTOCOL.md); core's visitor module keeps it here,
-- one row per visitor, beside the visitor row rather than in it: the visitor
-- row's update trigger would send every outcome back up as a new version.
-- No personal data: the retention sweep has nothing to erase here.
CREATE TABLE visitor_notice (
  visitor_id INTEGER PRIMARY KEY REFERENCES visitor(id),
  outcome    TEXT NOT NULL CHECK (outcome IN ('sent', 'failed', 'none')),
  at         INTEGER NOT NULL     -- head office's time of the outcome
) STRICT;
