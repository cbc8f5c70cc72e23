-- 0002_print.sql - the print job queue (app/print/printq.c). A receipt is a
-- row before it is paper, so it survives a restart and an unplugged printer.
-- payload holds the exact ESC/POS bytes rendered when the job was queued:
-- what was checked is what is printed, and a reprint is byte-identical.
-- States: pending -> printing (committed before the first byte is sent) ->
-- done | failed; pending/failed -> cancelled by staff. A job found in
-- 'printing' at start-up is NOT resent (its receipt may already be out):
-- it becomes 'failed' with a reason, and staff reprint it if needed.
-- Times are Unix seconds (UTC), like 0001.

CREATE TABLE print_job (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,          -- ticket, visitor, complaint, test
  ref_id     INTEGER,                -- ticket.id / visitor.id / complaint.id
  payload    BLOB NOT NULL,          -- ESC/POS bytes
  state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
             ('pending','printing','done','failed','cancelled')),
  attempts   INTEGER NOT NULL DEFAULT 0,  -- times sending was started
  last_error TEXT,
  created_at INTEGER NOT NULL,
  printed_at INTEGER
) STRICT;
CREATE INDEX print_job_by_state ON print_job(state, id);
