-- 0009_report_idx.sql - the day report reads only the day's rows (issue 18:
-- `frontdesk-ctl report day` read 11 MB of a year's store, the whole ticket
-- table). Tickets are found through their UNIQUE (issued_service_id, bday,
-- number) index, service by service (app/core/report.c); complaints, which
-- the report selects by the time they were received, get this index.
CREATE INDEX complaint_by_received ON complaint(received_at);
