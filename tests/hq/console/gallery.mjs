// gallery.mjs - screenshots of every page of the head-office console at
// 1920x1080 and 1366x768, in Chinese and English, into
// docs/screens/hq/SIZE/LANG/. A real frontdesk-hq with three branches'
// kiosks (frontdesk-ctl: tickets, visitors, ratings, complaints, synced)
// and complaints at different steps of the loop, one of them overdue.
// Run by scripts/gallery.sh:  node tests/hq/console/gallery.mjs OUTDIR
// (FD_BUILD = the build folder; NODE_PATH = tests/browser/node_modules).
import { launch } from '../../browser/browser.mjs';
import { scratch, addUser, serve, kiosk, client } from './hq.mjs';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const out = resolve(process.argv[2] || 'docs/screens/hq');
const tmp = scratch('hqgallery');
const hqDb = join(tmp.dir, 'hq.sqlite');
const PW = 'gallery-pass-0001';
let srv = null, browser = null;
try {
  addUser(hqDb, 'admin', 'admin', PW);
  addUser(hqDb, 'wang.li', 'officer', PW);
  addUser(hqDb, 'chen.jing', 'manager', PW, ['滨江支行']);
  srv = await serve(hqDb);
  const base = srv.url;
  const day = 86400, now = Math.floor(Date.now() / 1000);
  const past = (s) => ({ FRONTDESK_NOW: String(now - s) });

  // Three branches, each a kiosk with the day's work.
  const ks = [['k1', '人民路支行'], ['k2', '滨江支行'], ['k3', '高新区支行']].map(([n, b], i) => kiosk(tmp.dir, n, hqDb, base, b, i + 1));
  const [k1, k2, k3] = ks;
  let bday = ''; // the kiosks' business day (the day report shows it)
  const filed = [
    k1.file('waiting', '排队等了一个多小时，叫号屏一直没有显示我的号码，工作人员也不解释。', past(26 * 3600)),
    k2.file('attitude', '3号窗口的工作人员态度很差，问手续费的问题时直接不理人。', past(5 * 3600)),
    k1.file('other', '<img src=x onerror=alert(1)>', past(600)),
    k3.file('fees', '收费标准与大厅公示不一致，多收了20元手续费，要求退还。', past(30 * 3600)),
    k1.file('environment', '大厅空调温度太低，老人等候区座位不够。', past(40 * 3600)),
    k2.file('privacy', '填写的个人信息表格被放在柜台上，其他客户都能看到。', past(2 * 3600)),
  ];
  for (const [i, k] of ks.entries()) {
    for (let n = 0; n < 6 + 4 * i; n++) bday = k.json(['ticket', 'take', n % 3 ? 'A' : 'B']).bday;
    for (let n = 0; n < 3 + i; n++) {
      try { // a demo counter may hold a called ticket already: serve and finish it
        try { k.ctl(['call', '1']); } catch { /* one is called already */ }
        k.ctl(['serve', '1']);
        const done = k.json(['finish', '1']);
        k.ctl(['rate', String(done.id), '--service', ['excellent', 'good', 'excellent', 'fair', 'poor'][(n + i) % 5],
          '--attitude', ['excellent', 'good', 'good', 'fair'][n % 4], '--result', ['good', 'excellent', 'fair'][n % 3]]);
      } catch (e) { console.log('gallery: demo step skipped: ' + String(e.message).split('\n')[0]); }
    }
    k.ctl(['visitor', 'in', '--name', ['张伟', '李娜', '王强'][i], '--phone', '1390000000' + i, '--host', '刘洋', '--purpose', '业务洽谈']);
    k.sync();
  }

  // The loop moved along for some of them (as an officer would).
  const api = client(base);
  await api.login('admin', PW);
  const post = (p, b) => api.req('POST', '/console/api/' + p, b, { Origin: base, 'X-CSRF-Token': api.csrf });
  const list = (await api.req('GET', '/console/api/complaints?state=all')).data.complaints || [];
  const idOf = (ref) => (list.find((c) => c.ref === ref) || {}).id;
  const steps = [
    [filed[1].ref, [{ to: 'assessed', valid: true, severity: 'serious', note: '涉及服务态度，升级处理。' }], 'wang.li'],
    [filed[3].ref, [{ to: 'assessed', valid: true, severity: 'ordinary' }, { to: 'investigating', department: '营业部' }], 'wang.li'],
    [filed[4].ref, [{ to: 'assessed', valid: true, severity: 'ordinary' }, { to: 'investigating', department: '行政部' },
      { to: 'proposed', resolution: '增设等候座椅 10 个，空调温度调整至 26 度。' }], null],
  ];
  for (const [ref, walk, who] of steps) {
    const id = idOf(ref);
    if (!id) continue;
    for (const b of walk) await post(`complaints/${id}/advance`, b);
    if (who) await post(`complaints/${id}/assign`, { officer: who });
  }
  // Head office's configuration for every branch, and one branch's own hours.
  const cfg = async (what, body) => {
    const r = await post('config/' + what, body);
    if (r.status !== 200) console.log(`gallery: config ${what}: ${r.status} ${JSON.stringify(r.data)}`);
  };
  await cfg('services', { branch: '', items: [
    { code: 'A', name_zh: '个人业务', name_en: 'Personal banking', sort: 1, active: 1, open_min: 540, close_min: 1020, daily_cap: 300 },
    { code: 'B', name_zh: '对公业务', name_en: 'Business banking', sort: 2, active: 1, open_min: 540, close_min: 960, daily_cap: 0 },
    { code: 'C', name_zh: '理财咨询', name_en: 'Wealth advice', sort: 3, active: 1, open_min: 600, close_min: 960, daily_cap: 60 }] });
  await cfg('counters', { branch: '', items: [{ id: 1, name: '1号窗口', services: ['A'] },
    { id: 2, name: '2号窗口', services: ['A', 'B'] }, { id: 3, name: '3号窗口', services: ['B', 'C'] }] });
  await cfg('hosts', { branch: '', items: [
    { id: 1, name: '刘洋', department: '行政部', active: 1, notify: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' },
    { id: 2, name: '张敏', department: '营业部', active: 1, notify: 'mailto:zhang.min@example.com' },
    { id: 3, name: '赵磊', department: '风险管理部', active: 1 }] });
  await cfg('staff', { branch: '', items: [{ name: '陈静', role: 'manager', active: 1, pin: '2580' },
    { name: '王芳', role: 'staff', active: 1, pin: '1357' }] });
  await cfg('settings', { branch: '', key: 'closing_time', value: '21:00' });
  if (idOf(filed[4].ref)) await post(`complaints/${idOf(filed[4].ref)}/note`, { text: '已电话联系客户，客户同意方案，下周实施。' });
  // Guests invited ahead (issue 14): the kiosks' day, one of yesterday, one cancelled.
  const invited = [];
  if (bday) {
    const d = new Date(bday + 'T12:00:00Z');
    d.setUTCDate(d.getUTCDate() - 1);
    const yday = d.toISOString().slice(0, 10);
    for (const [b, day, name, phone, company, purpose, host] of [
      ['人民路支行', bday, '王小明', '13800138000', '华东科技有限公司', '签订年度合同', '刘洋'],
      ['人民路支行', bday, 'Emily Carter', '13911112222', 'ACME Ltd.', 'Audit meeting', '张敏'],
      ['滨江支行', bday, '李雷', '13712345678', '', '开户咨询', '赵磊'],
      ['人民路支行', bday, '周杰', '13698765432', '星河物流', '送达文件', ''],
      ['高新区支行', yday, '陈晨', '13566667777', '高新创投', '项目路演', '刘洋'],
    ]) {
      const r = await post('invitations', { branch: b, day, name, phone, company, purpose, host });
      if (r.status === 200) invited.push(r.data.invitation);
      else console.log(`gallery: invitation: ${r.status} ${JSON.stringify(r.data)}`);
    }
    if (invited[3]) await post(`invitations/${invited[3].code}/cancel`);
  }
  ks.forEach((k) => k.sync());
  // The kiosks' own health (the program's sync worker): one printer unplugged.
  k2.ctl(['config', 'set', 'printer_uri', 'tcp://127.0.0.1:9']);
  for (const k of ks) k.appSync();

  browser = await launch({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await browser.newPage();
  page.on('dialog', (d) => d.dismiss().catch(() => {}));
  const shots = [
    ['complaints', '#/complaints', '#complaints, .empty'],
    ['complaint', `#/complaints/${idOf(filed[4].ref)}`, '#cd-description'],
    ['complaint-new', `#/complaints/${idOf(filed[2].ref)}`, '#cd-description'],
    ['complaint-refused', `#/complaints/${idOf(filed[1].ref)}`, '#step-investigating'],
    ['fleet', '#/fleet', '#fl-devices'],
    ['reports', '#/reports', '#rp-kpis, .empty'],
    ['config', '#/config', '#cf-services, .empty'],
    ['users', '#/users', '#users'],
    ['invitations', '#/invitations', '#inv-list, .empty'],
  ];
  let n = 0;
  for (const lang of ['zh', 'en']) {
    for (const [w, h] of [[1920, 1080], [1366, 768]]) {
      const dir = join(out, `${w}x${h}`, lang);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      await page.setViewportSize({ width: w, height: h });
      await page.goto(base + '/console/');
      await page.evaluate((l) => localStorage.setItem('fdhq.lang', l), lang);
      await page.reload();
      await page.waitForSelector('#login-form, .topbar');
      if (await page.$('.topbar')) { await page.click('#logout'); await page.waitForSelector('#login-form'); }
      await page.screenshot({ path: join(dir, 'login.png') }); n++;
      await page.fill('#login-name', 'admin');
      await page.fill('#login-password', PW);
      await page.click('#login-submit');
      await page.waitForSelector('.topbar');
      for (const [name, hash, ready] of shots) {
        await page.goto(base + '/console/' + hash);
        await page.waitForSelector(ready, { timeout: 10000 }).catch(() => {});
        if (name === 'reports' && bday) { // the kiosks' business day, whatever the hour here
          await page.fill('#rp-period', bday);
          await Promise.all([page.waitForResponse((r) => r.url().includes('/console/api/reports?')),
            page.click('#rp-form button[type=submit]')]);
          await page.waitForSelector('#rp-kpis');
        }
        if (name === 'complaint-refused') { // a department longer than a kiosk holds, pasted
          const dep = '#step-investigating input[name=department]';
          await page.evaluate((sel) => document.querySelector(sel).removeAttribute('maxlength'), dep);
          await page.fill(dep, '营业部'.repeat(14));
          await Promise.all([page.waitForResponse((r) => r.url().endsWith('/advance')),
            page.click('#step-investigating button[type=submit]')]);
          await page.waitForSelector('#flash:not([hidden])');
          await page.evaluate(() => { document.getElementById('step-investigating').scrollIntoView(); window.scrollBy(0, -120); });
        }
        if (name === 'invitations') { // every day, and the first guest's code and QR
          await page.check('#inv-f-all');
          await page.waitForSelector('#inv-list');
          if (invited[0]) {
            await page.click(`#inv-list tr[data-code="${invited[0].code}"] button.code`);
            await page.waitForFunction(() => { const i = document.querySelector('#inv-qr-img'); return i && i.complete; });
          }
        }
        await page.mouse.move(w - 5, h - 5);
        await page.waitForTimeout(name === 'reports' ? 1200 : 300);
        await page.screenshot({ path: join(dir, name + '.png') }); n++;
        if (name === 'config') { // the host directory, a robot's URL refused beside its host
          await page.fill('#cf-hosts input[data-notify="3"]', 'https://hooks.example.com/robot/send');
          await Promise.all([page.waitForResponse((r) => r.url().endsWith('/config/host-notify')),
            page.click('#cf-hosts button[data-notify-save="3"]')]);
          await page.waitForSelector('#notify-err-3:not([hidden])');
          await page.evaluate(() => { document.getElementById('cf-hosts').scrollIntoView(); window.scrollBy(0, -64); });
          await page.mouse.move(w - 5, h - 5);
          await page.screenshot({ path: join(dir, 'config-hosts.png') }); n++;
        }
      }
      // The same landing page as a branch manager sees it, and the lockout message.
      await page.click('#logout');
      await page.waitForSelector('#login-form');
      for (let i = 0; i < 6; i++) {
        await page.fill('#login-name', 'chen.jing');
        await page.fill('#login-password', i < 5 ? 'wrong-password' : PW);
        const r = page.waitForResponse((x) => x.url().endsWith('/login'));
        await page.click('#login-submit');
        await r;
      }
      await page.screenshot({ path: join(dir, 'login-locked.png') }); n++;
      // Unlock for the next round (an administrator's action).
      await post('users/chen.jing', { disabled: false });
    }
  }
  console.log(`gallery: ${n} console screenshots in ${out}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (srv) await srv.stop();
  tmp.remove();
}
