// mock.mjs - a stand-in for frontdesk-hq's /console/api/ (hq/CONSOLE_API.md)
// for working on the pages without the C server: serves dist/ at /console/
// and answers the API from memory with a few branches, kiosks and
// complaints. Development only: the tests and the screenshots use the real
// frontdesk-hq. Usage: npm run build && node dev/mock.mjs [PORT]
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const port = Number(process.argv[2] || 8099);
const now = () => Math.floor(Date.now() / 1000);
const T0 = now();
const users = {
  admin: { name: 'admin', role: 'admin', branches: [], password: 'admin-password', fails: 0, locked_until: 0, disabled: false, last_login: T0 - 3600 },
  wang: { name: 'wang', role: 'officer', branches: [], password: 'officer-password', fails: 0, locked_until: 0, disabled: false, last_login: T0 - 7200 },
  li: { name: 'li', role: 'manager', branches: ['人民路支行'], password: 'manager-password', fails: 0, locked_until: 0, disabled: false, last_login: 0 },
};
const sessions = {};
const STEPS = { received: ['assessed'], assessed: ['investigating'], investigating: ['proposed'], proposed: ['resolved', 'investigating'], resolved: ['followed_up'], followed_up: ['closed'], closed: [] };
let complaints = [
  ['2611230010017', '人民路支行', 'waiting', '等了一个多小时还没有叫到号，工作人员也不解释。', 'received', null, T0 - 26 * 3600],
  ['2611230020021', '滨江支行', 'attitude', 'Staff at counter 3 were rude when I asked about the fee.', 'assessed', 'serious', T0 - 5 * 3600],
  ['2611230010025', '人民路支行', 'other', '<img src=x onerror=alert(1)>', 'received', null, T0 - 600],
  ['2611220030014', '高新区支行', 'fees', '收费标准与公示不一致，多收了20元手续费。', 'investigating', 'ordinary', T0 - 30 * 3600],
  ['2611220010011', '人民路支行', 'environment', '大厅空调太冷，老人等候区没有座位。', 'proposed', 'ordinary', T0 - 40 * 3600],
].map(([ref, branch, category, description, state, severity, at], i) => ({
  id: i + 1, ref, branch, device_id: 'a1b2c3d4e5f6' + i, category, description, state, severity,
  valid: severity ? true : null, assignee: i % 2 ? 'wang' : null, received_at: at, feedback_due: at + 86400,
  first_response_at: state === 'received' ? 0 : at + 3000, updated_at: at, department: state === 'investigating' || state === 'proposed' ? '营业部' : '',
  resolution: state === 'proposed' ? '增设等候座椅，调整空调温度至26度。' : '', satisfaction: null, followup: '', close_reason: '', stat_category: '',
  history: state === 'received' ? [] : [{ at: at + 3000, kind: 'transition', from: 'received', to: 'assessed', actor: 'console:wang', note: '' }],
}));
const overdue = (c) => !c.first_response_at && now() > c.feedback_due && c.state !== 'closed';
const pub = (c) => { const { history, ...x } = c; return { ...x, overdue: overdue(c) }; };
const detail = (c) => ({ now: now(), complaint: pub(c), next: STEPS[c.state].filter((s) => !(c.state === 'assessed' && c.valid === false && s === 'investigating')).concat(c.state === 'assessed' && c.valid === false ? ['closed'] : []), history: c.history });
const devices = [
  { device_id: 'a1b2c3d4e5f60718', branch: '人民路支行', last_contact: T0 - 40, online: true, revoked: false, backlog: 0, quarantined: 0, tickets_today: 128, waiting_now: 7, longest_wait_s: 1460, health: { at: T0 - 40, app_version: '0.4.0', printer: { known: true, online: true, paper_out: false, paper_near_end: true, cover_open: false, message: 'paper low' }, print_failed: 0, backlog: 0, last_error: '', uptime_s: 86000, disk_free_mb: 23000 } },
  { device_id: 'b2c3d4e5f6071829', branch: '滨江支行', last_contact: T0 - 3000, online: false, revoked: false, backlog: 12, quarantined: 0, tickets_today: 54, waiting_now: 0, longest_wait_s: 0, health: { at: T0 - 3000, app_version: '0.4.0', printer: { known: true, online: true, paper_out: true, paper_near_end: false, cover_open: false, message: 'paper out' }, print_failed: 2, backlog: 12, last_error: 'connect: timed out', uptime_s: 86000, disk_free_mb: 1200 } },
  { device_id: 'c3d4e5f607182930', branch: '高新区支行', last_contact: T0 - 12, online: true, revoked: false, backlog: 0, quarantined: 3, tickets_today: 87, waiting_now: 2, longest_wait_s: 420, health: { at: T0 - 12, app_version: '0.3.9', printer: { known: true, online: true, paper_out: false, paper_near_end: false, cover_open: false, message: 'ready' }, print_failed: 0, backlog: 0, last_error: '', uptime_s: 86000, disk_free_mb: 30000 } },
];
const block = (k) => ({
  tickets: { issued: 120 * k, served: 100 * k, no_show: 12 * k, cancelled: 2, no_show_rate: 0.107, wait_s: { avg: 540 + 60 * k, p50: 420, p90: 1200, max: 2400 }, service_s: { avg: 300, p50: 240 }, busiest_hour: { hour: 10, tickets: 30 } },
  services: { A: { tickets: { issued: 70 * k, served: 60, no_show: 6, cancelled: 1, no_show_rate: 0.09, wait_s: { avg: 480, p50: 400, p90: 1100, max: 2000 }, service_s: { avg: 280, p50: 230 } } }, B: { tickets: { issued: 50 * k, served: 40, no_show: 6, cancelled: 1, no_show_rate: 0.13, wait_s: { avg: 720, p50: 600, p90: 1500, max: 2400 }, service_s: { avg: 330, p50: 260 } } } },
  visitors: { total: 30 * k, signed_out: 25 * k, avg_stay_s: 2400 },
  complaints: { total: 4 * k, by_category: { waiting: 2 * k, attitude: k, fees: k }, by_severity: { ordinary: 3 * k, serious: k, unassessed: 0 }, valid: 4 * k, invalid: 0, unassessed: 0, closed: 2 * k, feedback_24h: 3 * k, feedback_24h_share: 0.75, first_response_p50_s: 3600, close_p50_s: 86400 },
  ratings: { total: 50 * k, excellent: 30 * k, good: 12 * k, fair: 5 * k, poor: 3 * k, score: 78.5, service: { excellent: 30 * k, good: 12 * k, fair: 5 * k, poor: 3 * k }, attitude: { excellent: 28 * k, good: 15 * k, fair: 4 * k, poor: 3 * k }, result: { excellent: 25 * k, good: 17 * k, fair: 5 * k, poor: 3 * k } },
});
const invitations = []; // made with POST invitations (the mock draws no QR)
const config = {
  services: [{ code: 'A', name_zh: '个人业务', name_en: 'Personal banking', sort: 1, active: 1, open_min: 540, close_min: 1020, daily_cap: 300 },
    { code: 'B', name_zh: '对公业务', name_en: 'Business banking', sort: 2, active: 1, open_min: 540, close_min: 960, daily_cap: 0 }],
  counters: [{ id: 1, name: '1号窗口', services: ['A'] }, { id: 2, name: '2号窗口', services: ['A', 'B'] }],
  hosts: [{ id: 1, name: '张伟', department: '营业部', active: 1, notify: 'mailto:zhang.wei@example.com', notify_kind: 'email' },
    { id: 2, name: '刘洋', department: '行政部', active: 1, notify: '', notify_kind: '' }],
  staff: [{ name: '陈静', role: 'manager', active: 1, pin_set: true }, { name: '赵磊', role: 'staff', active: 1, pin_set: true }],
  settings: { closing_time: '21:00', visitor_retention_days: '90', timezone: 'Asia/Shanghai' },
};

