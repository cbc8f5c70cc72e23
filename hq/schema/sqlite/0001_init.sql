-- 0001_init.sql - head office's SQLite schema: enrolled devices and tokens,
-- nonces against replay, the records branches push (kept whole, keyed by
-- device, epoch and seq), quarantine, the complaint workflow, configuration
-- and the change log branches pull. Applied by hq_store_sqlite.c; PRAGMA
-- user_version counts the files applied.

CREATE TABLE enroll_token (     -- one-time enrolment tokens, hashed
  hash       BLOB PRIMARY KEY,  -- crypto_generichash(token), 32 bytes
  branch     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER             -- NULL until consumed
) STRICT;

CREATE TABLE device (
  device_id   TEXT PRIMARY KEY,
  branch      TEXT NOT NULL,
  pubkey      BLOB NOT NULL,     -- Ed25519, 32 bytes
  enrolled_at INTEGER NOT NULL,
  revoked_at  INTEGER NOT NULL DEFAULT 0,
  last_push   INTEGER NOT NULL DEFAULT 0,
  backlog     INTEGER NOT NULL DEFAULT 0  -- as last reported by the kiosk
) STRICT;

CREATE TABLE nonce (            -- seen nonces, pruned after SYNC_NONCE_KEEP
  device_id TEXT NOT NULL,
  nonce     TEXT NOT NULL,
  ts        INTEGER NOT NULL,
  PRIMARY KEY (device_id, nonce)
) STRICT, WITHOUT ROWID;
CREATE INDEX nonce_by_ts ON nonce(ts);

CREATE TABLE stream (           -- highest contiguous seq held per (device, epoch)
  device_id TEXT NOT NULL,
  epoch     INTEGER NOT NULL,
  high      INTEGER NOT NULL,
  PRIMARY KEY (device_id, epoch)
) STRICT, WITHOUT ROWID;

CREATE TABLE record (           -- every outbox row a branch pushed, once
  device_id      TEXT NOT NULL,
  epoch          INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  type           TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  record         TEXT NOT NULL,
  received_at    INTEGER NOT NULL,
  PRIMARY KEY (device_id, epoch, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE quarantine (       -- rows head office could not accept (acknowledged)
  device_id      TEXT NOT NULL,
  epoch          INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  type           TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  record         TEXT NOT NULL,
  reason         TEXT NOT NULL,
  received_at    INTEGER NOT NULL,
  PRIMARY KEY (device_id, epoch, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE complaint (        -- the workflow; kiosk-owned fields + hq-owned fields
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id     TEXT NOT NULL,
  branch        TEXT NOT NULL,
  ref           TEXT NOT NULL,
  category      TEXT NOT NULL,
  description   TEXT NOT NULL,
  received_at   INTEGER NOT NULL,
  feedback_due  INTEGER NOT NULL,
  state         TEXT NOT NULL,
  severity      TEXT,
  valid         INTEGER,
  department    TEXT NOT NULL DEFAULT '',
  resolution    TEXT NOT NULL DEFAULT '',
  close_reason  TEXT NOT NULL DEFAULT '',
  stat_category TEXT NOT NULL DEFAULT '',
  updated_at    INTEGER NOT NULL,
  UNIQUE (device_id, ref)
) STRICT;
CREATE INDEX complaint_by_state ON complaint(state, id);

CREATE TABLE complaint_event (  -- transitions made at head office
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  complaint_id INTEGER NOT NULL REFERENCES complaint(id),
  at           INTEGER NOT NULL,
  from_state   TEXT NOT NULL,
  to_state     TEXT NOT NULL,
  actor        TEXT NOT NULL,
  note         TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE config (           -- head-office-owned configuration
  branch     TEXT NOT NULL,     -- '' = every branch
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,     -- JSON
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (branch, key)
) STRICT;

CREATE TABLE change (           -- what branches pull, in id order (the cursor)
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  branch    TEXT NOT NULL,      -- '' = every branch
  device_id TEXT NOT NULL,      -- '' = every device of the branch
  kind      TEXT NOT NULL,      -- config | complaint
  key       TEXT NOT NULL,
  value     TEXT NOT NULL,      -- JSON
  at        INTEGER NOT NULL
) STRICT;
