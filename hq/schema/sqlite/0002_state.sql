-- 0002_state.sql - head office's current state of what the branches hold:
-- one row per (device, record id, and a time the kiosk never changes: a kiosk
-- restored from a backup hands out ids again, and a record with a reused id
-- is another record) for tickets, ticket events, visitors, ratings, handovers
-- and audit lines (complaints have their own table since 0001). The push
-- transaction keeps them (hq_state.c describes the columns;
-- hq_store_sqlite.c writes them): a version replaces the row only when its
-- (epoch, seq) is newer than the one the row came from, so a late older
-- version never wins and a restore (a higher epoch) always does. The log
-- (record) stays the truth: `frontdesk-hq rebuild` replays it into these.
-- Indexes serve the reports (hq_report.c): a device's rows of a business day
-- or a month, its ratings by ticket, its complaints by the time received.

CREATE TABLE ticket_state (
  device_id      TEXT NOT NULL,
  id             INTEGER NOT NULL,  -- the kiosk's ticket id
  epoch          INTEGER NOT NULL,  -- the version this row holds: (epoch, seq)
  seq            INTEGER NOT NULL,
  bday           TEXT NOT NULL,     -- the kiosk's business day, 'YYYY-MM-DD'
  issued_service TEXT NOT NULL,     -- service code the ticket was taken for
  service        TEXT NOT NULL,     -- service code now (after transfers)
  number         INTEGER,
  label          TEXT NOT NULL,     -- "A001"
  priority       INTEGER,
  state          TEXT NOT NULL,     -- waiting|called|serving|done|noshow|cancelled
  counter        INTEGER,
  recalls        INTEGER,
  transfers      INTEGER,
  issued_at      INTEGER NOT NULL,  -- Unix seconds
  called_at      INTEGER,
  serving_at     INTEGER,
  finished_at    INTEGER,
  PRIMARY KEY (device_id, id, issued_at)
) STRICT, WITHOUT ROWID;
CREATE INDEX ticket_state_by_day ON ticket_state(device_id, bday);

CREATE TABLE ticket_event_state (
  device_id TEXT NOT NULL,
  id        INTEGER NOT NULL,
  epoch     INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  ticket    INTEGER NOT NULL,       -- the kiosk's ticket id
  at        INTEGER NOT NULL,
  event     TEXT NOT NULL,          -- called, recalled, serving, done, noshow, ...
  counter   INTEGER,
  service   TEXT,                   -- transfers: the new service's code
  actor     TEXT,
  PRIMARY KEY (device_id, id, at)
) STRICT, WITHOUT ROWID;
CREATE INDEX ticket_event_state_by_ticket ON ticket_event_state(device_id, ticket);

CREATE TABLE visitor_state (
  device_id     TEXT NOT NULL,
  id            INTEGER NOT NULL,
  epoch         INTEGER NOT NULL,
  seq           INTEGER NOT NULL,
  bday          TEXT NOT NULL,
  badge         TEXT NOT NULL,
  name          TEXT NOT NULL,      -- personal data
  phone         TEXT,               -- personal data
  company       TEXT,               -- personal data
  host          TEXT,
  purpose       TEXT,
  signed_in_at  INTEGER NOT NULL,
  signed_out_at INTEGER,
  signout_how   TEXT,               -- staff|self|closing
  PRIMARY KEY (device_id, id, signed_in_at)
) STRICT, WITHOUT ROWID;
CREATE INDEX visitor_state_by_day ON visitor_state(device_id, bday);

CREATE TABLE rating_state (
  device_id TEXT NOT NULL,
  id        INTEGER NOT NULL,
  epoch     INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  ticket    INTEGER NOT NULL,       -- the kiosk's ticket id (its day counts it)
  counter   INTEGER,
  service   INTEGER NOT NULL,       -- 1 excellent, 2 good, 3 fair, 4 poor
  attitude  INTEGER NOT NULL,
  result    INTEGER NOT NULL,
  comment   TEXT,
  at        INTEGER NOT NULL,
  complaint TEXT,                   -- a complaint's ref, when one was filed
  PRIMARY KEY (device_id, id, at)
) STRICT, WITHOUT ROWID;
CREATE INDEX rating_state_by_ticket ON rating_state(device_id, ticket);

CREATE TABLE handover_state (
  device_id TEXT NOT NULL,
  id        INTEGER NOT NULL,
  epoch     INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  at        INTEGER NOT NULL,
  staff     TEXT NOT NULL,
  note      TEXT NOT NULL,
  open      TEXT,                   -- JSON: what was still open
  PRIMARY KEY (device_id, id, at)
) STRICT, WITHOUT ROWID;
CREATE INDEX handover_state_by_at ON handover_state(device_id, at);

CREATE TABLE audit_state (
  device_id TEXT NOT NULL,
  id        INTEGER NOT NULL,
  epoch     INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  at        INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  subject   TEXT,
  detail    TEXT,
  PRIMARY KEY (device_id, id, at)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_state_by_at ON audit_state(device_id, at);

-- The reports read a device's complaints by the time received, and the
-- first response and closing from the workflow's events.
CREATE INDEX complaint_by_received ON complaint(device_id, received_at);
CREATE INDEX complaint_event_by_complaint ON complaint_event(complaint_id, at);
