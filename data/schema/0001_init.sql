-- 0001_init.sql - the kiosk's first schema: configuration, services, counters,
-- tickets, visitors, complaints, ratings, handover and audit logs, and the
-- sync outbox. Every record change that head office must see writes its outbox
-- row from a trigger below, so it is always in the same transaction.
-- Times are Unix seconds (UTC); business days are 'YYYY-MM-DD' in the
-- configured time zone (see app/core/bday.c).

CREATE TABLE meta (           -- facts about this database, owned by the kiosk
  key   TEXT PRIMARY KEY,     -- device_id, epoch, created_at
  value TEXT NOT NULL
) STRICT;

CREATE TABLE config (         -- settings; head office owns them once enrolled
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE service (
  id        INTEGER PRIMARY KEY,
  code      TEXT NOT NULL UNIQUE,         -- ticket prefix, 1-2 capital letters
  name_zh   TEXT NOT NULL,
  name_en   TEXT NOT NULL,
  active    INTEGER NOT NULL DEFAULT 1,
  open_min  INTEGER NOT NULL DEFAULT 0,   -- opens, minutes after local midnight
  close_min INTEGER NOT NULL DEFAULT 1440,-- closes, minutes after local midnight
  daily_cap INTEGER,                      -- tickets per business day, NULL = none
  sort      INTEGER NOT NULL DEFAULT 0    -- order on the home screen
) STRICT;

CREATE TABLE counter (
  id   INTEGER PRIMARY KEY,               -- the number visitors see ("counter 3")
  name TEXT NOT NULL,
  open INTEGER NOT NULL DEFAULT 1         -- staffed now; drives the wait estimate
) STRICT;

CREATE TABLE counter_service (
  counter_id INTEGER NOT NULL REFERENCES counter(id) ON DELETE CASCADE,
  service_id INTEGER NOT NULL REFERENCES service(id),
  PRIMARY KEY (counter_id, service_id)
) STRICT;

-- The last number issued per service and business day. Numbers come only from
-- here, in the same transaction as the ticket, so a number is never reused.
CREATE TABLE ticket_seq (
  service_id INTEGER NOT NULL REFERENCES service(id),
  bday       TEXT NOT NULL,
  last       INTEGER NOT NULL,
  PRIMARY KEY (service_id, bday)
) STRICT;

CREATE TABLE ticket (
  id                INTEGER PRIMARY KEY AUTOINCREMENT, -- also the queue order
  bday              TEXT NOT NULL,
  issued_service_id INTEGER NOT NULL REFERENCES service(id),
  service_id        INTEGER NOT NULL REFERENCES service(id), -- after transfers
  number            INTEGER NOT NULL,
  label             TEXT NOT NULL,        -- "A001"
  priority          INTEGER NOT NULL DEFAULT 0,
  state             TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN
                    ('waiting','called','serving','done','noshow','cancelled')),
  counter_id        INTEGER REFERENCES counter(id),
  recalls           INTEGER NOT NULL DEFAULT 0,
  transfers         INTEGER NOT NULL DEFAULT 0,
  issued_at         INTEGER NOT NULL,
  called_at         INTEGER,
  serving_at        INTEGER,
  finished_at       INTEGER,
  UNIQUE (issued_service_id, bday, number)
) STRICT;
CREATE INDEX ticket_by_state ON ticket(state, service_id, priority DESC, id);
CREATE INDEX ticket_by_counter ON ticket(counter_id) WHERE state IN ('called', 'serving');
-- The wait estimate reads the last few finished tickets of a service.
CREATE INDEX ticket_done ON ticket(service_id, id) WHERE state = 'done';

CREATE TABLE ticket_event (   -- the history of a ticket after it was issued
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id  INTEGER NOT NULL REFERENCES ticket(id),
  at         INTEGER NOT NULL,
  event      TEXT NOT NULL,   -- called, recalled, serving, done, noshow, cancelled, transferred
  counter_id INTEGER,
  service_id INTEGER,         -- for transfers: the new service
  actor      TEXT
) STRICT;
CREATE INDEX ticket_event_by_ticket ON ticket_event(ticket_id);

