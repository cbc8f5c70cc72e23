// counter_page.mjs CTL COUNTER KIOSK - the counter page in Debian's Chromium
// (headless, playwright-core), with the real processes around it: a demo
// store, frontdesk-counter on loopback, and the lobby display
// (`frontdesk --lobby` under Xvfb: run by tests/ui/run-xvfb.sh). Two staff
// log in at counters 2 and 3 in two browsers; counter 2 calls next with its
// keyboard shortcut and with the button; the call shows on counter 2's page
// (very large), on counter 3's page (live, pushed) and on the lobby display
// (its --report). Counter 3's page reaches the server through a small TCP
// proxy here that cuts every connection: while it is away another process
// (frontdesk-ctl) makes calls; when it is back its EventSource reconnects
// with Last-Event-ID (seen in the proxy) and the server replays exactly the
// calls it missed (seen in the bytes the proxy carries back).
import { launch, checker } from '../browser/browser.mjs';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const [ctl, srvBin, kiosk] = process.argv.slice(2);
// A fixed clock for every program (core reads FRONTDESK_NOW): the demo's
// services are open and the business day does not turn over mid-test.
process.env.FRONTDESK_NOW = '1795399200';
const t = checker();
const dir = mkdtempSync(join(tmpdir(), 'fdcpage.'));
const db = join(dir, 'k.db');
const procs = [];
const browsers = [];

const ctlRun = (...args) => execFileSync(ctl, ['--db', db, ...args], { encoding: 'utf8' });
const ctlJson = (...args) => JSON.parse(ctlRun('--json', ...args));

