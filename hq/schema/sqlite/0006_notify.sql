-- 0006_notify.sql - telling a host their visitor is here (issue 14).
-- host_notify holds each host's notification target: head office's own,
-- never in the config log, so the pull never carries it. notify_queue holds
-- one row per arrival, made by a trigger on visitor_state inside the push's
-- transaction (a re-sent push or a later version of the visitor updates the
-- state row, never inserts it again, and the unique key stops a second row
-- anyway). hq/hq_notify.c sends and marks the rows; when a row leaves
-- 'pending', a trigger adds the outcome to the branch's pull log (kind
-- 'notice', for that device only) in the same transaction.

CREATE TABLE host_notify (
  branch     TEXT NOT NULL,     -- the hosts list naming the host ('' = every branch's)
  host_id    INTEGER NOT NULL,  -- the id in that list
  kind       TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'email')),
  target     TEXT NOT NULL,     -- the robot's webhook URL, or a mail address
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (branch, host_id)
) STRICT;

CREATE TABLE notify_queue (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id    TEXT NOT NULL,
  visitor_id   INTEGER NOT NULL,  -- the kiosk's visitor id
  signed_in_at INTEGER NOT NULL,  -- with the id, names the arrival (ids recur after a restore)
  created_at   INTEGER NOT NULL,  -- head office's clock: gives up a day after this
  state        TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'sent', 'failed', 'none')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at      INTEGER NOT NULL,  -- not tried before this (the backoff)
  lease_until  INTEGER NOT NULL DEFAULT 0, -- a sender holds the row until then
  lease_owner  TEXT NOT NULL DEFAULT '',
  kind         TEXT NOT NULL DEFAULT '',   -- where it went (set when tried)
  target       TEXT NOT NULL DEFAULT '',
  done_at      INTEGER NOT NULL DEFAULT 0, -- sent, failed or found no target
  last_error   TEXT NOT NULL DEFAULT '',
  UNIQUE (device_id, visitor_id, signed_in_at)
) STRICT;
CREATE INDEX notify_queue_due ON notify_queue(next_at) WHERE state = 'pending';
CREATE INDEX notify_queue_by_state ON notify_queue(state, created_at);

-- An arrival: a visitor with a host, signed in within the last day (a
-- rebuild or a kiosk back after weeks offline tells nobody of old visits).
CREATE TRIGGER notify_arrival AFTER INSERT ON visitor_state
  WHEN coalesce(NEW.host, '') <> ''
   AND NEW.signed_in_at > CAST(strftime('%s', 'now') AS INTEGER) - 86400
BEGIN
  INSERT INTO notify_queue(device_id, visitor_id, signed_in_at, created_at, next_at)
    VALUES (NEW.device_id, NEW.id, NEW.signed_in_at, CAST(strftime('%s', 'now') AS INTEGER),
            CAST(strftime('%s', 'now') AS INTEGER))
    ON CONFLICT DO NOTHING;
END;

-- The outcome goes down to the kiosk that sent the visitor.
CREATE TRIGGER notify_outcome AFTER UPDATE OF state ON notify_queue
  WHEN OLD.state = 'pending' AND NEW.state <> 'pending'
BEGIN
  INSERT INTO change(branch, device_id, kind, key, value, at)
    VALUES ('', NEW.device_id, 'notice', CAST(NEW.visitor_id AS TEXT),
            json_object('visitor', NEW.visitor_id, 'signed_in_at', NEW.signed_in_at,
                        'outcome', NEW.state, 'at', NEW.done_at),
            NEW.done_at);
END;
