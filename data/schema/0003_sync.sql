-- 0003_sync.sql - the kiosk's side of head-office sync (app/sync/): where head
-- office is, this device's key pair, the pull cursor, what was acknowledged,
-- and the health the staff console and `frontdesk-ctl --json sync status`
-- show. One row. The outbox itself is in 0001.

CREATE TABLE sync_state (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  hq_url       TEXT NOT NULL DEFAULT '',  -- e.g. https://hq.example:8443, '' = not enrolled
  ca_file      TEXT NOT NULL DEFAULT '',  -- PEM CA to trust for hq_url, '' = system CAs
  branch       TEXT NOT NULL DEFAULT '',  -- as head office named it at enrolment
  public_key   TEXT NOT NULL DEFAULT '',  -- Ed25519, hex
  secret_key   TEXT NOT NULL DEFAULT '',  -- Ed25519, sealed with a key from /etc/machine-id
                                          -- ("s1:" + hex); never leaves the kiosk
  enrolled_at  INTEGER,
  pull_cursor  INTEGER NOT NULL DEFAULT 0,-- last change id applied, same tx as the change
  acked_epoch  INTEGER NOT NULL DEFAULT 0,-- an epoch head office acknowledged rows of
  clock_offset INTEGER NOT NULL DEFAULT 0,-- head office clock minus ours, seconds
  failures     INTEGER NOT NULL DEFAULT 0,-- consecutive failed attempts (backoff)
  last_attempt INTEGER,
  last_success INTEGER,                   -- last round that ended with nothing left
  last_error   TEXT NOT NULL DEFAULT ''   -- '' after a success
) STRICT;
INSERT INTO sync_state(id) VALUES (1);
