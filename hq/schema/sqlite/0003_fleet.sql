-- 0003_fleet.sql - kiosk health, head office's own settings and audit log,
-- and the indexes that find personal data in the log and the state tables
-- (issue 10). Health is one row per device, replaced by every push that
-- carries one (not the record log, which it would only bloat). The personal
-- data indexes are partial: an erased row leaves them, so the sweep's work
-- does not grow with what it already erased.

CREATE TABLE device_health (
  device_id       TEXT PRIMARY KEY,
  received_at     INTEGER NOT NULL,   -- head office's clock
  app_version     TEXT NOT NULL,
  printer_known   INTEGER NOT NULL,   -- 0: no printer worker (a tool pushed)
  printer_online  INTEGER NOT NULL,
  paper_out       INTEGER NOT NULL,
  paper_near_end  INTEGER NOT NULL,
  cover_open      INTEGER NOT NULL,
  printer_message TEXT NOT NULL,
  print_failed    INTEGER NOT NULL,   -- print jobs failed, waiting for staff
  backlog         INTEGER NOT NULL,   -- outbox rows not yet acknowledged
  last_error      TEXT NOT NULL,      -- the kiosk's last sync error, '' = none
  uptime_s        INTEGER NOT NULL,
  disk_free_mb    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE hq_setting (       -- head office's own settings (never sent to kiosks)
  key        TEXT PRIMARY KEY,  -- personal_data_days, ...
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE hq_audit (         -- who did what at head office, and why
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,        -- --by NAME, or 'hq:purge' for the sweep
  action  TEXT NOT NULL,        -- person.find|person.export|person.erase|purge|archive
  subject TEXT NOT NULL,        -- the phone masked (138****0001), a month, ...
  reason  TEXT NOT NULL,        -- --reason TEXT
  detail  TEXT NOT NULL DEFAULT ''  -- JSON: what was found or changed
) STRICT;

-- Visits and complaints whose personal data is still there, by when they
-- happened (the sweep), and by phone (person find|export|erase).
CREATE INDEX record_visitor_pii ON record(json_extract(record, '$.signed_in_at'))
  WHERE type = 'visitor' AND (json_extract(record, '$.name') <> ''
    OR json_extract(record, '$.phone') <> '' OR json_extract(record, '$.company') <> ''
    OR json_extract(record, '$.purpose') <> '');
CREATE INDEX record_complaint_pii ON record(json_extract(record, '$.received_at'))
  WHERE type = 'complaint' AND (json_extract(record, '$.contact_name') <> ''
    OR json_extract(record, '$.contact_phone') <> '');
CREATE INDEX record_visitor_phone ON record(json_extract(record, '$.phone'))
  WHERE type = 'visitor';
CREATE INDEX record_complaint_phone ON record(json_extract(record, '$.contact_phone'))
  WHERE type = 'complaint';
-- The same in the state table (0002_state.sql): visits not yet erased, and
-- a person by phone.
CREATE INDEX visitor_state_pii ON visitor_state(signed_in_at)
  WHERE (name <> '' OR phone <> '' OR company <> '' OR purpose <> '');
CREATE INDEX visitor_state_phone ON visitor_state(phone);