// Waits for cond() (at most ms): a condition, never a fixed time.
async function until(cond, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function start(bin, args, env = {}) {
  const p = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  p.out = '';
  p.err = '';
  p.stdout.on('data', (d) => { p.out += d; });
  p.stderr.on('data', (d) => { p.err += d; });
  procs.push(p);
  return p;
}

// A TCP proxy that can cut every connection and refuse new ones meanwhile;
// it keeps the bytes each way for the checks.
function proxy(port) {
  const px = { socks: new Set(), away: false, up: '', down: '' };
  px.server = net.createServer((c) => {
    if (px.away) { c.destroy(); return; }
    const s = net.connect(port, '127.0.0.1');
    px.socks.add(c); px.socks.add(s);
    c.on('data', (d) => { px.up += d.toString('latin1'); s.write(d); });
    s.on('data', (d) => { px.down += d.toString('latin1'); c.write(d); });
    const end = () => { c.destroy(); s.destroy(); px.socks.delete(c); px.socks.delete(s); };
    c.on('close', end); s.on('close', end); c.on('error', end); s.on('error', end);
  });
  px.cut = () => { px.away = true; for (const x of px.socks) x.destroy(); px.socks.clear(); };
  px.back = () => { px.away = false; };
  return new Promise((r) => px.server.listen(0, '127.0.0.1', () => { px.port = px.server.address().port; r(px); }));
}

async function login(page, base, staff, counter, pin) {
  await page.goto(base + '/');
  await page.waitForSelector('#login:not([hidden])');
  await page.selectOption('#f-staff', staff);
  await page.selectOption('#f-counter', String(counter));
  await page.fill('#f-pin', pin);
  await page.click('#f-go');
  await page.waitForSelector('#app:not([hidden])', { timeout: 30000 });
  await page.waitForSelector('#h-live.on', { timeout: 30000 });
}

try {
  ctlRun('init', '--demo');
  const report = join(dir, 'lobby.report');
  const lobby = start(kiosk, ['--allow-root', '--db', db, '--lobby', '--window', '1024x600', '--report', report],
                      { SDL_AUDIODRIVER: 'dummy' });
  const srv = start(srvBin, ['--db', db, '--listen', '127.0.0.1:0']);
  t.check(await until(() => /listening on (\S+)/.test(srv.out)), 'frontdesk-counter started: ' + srv.err);
  const base = srv.out.match(/listening on (\S+)/)[1].replace(/\/$/, '');
  const port = Number(base.split(':').pop());
  t.check(await until(() => existsSync(report) && /^screen lobby/m.test(readFileSync(report, 'utf8'))),
          'the lobby display started: ' + lobby.err);

  const b1 = await launch(); browsers.push(b1);
  const b2 = await launch(); browsers.push(b2);
  const p1 = await b1.newPage();
  const p2 = await b2.newPage();
  const errors = [];
  for (const p of [p1, p2]) {
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  }
  await p1.setViewportSize({ width: 1280, height: 900 });
  const px = await proxy(port);
  const base2 = `http://127.0.0.1:${px.port}`;

  await login(p1, base, '前台 Reception', 2, '2580');
  t.check((await p1.textContent('#h-counter')).includes('2'), 'counter 2 logged in');
  await login(p2, base2, '值班经理 Duty manager', 3, '1234');
  t.check((await p2.textContent('#h-counter')).includes('3'), 'counter 3 logged in (through the proxy)');

  // Call next with the keyboard shortcut N.
  await p1.keyboard.press('n');
  await p1.waitForFunction(() => /^[A-Z]\d{3}$/.test(document.getElementById('ticket').textContent));
  const label = (await p1.textContent('#ticket')).trim();
  t.check(/^[A-Z]\d{3}$/.test(label), `counter 2 shows the called ticket very large (${label})`);
  const size = await p1.$eval('#ticket', (el) => parseFloat(getComputedStyle(el).fontSize));
  t.check(size >= 80, `the ticket's type is large (${size}px)`);
  t.check(await until(async () => /\d\d:\d\d/.test(await p1.textContent('#since'))), 'the time since the call ticks');
  // On the other counter's page, pushed.
  t.check(await until(async () => (await p2.textContent('#calls')).includes(label)),
          `counter 3's page shows the call of ${label}`);
  t.check(await until(async () => (await p2.textContent('#counters')).includes(label)),
          `counter 3's page shows ${label} at counter 2`);
  // On the lobby display (the real frontdesk --lobby).
  t.check(await until(() => readFileSync(report, 'utf8').includes(`text now ${label}\n`)),
          `the lobby display shows ${label}`);
  t.check(readFileSync(report, 'utf8').includes('text now_counter 2\n'), 'the lobby shows counter 2');

  // Start serving, then finish, with the buttons; then call with the button.
  await p1.click('#b-serve');
  t.check(await until(async () => (await p1.getAttribute('#ticket', 'class')).includes('serving')), 'serving');
  t.check(await until(async () => /\d\d:\d\d/.test(await p1.textContent('#since'))), '"serving for mm:ss"');
  await p1.click('#b-call'); // finishes the one in service, calls the next
  t.check(await until(async () => (await p1.textContent('#ticket')).trim() !== label), 'the next is called');
  const label2 = (await p1.textContent('#ticket')).trim();
  t.check(await until(() => readFileSync(report, 'utf8').includes(`text now ${label2}\n`)),
          `the lobby display shows ${label2}`);
  // A refusal says why: recall twice is fine, but call while one is called is not offered.
  t.check(await p1.isDisabled('#b-call'), 'call next is not offered while a visitor is called');

  // Counter 3's page goes away; frontdesk-ctl calls meanwhile; it comes back.
  const upBefore = px.up.length;
  const downMark = px.down.length;
  px.cut();
  t.check(await until(async () => !(await p2.$('#h-live.on'))), 'counter 3 sees the connection lost');
  const missed = [];
  for (const c of [1, 4]) {
    try { ctlRun('finish', String(c)); } catch { /* nothing to finish */ }
    missed.push(ctlJson('call', String(c)).ticket);
  }
  px.back();
  t.check(await until(async () => !!(await p2.$('#h-live.on'))), 'counter 3 reconnected');
  const sent = px.up.slice(upBefore);
  const m = sent.match(/GET \/api\/events HTTP\/1\.1\r\n(?:[^\r]*\r\n)*?last-event-id: (\d+)\r\n/i);
  t.check(!!m, 'the reconnect sent Last-Event-ID');
  t.check(await until(() => missed.every((l) => px.down.slice(downMark).includes(`"ticket":"${l}"`))),
          `the missed calls (${missed.join(', ')}) were replayed to counter 3`);
  const replayed = [...px.down.slice(downMark).matchAll(/event: call\ndata: \{"id":(\d+),"ticket":"([A-Z0-9]+)"/g)]
    .map((x) => x[2]);
  t.check(JSON.stringify(replayed.slice(0, missed.length)) === JSON.stringify(missed),
          `replayed in order, nothing else first (${replayed.join(',')})`);
  for (const l of missed)
    t.check(await until(async () => (await p2.textContent('#calls')).includes(l)), `counter 3's page lists ${l}`);

  // Language switch, and no personal data on the page.
  await p1.keyboard.press('l');
  const en = await p1.textContent('#b-call');
  await p1.keyboard.press('l');
  const zh = await p1.textContent('#b-call');
  t.check(/Call next/.test(en + zh) && /叫下一位/.test(en + zh) && en !== zh,
          `both languages (${en.trim()} / ${zh.trim()})`);
  // The cut connections' streams end mid-chunk: that one is ours.
  const real = errors.filter((e) => !/ERR_INCOMPLETE_CHUNKED_ENCODING/.test(e));
  t.check(real.length === 0, 'no script errors: ' + real.join(' | '));

  // Log out: back at the login form, the session gone.
  await p1.click('#b-logout');
  await p1.waitForSelector('#login:not([hidden])');
  const r = await p1.evaluate(async () => (await fetch('/api/queue')).status);
  t.check(r === 401, 'logged out: the API refuses (' + r + ')');
  px.server.close();
} catch (e) {
  t.check(false, 'exception: ' + (e.stack || e));
} finally {
  for (const b of browsers) await b.close().catch(() => {});
  for (const p of procs) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  rmSync(dir, { recursive: true, force: true });
}
t.done();
process.exit(process.exitCode || 0);