CREATE TABLE host (           -- the people a visitor can come to see
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  department TEXT NOT NULL DEFAULT '',
  active     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE visitor_seq (bday TEXT PRIMARY KEY, last INTEGER NOT NULL) STRICT;

CREATE TABLE visitor (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  bday          TEXT NOT NULL,
  badge         TEXT NOT NULL,          -- "V0001", per business day
  name          TEXT NOT NULL,
  phone         TEXT NOT NULL,
  company       TEXT NOT NULL DEFAULT '',
  host_id       INTEGER REFERENCES host(id),
  host_name     TEXT NOT NULL,          -- as it was at sign-in
  purpose       TEXT NOT NULL DEFAULT '',
  signed_in_at  INTEGER NOT NULL,
  signed_out_at INTEGER,
  signout_how   TEXT CHECK (signout_how IN ('staff','self','closing')),
  erased_at     INTEGER,                -- personal data erased (retention)
  UNIQUE (bday, badge)
) STRICT;
CREATE INDEX visitor_on_site ON visitor(signed_out_at);

CREATE TABLE complaint_seq (day TEXT PRIMARY KEY, last INTEGER NOT NULL) STRICT;

CREATE TABLE complaint (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  ref           TEXT NOT NULL UNIQUE,   -- 14 digits, see app/core/complaint.c
  category      TEXT NOT NULL,
  description   TEXT NOT NULL,
  contact_name  TEXT NOT NULL DEFAULT '',
  contact_phone TEXT NOT NULL DEFAULT '',
  consent       INTEGER NOT NULL DEFAULT 0, -- may we keep the contact
  ticket_id     INTEGER REFERENCES ticket(id),
  received_at   INTEGER NOT NULL,
  feedback_due  INTEGER NOT NULL,       -- received_at + 24 h
  severity      TEXT CHECK (severity IN ('ordinary','serious')),
  valid         INTEGER,                -- set at assessment
  state         TEXT NOT NULL DEFAULT 'received' CHECK (state IN
                ('received','assessed','investigating','proposed','resolved','closed')),
  department    TEXT NOT NULL DEFAULT '',
  resolution    TEXT NOT NULL DEFAULT '',
  close_reason  TEXT NOT NULL DEFAULT '',
  stat_category TEXT NOT NULL DEFAULT '', -- for the monthly statistics
  updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX complaint_by_state ON complaint(state);

CREATE TABLE complaint_event (-- every workflow transition: who and when
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  complaint_id INTEGER NOT NULL REFERENCES complaint(id),
  at           INTEGER NOT NULL,
  from_state   TEXT NOT NULL,
  to_state     TEXT NOT NULL,
  actor        TEXT NOT NULL,
  note         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX complaint_event_by_complaint ON complaint_event(complaint_id);

CREATE TABLE rating (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id    INTEGER NOT NULL UNIQUE REFERENCES ticket(id),
  counter_id   INTEGER,
  service      INTEGER NOT NULL CHECK (service BETWEEN 1 AND 4),  -- 1 excellent .. 4 poor
  attitude     INTEGER NOT NULL CHECK (attitude BETWEEN 1 AND 4),
  result       INTEGER NOT NULL CHECK (result BETWEEN 1 AND 4),
  comment      TEXT NOT NULL DEFAULT '',
  at           INTEGER NOT NULL,
  complaint_id INTEGER REFERENCES complaint(id)
) STRICT;

CREATE TABLE handover (       -- shift handover log (交接班)
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  staff     TEXT NOT NULL,
  note      TEXT NOT NULL,
  open_json TEXT NOT NULL     -- what was still open, as the staff saw it
) STRICT;

CREATE TABLE audit (          -- who did what, when
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail  TEXT NOT NULL DEFAULT ''
) STRICT;

-- The sync outbox: one row per record change, keyed (device_id, epoch, seq).
-- seq is AUTOINCREMENT so it is never reused, even after rows are deleted.
CREATE TABLE outbox (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  epoch          INTEGER NOT NULL,
  type           TEXT NOT NULL,         -- ticket, ticket_event, visitor, ...
  schema_version INTEGER NOT NULL,      -- of the record's JSON shape
  record         TEXT NOT NULL          -- the whole record as JSON
) STRICT;

INSERT INTO meta(key, value) VALUES ('epoch', '1');

-- Records as head office receives them, one view per type; the triggers
-- below copy a changed row's record into the outbox.
CREATE VIEW ticket_record AS SELECT t.id, json_object('id', t.id, 'bday', t.bday,
    'issued_service', si.code, 'service', s.code, 'number', t.number,
    'label', t.label, 'priority', t.priority, 'state', t.state,
    'counter', t.counter_id, 'recalls', t.recalls, 'transfers', t.transfers,
    'issued_at', t.issued_at, 'called_at', t.called_at,
    'serving_at', t.serving_at, 'finished_at', t.finished_at) AS record
  FROM ticket t JOIN service s ON s.id = t.service_id
  JOIN service si ON si.id = t.issued_service_id;
CREATE VIEW visitor_record AS SELECT id, json_object('id', id, 'bday', bday,
    'badge', badge, 'name', name, 'phone', phone, 'company', company,
    'host', host_name, 'purpose', purpose, 'signed_in_at', signed_in_at,
    'signed_out_at', signed_out_at, 'signout_how', signout_how) AS record
  FROM visitor;
CREATE VIEW complaint_record AS SELECT id, json_object('id', id, 'ref', ref,
    'category', category, 'description', description,
    'contact_name', contact_name, 'contact_phone', contact_phone,
    'consent', consent, 'ticket', ticket_id, 'received_at', received_at,
    'feedback_due', feedback_due, 'severity', severity, 'valid', valid,
    'state', state, 'department', department, 'resolution', resolution,
    'close_reason', close_reason, 'stat_category', stat_category,
    'updated_at', updated_at) AS record
  FROM complaint;
CREATE VIEW rating_record AS SELECT r.id, json_object('id', r.id,
    'ticket', r.ticket_id, 'counter', r.counter_id, 'service', r.service,
    'attitude', r.attitude, 'result', r.result, 'comment', r.comment,
    'at', r.at, 'complaint', c.ref) AS record
  FROM rating r LEFT JOIN complaint c ON c.id = r.complaint_id;

CREATE TRIGGER ticket_ins AFTER INSERT ON ticket BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record)
    SELECT (SELECT value FROM meta WHERE key = 'epoch'), 'ticket', 1, record
    FROM ticket_record WHERE id = NEW.id;
END;
CREATE TRIGGER ticket_upd AFTER UPDATE ON ticket BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record)
    SELECT (SELECT value FROM meta WHERE key = 'epoch'), 'ticket', 1, record
    FROM ticket_record WHERE id = NEW.id;
END;
CREATE TRIGGER visitor_ins AFTER INSERT ON visitor BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record)
    SELECT (SELECT value FROM meta WHERE key = 'epoch'), 'visitor', 1, record
    FROM visitor_record WHERE id = NEW.id;
