-- 0005_retention.sql - what the kiosk keeps, and for how long (issue 15).
-- The housekeeping sweep (app/kiosk/kiosk_sweep.c, `frontdesk-ctl sweep`)
-- works in short batches; these indexes let every batch find its rows
-- without reading the history.

-- A visitor's record rows in the outbox, by visitor id: the erase sweep asks
-- "does head office hold this visitor yet?" once per visitor. An index on the
-- expression the query uses, so the triggers of 0001 stay as they are.
CREATE INDEX outbox_visitor ON outbox(json_extract(record, '$.id'))
  WHERE type = 'visitor';
-- Visitors whose personal data is still there, by business day.
CREATE INDEX visitor_to_erase ON visitor(bday) WHERE erased_at IS NULL;

-- When the outbox had reached which seq (app/core/outbox.c): a kiosk that is
-- not enrolled keeps only its last outbox_standalone_days of rows, and the
-- rows have no time of their own. One mark an hour, older ones dropped.
CREATE TABLE outbox_mark (
  at  INTEGER PRIMARY KEY,     -- Unix seconds
  seq INTEGER NOT NULL         -- max(outbox.seq) at that time (0 = empty)
) STRICT;

-- print_job again, for two changes a column cannot make (app/print/printq.c):
-- a pending job too old to be of use becomes 'expired' instead of printing
-- hours later, and a job's bytes are dropped after the reprint window
-- (bytes_dropped_at), so names on badges and evacuation lists do not stay in
-- the file. Jobs older than a day lose their bytes here already (the
-- default window is 24 hours), so the copy is small.
CREATE TABLE print_job_new (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,          -- ticket, visitor, complaint, test, ...
  ref_id     INTEGER,                -- ticket.id / visitor.id / complaint.id
  payload    BLOB NOT NULL,          -- ESC/POS bytes; empty once dropped
  state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
             ('pending','printing','done','failed','cancelled','expired')),
  attempts   INTEGER NOT NULL DEFAULT 0,  -- times sending was started
  last_error TEXT,
  created_at INTEGER NOT NULL,
  printed_at INTEGER,
  bytes_dropped_at INTEGER           -- payload emptied (reprint window, erasure)
) STRICT;
INSERT INTO print_job_new(id, kind, ref_id, payload, state, attempts, last_error,
                          created_at, printed_at, bytes_dropped_at)
  SELECT id, kind, ref_id,
         CASE WHEN state IN ('pending', 'printing') OR created_at >= unixepoch() - 86400
              THEN payload ELSE X'' END,
         state, attempts, last_error, created_at, printed_at,
         CASE WHEN state IN ('pending', 'printing') OR created_at >= unixepoch() - 86400
              THEN NULL ELSE unixepoch() END
  FROM print_job;
-- job ids are never reused: carry the old table's AUTOINCREMENT high mark
UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM sqlite_sequence
  WHERE name = 'print_job')) WHERE name = 'print_job_new';
DROP TABLE print_job;
ALTER TABLE print_job_new RENAME TO print_job;
CREATE INDEX print_job_by_state ON print_job(state, id);
-- Jobs whose bytes are still kept, by age: the reprint-window sweep.
CREATE INDEX print_job_kept ON print_job(created_at) WHERE bytes_dropped_at IS NULL;
-- A record's jobs: erasing a visitor erases their badge's bytes.
CREATE INDEX print_job_by_ref ON print_job(kind, ref_id) WHERE ref_id IS NOT NULL;
-- Rows of old jobs go after PRINTQ_HISTORY_DAYS.
CREATE INDEX print_job_by_created ON print_job(created_at);
