-- 0007_invite.sql - invitations (issue 14): head office invites a guest to a
-- branch for a day (frontdesk-hq invite add); each goes down the pull as an
-- "invitation" change so the branch's kiosks check the guest in offline.
-- hq/hq_invite.c owns the table. A kiosk's check-in comes back as a visitor
-- record naming the invitation (visitor_state.invitation): every such
-- visitor is kept, and the first one marks the invitation used.

CREATE TABLE invitation (
  code         text PRIMARY KEY,     -- 10 digits, the last a Damm check digit
  branch       text NOT NULL,
  day          text NOT NULL,        -- YYYY-MM-DD, the branch's business day
  name         text NOT NULL,        -- personal data
  phone        text NOT NULL,        -- personal data
  company      text NOT NULL DEFAULT '',
  purpose      text NOT NULL DEFAULT '',
  host         text NOT NULL DEFAULT '',
  created_at   bigint NOT NULL,
  created_by   text NOT NULL DEFAULT '',
  cancelled_at bigint,              -- NULL = not cancelled
  used_at      bigint,              -- head office's time it learnt of the first use
  used_device  text                  -- the kiosk that used it first
);
CREATE INDEX invitation_by_day ON invitation(branch, day);

ALTER TABLE visitor_state ADD COLUMN invitation text;
CREATE INDEX visitor_state_by_invitation ON visitor_state(invitation)
  WHERE invitation IS NOT NULL;
