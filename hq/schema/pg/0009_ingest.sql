-- 0009_ingest.sql - fewer index entries per pushed version (issue 10: the
-- push path's cost at fleet scale is mostly the state tables' writes, each
-- index one more entry and WAL record per row). Only indexes some query
-- reads are kept:
-- * a ticket's events were indexed by ticket, and nothing reads them so (the
--   reports read tickets, visitors and ratings; `frontdesk-hq state` reads a
--   device's rows through the primary key);
-- * tickets and visitors had two indexes by business day, (device_id, bday)
--   for a branch and (bday) for the fleet (0004_perf.sql); one on
--   (bday, device_id) serves both: the fleet's range of days as before, a
--   branch's days with its device checked in the index (no row is read for
--   another device).
DROP INDEX ticket_event_state_by_ticket;
DROP INDEX ticket_state_by_day;
DROP INDEX ticket_state_by_bday;
CREATE INDEX ticket_state_by_bday ON ticket_state(bday, device_id);
DROP INDEX visitor_state_by_day;
DROP INDEX visitor_state_by_bday;
CREATE INDEX visitor_state_by_bday ON visitor_state(bday, device_id);
