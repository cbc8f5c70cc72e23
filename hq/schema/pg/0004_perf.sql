-- 0004_perf.sql - the fleet's month report reads every device's tickets and
-- visitors of a range of business days in one statement (hq_report.c,
-- gather), so those tables are also indexed by the business day alone;
-- (device_id, bday) stays for a branch's report. One more index entry per
-- ticket and visitor (not per version: a version updates the row in place).
CREATE INDEX ticket_state_by_bday ON ticket_state(bday);
CREATE INDEX visitor_state_by_bday ON visitor_state(bday);
