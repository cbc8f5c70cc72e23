-- 0007_invite.sql - invitations (issue 14): head office invites a guest for
-- a day at this branch; the invitation comes down the pull and is kept here
-- so that a guest checks in with its code while head office is out of
-- reach. app/core/invite.c owns the table and its rules (a code is used once
-- and only on its day). The visitor made by a check-in names its invitation
-- (visitor.invitation), and that goes up with the visitor record.

CREATE TABLE invitation (
  code        TEXT PRIMARY KEY,       -- 10 digits, the last a Damm check digit
  day         TEXT NOT NULL,          -- YYYY-MM-DD, the branch's business day
  name        TEXT NOT NULL,          -- personal data
  phone       TEXT NOT NULL,          -- personal data
  company     TEXT NOT NULL DEFAULT '',
  purpose     TEXT NOT NULL DEFAULT '',
  host        TEXT NOT NULL DEFAULT '',
  cancelled   INTEGER NOT NULL DEFAULT 0,  -- head office cancelled it
  used_hq     INTEGER NOT NULL DEFAULT 0,  -- head office says a kiosk used it
  used_at     INTEGER,                -- used here (Unix seconds), NULL = not here
  visitor_id  INTEGER REFERENCES visitor(id), -- the visitor it made here
  updated_at  INTEGER NOT NULL        -- last change from head office
) STRICT;
CREATE INDEX invitation_by_day ON invitation(day);

ALTER TABLE visitor ADD COLUMN invitation TEXT; -- the code a guest checked in with

-- The visitor record carries its invitation (null for a walk-in); the
-- visitor triggers read this view by name, so they pick it up as they are.
DROP VIEW visitor_record;
CREATE VIEW visitor_record AS SELECT id, json_object('id', id, 'bday', bday,
    'badge', badge, 'name', name, 'phone', phone, 'company', company,
    'host', host_name, 'purpose', purpose, 'signed_in_at', signed_in_at,
    'signed_out_at', signed_out_at, 'signout_how', signout_how,
    'invitation', invitation) AS record
  FROM visitor;
