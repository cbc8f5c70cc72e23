-- 0004_staff.sql - staff who may open the staff console. PINs are kept only
-- as Argon2id hashes (libsodium crypto_pwhash_str); a run of wrong PINs locks
-- the account for a time that doubles with each further failure.
CREATE TABLE staff (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  role         TEXT NOT NULL DEFAULT 'staff' CHECK (role IN ('staff', 'manager')),
  pin_hash     TEXT NOT NULL,           -- "$argon2id$..." string
  failures     INTEGER NOT NULL DEFAULT 0,  -- wrong PINs in a row
  locked_until INTEGER NOT NULL DEFAULT 0,  -- Unix seconds
  active       INTEGER NOT NULL DEFAULT 1,
  created_at   INTEGER NOT NULL
) STRICT;
