-- 0008_deny.sql - the deny list (issue 14, hq/hq_deny.c): people barred from
-- the premises, kept only as keyed hashes (HMAC-SHA256 with this head
-- office's deny key) of the normalised name and phone, never in clear. The
-- key is made on first use and goes to every kiosk with the pull (deny_key),
-- so that a kiosk can hash what a visitor types; the list goes as deny_list.

CREATE TABLE deny_key (         -- one row: this head office's HMAC key
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  key        TEXT NOT NULL,     -- 64 lowercase hex (32 random bytes)
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE deny_entry (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  name_hash      TEXT,          -- hex HMAC of the normalised name, or NULL
  phone_hash     TEXT,          -- hex HMAC of the normalised phone, or NULL
  branch         TEXT,          -- NULL = every branch
  reason         TEXT NOT NULL,
  added_by       TEXT NOT NULL,
  added_at       INTEGER NOT NULL,
  removed_at     INTEGER,       -- NULL while in force
  removed_by     TEXT,
  removed_reason TEXT,
  CHECK (name_hash IS NOT NULL OR phone_hash IS NOT NULL)
) STRICT;
