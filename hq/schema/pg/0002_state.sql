-- 0002_state.sql - head office's current state of what the branches hold, the
-- same tables as hq/schema/sqlite/0002_state.sql: one row per (device, record
-- id, and a time the kiosk never changes: a kiosk restored from a backup hands
-- out ids again, and a record with a reused id is another record) for
-- tickets, ticket events, visitors, ratings, handovers and audit lines, kept
-- by the push transaction (hq_state.c describes the columns; hq_store_pg.c
-- writes them). A version replaces the row only when its (epoch, seq) is
-- newer than the one the row came from, so a late older version never wins
-- and a restore (a higher epoch) always does. The log (record) stays the
-- truth: `frontdesk-hq rebuild` replays it into these. Indexes serve the
-- reports (hq_report.c): a device's rows of a business day or a month, its
-- ratings by ticket, its complaints by the time received.

CREATE TABLE ticket_state (
  device_id      text NOT NULL,
  id             bigint NOT NULL,  -- the kiosk's ticket id
  epoch          bigint NOT NULL,  -- the version this row holds: (epoch, seq)
  seq            bigint NOT NULL,
  bday           text NOT NULL,     -- the kiosk's business day, 'YYYY-MM-DD'
  issued_service text NOT NULL,     -- service code the ticket was taken for
  service        text NOT NULL,     -- service code now (after transfers)
  number         bigint,
  label          text NOT NULL,     -- "A001"
  priority       bigint,
  state          text NOT NULL,     -- waiting|called|serving|done|noshow|cancelled
  counter        bigint,
  recalls        bigint,
  transfers      bigint,
  issued_at      bigint NOT NULL,  -- Unix seconds
  called_at      bigint,
  serving_at     bigint,
  finished_at    bigint,
  PRIMARY KEY (device_id, id, issued_at)
);
CREATE INDEX ticket_state_by_day ON ticket_state(device_id, bday);

CREATE TABLE ticket_event_state (
  device_id text NOT NULL,
  id        bigint NOT NULL,
  epoch     bigint NOT NULL,
  seq       bigint NOT NULL,
  ticket    bigint NOT NULL,       -- the kiosk's ticket id
  at        bigint NOT NULL,
  event     text NOT NULL,          -- called, recalled, serving, done, noshow, ...
  counter   bigint,
  service   text,                   -- transfers: the new service's code
  actor     text,
  PRIMARY KEY (device_id, id, at)
);
CREATE INDEX ticket_event_state_by_ticket ON ticket_event_state(device_id, ticket);

CREATE TABLE visitor_state (
  device_id     text NOT NULL,
  id            bigint NOT NULL,
  epoch         bigint NOT NULL,
  seq           bigint NOT NULL,
  bday          text NOT NULL,
  badge         text NOT NULL,
  name          text NOT NULL,      -- personal data
  phone         text,               -- personal data
  company       text,               -- personal data
  host          text,
  purpose       text,
  signed_in_at  bigint NOT NULL,
  signed_out_at bigint,
  signout_how   text,               -- staff|self|closing
  PRIMARY KEY (device_id, id, signed_in_at)
);
CREATE INDEX visitor_state_by_day ON visitor_state(device_id, bday);

CREATE TABLE rating_state (
  device_id text NOT NULL,
  id        bigint NOT NULL,
  epoch     bigint NOT NULL,
  seq       bigint NOT NULL,
  ticket    bigint NOT NULL,       -- the kiosk's ticket id (its day counts it)
  counter   bigint,
  service   bigint NOT NULL,       -- 1 excellent, 2 good, 3 fair, 4 poor
  attitude  bigint NOT NULL,
  result    bigint NOT NULL,
  comment   text,
  at        bigint NOT NULL,
  complaint text,                   -- a complaint's ref, when one was filed
  PRIMARY KEY (device_id, id, at)
);
CREATE INDEX rating_state_by_ticket ON rating_state(device_id, ticket);

CREATE TABLE handover_state (
  device_id text NOT NULL,
  id        bigint NOT NULL,
  epoch     bigint NOT NULL,
  seq       bigint NOT NULL,
  at        bigint NOT NULL,
  staff     text NOT NULL,
  note      text NOT NULL,
  open      text,                   -- JSON: what was still open
  PRIMARY KEY (device_id, id, at)
);
CREATE INDEX handover_state_by_at ON handover_state(device_id, at);

CREATE TABLE audit_state (
  device_id text NOT NULL,
  id        bigint NOT NULL,
  epoch     bigint NOT NULL,
  seq       bigint NOT NULL,
  at        bigint NOT NULL,
  actor     text NOT NULL,
  action    text NOT NULL,
  subject   text,
  detail    text,
  PRIMARY KEY (device_id, id, at)
);
CREATE INDEX audit_state_by_at ON audit_state(device_id, at);

-- The reports read a device's complaints by the time received, and the
-- first response and closing from the workflow's events.
CREATE INDEX complaint_by_received ON complaint(device_id, received_at);
CREATE INDEX complaint_event_by_complaint ON complaint_event(complaint_id, at);
