-- 0004_perf.sql - as hq/schema/pg/0004_perf.sql: the month report across
-- branches reads every device's tickets and visitors of a range of business
-- days in one statement (hq_report.c, gather), so those tables are also
-- indexed by the business day alone.
CREATE INDEX ticket_state_by_bday ON ticket_state(bday);
CREATE INDEX visitor_state_by_bday ON visitor_state(bday);
