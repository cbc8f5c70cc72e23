-- 0005_console.sql - the head-office console (issue 11): its users, their
-- sessions (in the database, so that several servers could share them), the
-- complaint workflow's new fields (the officer it is assigned to; the
-- customer's satisfaction at the follow-up, 回访) and the notes and
-- assignments beside the transitions. Existing complaints keep their state:
-- the follow-up step (followed_up) sits between resolved and closed, so no
-- row needs moving.

CREATE TABLE console_user (
  name         TEXT PRIMARY KEY,
  role         TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'manager')),
  branches     TEXT NOT NULL DEFAULT '[]', -- JSON array: a manager's branches
  pw_hash      TEXT NOT NULL,              -- Argon2id (crypto_pwhash_str)
  disabled     INTEGER NOT NULL DEFAULT 0,
  failures     INTEGER NOT NULL DEFAULT 0, -- wrong passwords in a row
  locked_until INTEGER NOT NULL DEFAULT 0, -- Unix seconds; 0 = not locked
  created_at   INTEGER NOT NULL,
  last_login   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE console_session (
  hash       TEXT PRIMARY KEY,   -- hex BLAKE2b of the cookie (the cookie is never stored)
  user_name  TEXT NOT NULL REFERENCES console_user(name),
  csrf       TEXT NOT NULL,      -- the session's CSRF token (X-CSRF-Token)
  created_at INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL    -- idle expiry counts from here
) STRICT;
CREATE INDEX console_session_by_user ON console_session(user_name);

ALTER TABLE complaint ADD COLUMN assignee TEXT;      -- console_user name, NULL = nobody
ALTER TABLE complaint ADD COLUMN satisfaction TEXT;  -- excellent|good|fair|poor (follow-up)

CREATE TABLE complaint_note (    -- notes and assignments (transitions: complaint_event)
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  complaint_id INTEGER NOT NULL REFERENCES complaint(id),
  at           INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('note', 'assign')),
  actor        TEXT NOT NULL,
  body         TEXT NOT NULL
) STRICT;
CREATE INDEX complaint_note_by_complaint ON complaint_note(complaint_id, at);
CREATE INDEX hq_audit_by_at ON hq_audit(at);
