-- demo.sql - the demo branch: services, counters and a host directory.
-- Loaded by `frontdesk-ctl init --demo` (app/core/demo.c), which then takes a
-- few tickets, signs in visitors and files a complaint through core, so the
-- demo data went through the same checks and outbox as real data.
INSERT INTO service(code, name_zh, name_en, open_min, close_min, sort) VALUES
  ('A', '综合业务', 'General services', 0, 1440, 1),
  ('B', '开户办卡', 'Accounts and cards', 0, 1440, 2),
  ('C', '咨询', 'Enquiries', 0, 1440, 3),
  ('V', '贵宾服务', 'Priority customers', 0, 1440, 4);
INSERT INTO counter(id, name) VALUES
  (1, '1号窗口 Counter 1'), (2, '2号窗口 Counter 2'),
  (3, '3号窗口 Counter 3'), (4, '4号窗口 Counter 4');
INSERT INTO counter_service(counter_id, service_id)
  SELECT 1, id FROM service WHERE code IN ('A', 'B')
  UNION ALL SELECT 2, id FROM service WHERE code IN ('A', 'C')
  UNION ALL SELECT 3, id FROM service WHERE code IN ('B', 'C')
  UNION ALL SELECT 4, id FROM service WHERE code IN ('V', 'A');
INSERT INTO host(name, department) VALUES
  ('王晓明', '客户服务部 Customer Service'),
  ('李娜', '财务部 Finance'),
  ('张伟', '人力资源部 Human Resources'),
  ('陈静', '市场部 Marketing'),
  ('刘洋', '信息技术部 IT'),
  ('Emma Wilson', 'International Business'),
  ('赵磊', '行政部 Administration'),
  ('孙丽', '法务部 Legal');
