-- 0008_deny.sql - head office's deny list as the kiosk holds it (issue 14),
-- owned by app/core/deny.c. Only keyed hashes (HMAC-SHA256 with head
-- office's deny key) of the normalised name and phone are kept: never the
-- clear values. The key and the list arrive through the pull (deny_key,
-- deny_list) and each replaces what was there.

CREATE TABLE deny_key (         -- head office's HMAC key (one row)
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  key TEXT NOT NULL             -- 64 lowercase hex (32 bytes)
) STRICT;

CREATE TABLE deny_entry (       -- the list: replaced whole by each deny_list
  id         INTEGER PRIMARY KEY,  -- head office's entry id
  name_hash  TEXT,                 -- hex HMAC of the normalised name, or NULL
  phone_hash TEXT,                 -- hex HMAC of the normalised phone, or NULL
  CHECK (name_hash IS NOT NULL OR phone_hash IS NOT NULL)
) STRICT;
CREATE INDEX deny_by_name ON deny_entry(name_hash) WHERE name_hash IS NOT NULL;
CREATE INDEX deny_by_phone ON deny_entry(phone_hash) WHERE phone_hash IS NOT NULL;

-- A sign-in that matched: the staff console shows it until someone
-- acknowledges it (both are audited; the audit rows reach head office).
CREATE TABLE deny_alert (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  visitor_id INTEGER NOT NULL REFERENCES visitor(id),
  entry_id   INTEGER NOT NULL,     -- head office's entry that matched
  matched    TEXT NOT NULL CHECK (matched IN ('name', 'phone', 'name+phone')),
  at         INTEGER NOT NULL,
  ack_at     INTEGER,              -- NULL until a staff member acknowledges
  ack_by     TEXT
) STRICT;
CREATE INDEX deny_alert_open ON deny_alert(at) WHERE ack_at IS NULL;

-- A visitor who matched is still registered (nothing is lost), held at
-- reception: no badge was printed. The record head office receives says so.
ALTER TABLE visitor ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
DROP VIEW visitor_record;
CREATE VIEW visitor_record AS SELECT id, json_object('id', id, 'bday', bday,
    'badge', badge, 'name', name, 'phone', phone, 'company', company,
    'host', host_name, 'purpose', purpose, 'signed_in_at', signed_in_at,
    'signed_out_at', signed_out_at, 'signout_how', signout_how,
    'invitation', invitation, 'held', held) AS record
  FROM visitor;