END;
-- Erasing a visitor's personal data after the retention period is local:
-- head office keeps its copy under its own rules, so no outbox row.
CREATE TRIGGER visitor_upd AFTER UPDATE ON visitor WHEN NEW.erased_at IS NULL BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record)
    SELECT (SELECT value FROM meta WHERE key = 'epoch'), 'visitor', 1, record
    FROM visitor_record WHERE id = NEW.id;
END;
CREATE TRIGGER complaint_ins AFTER INSERT ON complaint BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record)
    SELECT (SELECT value FROM meta WHERE key = 'epoch'), 'complaint', 1, record
    FROM complaint_record WHERE id = NEW.id;
END;
CREATE TRIGGER complaint_upd AFTER UPDATE ON complaint BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record)
    SELECT (SELECT value FROM meta WHERE key = 'epoch'), 'complaint', 1, record
    FROM complaint_record WHERE id = NEW.id;
END;
CREATE TRIGGER rating_ins AFTER INSERT ON rating BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record)
    SELECT (SELECT value FROM meta WHERE key = 'epoch'), 'rating', 1, record
    FROM rating_record WHERE id = NEW.id;
END;
CREATE TRIGGER rating_upd AFTER UPDATE ON rating BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record)
    SELECT (SELECT value FROM meta WHERE key = 'epoch'), 'rating', 1, record
    FROM rating_record WHERE id = NEW.id;
END;
CREATE TRIGGER ticket_event_ins AFTER INSERT ON ticket_event BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record) VALUES (
    (SELECT value FROM meta WHERE key = 'epoch'), 'ticket_event', 1,
    json_object('id', NEW.id, 'ticket', NEW.ticket_id, 'at', NEW.at,
      'event', NEW.event, 'counter', NEW.counter_id,
      'service', (SELECT code FROM service WHERE id = NEW.service_id),
      'actor', NEW.actor));
END;
CREATE TRIGGER complaint_event_ins AFTER INSERT ON complaint_event BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record) VALUES (
    (SELECT value FROM meta WHERE key = 'epoch'), 'complaint_event', 1,
    json_object('id', NEW.id, 'complaint',
      (SELECT ref FROM complaint WHERE id = NEW.complaint_id), 'at', NEW.at,
      'from', NEW.from_state, 'to', NEW.to_state, 'actor', NEW.actor,
      'note', NEW.note));
END;
CREATE TRIGGER handover_ins AFTER INSERT ON handover BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record) VALUES (
    (SELECT value FROM meta WHERE key = 'epoch'), 'handover', 1,
    json_object('id', NEW.id, 'at', NEW.at, 'staff', NEW.staff,
      'note', NEW.note, 'open', json(NEW.open_json)));
END;
CREATE TRIGGER audit_ins AFTER INSERT ON audit BEGIN
  INSERT INTO outbox(epoch, type, schema_version, record) VALUES (
    (SELECT value FROM meta WHERE key = 'epoch'), 'audit', 1,
    json_object('id', NEW.id, 'at', NEW.at, 'actor', NEW.actor,
      'action', NEW.action, 'subject', NEW.subject, 'detail', NEW.detail));
END;