function send(res, status, obj, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(obj));
}
const err = (res, status, code, message, extra = {}) => send(res, status, { error: code, message, ...extra });

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  let body = '';
  for await (const c of req) body += c;
  const p = url.pathname;
  if (!p.startsWith('/console/api/')) {
    let f = p.replace(/^\/console\/?/, '') || 'index.html';
    if (!extname(f)) f = 'index.html';
    const file = join(dist, f);
    if (!file.startsWith(dist) || !existsSync(file)) { res.writeHead(404); res.end(); return; }
    const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.txt': 'text/plain' };
    res.writeHead(200, { 'Content-Type': types[extname(f)] || 'application/octet-stream',
      'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'" });
    res.end(readFileSync(file));
    return;
  }
  const api = p.slice('/console/api/'.length);
  const sid = ((req.headers.cookie || '').match(/fdhq_session=([0-9a-f]+)/) || [])[1];
  const s = sid && sessions[sid];
  const json = () => { try { return JSON.parse(body || '{}'); } catch { return {}; } };
  if (api === 'login' && req.method === 'POST') {
    const b = json(); const u = users[b.name];
    if (u && u.locked_until > now()) return err(res, 423, 'locked', 'locked', { retry_after: u.locked_until - now() });
    if (!u || u.password !== b.password || u.disabled) {
      if (u && ++u.fails >= 5) { u.locked_until = now() + 900; u.fails = 0; }
      return err(res, 401, 'bad_credentials', 'wrong name or password');
    }
    u.fails = 0; u.last_login = now();
    const id = randomBytes(32).toString('hex'), csrf = randomBytes(32).toString('hex');
    sessions[id] = { user: u, csrf };
    return send(res, 200, { user: { name: u.name, role: u.role, branches: u.branches }, csrf, idle_timeout_s: 1800, now: now() },
      { 'Set-Cookie': `fdhq_session=${id}; Path=/; HttpOnly; SameSite=Strict` });
  }
  if (!s) return err(res, 401, 'unauthenticated', 'no session');
  if (req.method === 'POST' && req.headers['x-csrf-token'] !== s.csrf) return err(res, 403, 'cross_site', 'bad csrf');
  const u = s.user;
  const mine = (b) => u.role !== 'manager' || u.branches.includes(b);
  let m;
  if (api === 'me') return send(res, 200, { user: { name: u.name, role: u.role, branches: u.branches }, csrf: s.csrf, idle_timeout_s: 1800, now: now() });
  if (api === 'logout') { delete sessions[sid]; return send(res, 200, {}, { 'Set-Cookie': 'fdhq_session=; Path=/; Max-Age=0' }); }
  if (api === 'complaints') {
    const st = url.searchParams.get('state') || 'open', br = url.searchParams.get('branch');
    const list = complaints.filter((c) => mine(c.branch) && (!br || c.branch === br) &&
      (st === 'all' || (st === 'open' ? c.state !== 'closed' : c.state === st)));
    return send(res, 200, { now: now(), complaints: list.map(pub) });
  }
  if ((m = /^complaints\/(\d+)(?:\/(\w+))?$/.exec(api))) {
    const c = complaints.find((x) => x.id === Number(m[1]));
    if (!c) return err(res, 404, 'not_found', 'no such complaint');
    if (!mine(c.branch)) return err(res, 403, 'forbidden', 'not your branch');
    if (!m[2]) return send(res, 200, detail(c));
    const b = json();
    const ev = { at: now(), actor: 'console:' + u.name };
    if (m[2] === 'advance') {
      if (!detail(c).next.includes(b.to)) return err(res, 409, 'invalid_transition', `cannot go from ${c.state} to ${b.to}`);
      for (const k of ['valid', 'severity', 'department', 'resolution', 'satisfaction', 'followup', 'stat_category', 'close_reason']) if (k in b) c[k] = b[k];
      c.history.push({ ...ev, kind: 'transition', from: c.state, to: b.to, note: b.note || '' });
      c.state = b.to; if (!c.first_response_at) c.first_response_at = now();
    } else if (m[2] === 'assign') { c.assignee = b.officer; c.history.push({ ...ev, kind: 'assign', note: b.officer || '' }); }
    else if (m[2] === 'note') c.history.push({ ...ev, kind: 'note', note: b.text });
    return send(res, 200, detail(c));
  }
  if (api === 'fleet') {
    const ds = devices.filter((d) => mine(d.branch));
    const branches = [...new Set(ds.map((d) => d.branch))].map((b) => {
      const bd = ds.filter((d) => d.branch === b);
      return { branch: b, devices: bd.length, online: bd.filter((d) => d.online).length, tickets_today: bd.reduce((a, d) => a + d.tickets_today, 0), waiting_now: bd.reduce((a, d) => a + d.waiting_now, 0), longest_wait_s: Math.max(...bd.map((d) => d.longest_wait_s)), quarantined: bd.reduce((a, d) => a + d.quarantined, 0) };
    });
    const alarms = [];
    for (const d of ds) {
      if (d.revoked) continue;
      if (!d.online) alarms.push({ kind: 'offline', branch: d.branch, device_id: d.device_id, since: d.last_contact });
      if (d.health.printer.paper_out) alarms.push({ kind: 'paper_out', branch: d.branch, device_id: d.device_id, since: d.health.at });
      if (d.quarantined) alarms.push({ kind: 'quarantine', branch: d.branch, device_id: d.device_id, count: d.quarantined });
    }
    return send(res, 200, { now: now(), offline_after_s: 900, branches, devices: ds, alarms });
  }
  if (api === 'enrol-tokens') return send(res, 200, { token: randomBytes(16).toString('hex'), branch: json().branch, expires_at: now() + 86400 });
  if ((m = /^devices\/(\w+)\/revoke$/.exec(api))) { const d = devices.find((x) => x.device_id === m[1]); if (!d) return err(res, 404, 'not_found', 'no'); d.revoked = true; d.online = false; return send(res, 200, { device_id: d.device_id, revoked: true }); }
  if (api === 'reports') {
    const names = ['人民路支行', '滨江支行', '高新区支行'].filter(mine);
    return send(res, 200, { kind: url.searchParams.get('kind'), period: url.searchParams.get('period'), branches: Object.fromEntries(names.map((n, i) => [n, block(i + 1)])), total: block(names.length) });
  }
  if (api === 'reports/compare') return err(res, 404, 'not_found', 'use the fallback');
  if (api === 'config') return send(res, 200, { branch: url.searchParams.get('branch') || '', ...config, inherited: {} });
  if (api === 'config/host-notify') { // the real check is hq_notify_target_check
    const b = json(), hst = config.hosts.find((x) => x.id === b.id);
    if (!hst) return err(res, 404, 'not_found', 'no such host');
    const kind = !b.notify ? '' : /^mailto:[^@\s]+@[^@\s]+\.\w+$/.test(b.notify) ? 'email'
      : /^https:\/\/qyapi\.weixin\.qq\.com\//.test(b.notify) ? 'wecom' : /^https:\/\/oapi\.dingtalk\.com\//.test(b.notify) ? 'dingtalk'
        : /^https:\/\/open\.feishu\.cn\//.test(b.notify) ? 'feishu' : null;
    if (kind === null) return err(res, 400, 'invalid', `not a WeCom, DingTalk or Feishu robot's webhook (${b.notify})`);
    Object.assign(hst, { notify: b.notify, notify_kind: kind });
    return send(res, 200, { branch: b.branch, ...config, inherited: {} });
  }
  if (api === 'invitations') { // the QR route is the real server's only
    if (req.method === 'POST') {
      const b = json();
      if (!mine(b.branch) || u.role === 'officer') return err(res, 403, 'forbidden', 'not yours');
      if (!/^1\d{10}$/.test((b.phone || '').replace(/\s/g, ''))) return err(res, 400, 'invalid', 'phone: not a phone number');
      const code = String(1e9 + Math.floor(Math.random() * 9e9)).slice(0, 10);
      const v = { ...b, code, shown: code.slice(0, 5) + '-' + code.slice(5), qr: code, state: 'open', created_at: now(), uses: 0, visitors: [],
        phone: b.phone.replace(/\s/g, '').replace(/^(\d{3})\d{4}/, '$1****') };
      invitations.push(v);
      return send(res, 200, { invitation: v });
    }
    const br = url.searchParams.get('branch'), day = url.searchParams.get('day');
    return send(res, 200, { now: now(), invitations: invitations.filter((v) => mine(v.branch) && (!br || v.branch === br) && (!day || v.day === day)) });
  }
  if ((m = /^invitations\/(\d+)\/cancel$/.exec(api))) {
    const v = invitations.find((x) => x.code === m[1]);
    if (!v) return err(res, 404, 'not_found', 'no invitation has this code');
    if (v.state !== 'open') return err(res, 409, 'invalid_transition', `this invitation is ${v.state} already`);
    v.state = 'cancelled';
    return send(res, 200, { code: v.code, state: 'cancelled' });
  }
  if ((m = /^config\/(\w+)$/.exec(api))) { const b = json(); if (m[1] === 'settings') config.settings[b.key] = b.value; else config[m[1]] = b.items.map((x) => { const { pin, ...y } = x; return { ...y, ...(m[1] === 'staff' ? { pin_set: true } : {}) }; }); return send(res, 200, { branch: b.branch, ...config, inherited: {} }); }
  if (api === 'users') {
    if (req.method === 'POST') { const b = json(); users[b.name] = { ...b, fails: 0, locked_until: 0, disabled: false, last_login: 0 }; return send(res, 200, { user: b }); }
    return send(res, 200, { users: Object.values(users).map(({ password, fails, ...x }) => x) });
  }
  if ((m = /^users\/(.+)$/.exec(api))) { const x = users[decodeURIComponent(m[1])]; Object.assign(x, json()); if (json().disabled === false) x.locked_until = 0; return send(res, 200, { user: x }); }
  if (api === 'audit') return send(res, 200, { audit: [{ at: now() - 60, actor: 'console:admin', action: 'login', subject: 'admin', detail: '' }, { at: now() - 300, actor: 'console:wang', action: 'complaint.advance', subject: '2611230020021', detail: 'received → assessed' }] });
  return err(res, 404, 'not_found', 'no such endpoint');
}).listen(port, '127.0.0.1', () => console.log(`mock console at http://127.0.0.1:${port}/console/`));
