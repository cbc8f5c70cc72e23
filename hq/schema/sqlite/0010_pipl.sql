-- 0010_pipl.sql - invitations under head office's personal-data rules, and
-- the notification queue's pruning (issue 14 with issue 10's retention;
-- hq/hq_invite.c and hq/hq_notify.c). Indexes only: what the sweep and
-- `person find|erase` look up without reading whole tables.
-- * an invitation is found by its guest's phone (person find|export|erase)
--   and swept by its day (personal_data_days after it);
-- * its copies in the pull log (kind 'invitation', key = the code) are
--   deleted with it;
-- * the sweep deletes sent and failed notifications by when they ended.
CREATE INDEX invitation_by_phone ON invitation(phone);
CREATE INDEX invitation_by_day_all ON invitation(day);
CREATE INDEX change_invitation ON change(key) WHERE kind = 'invitation';
CREATE INDEX notify_queue_done ON notify_queue(state, done_at);
