// screens.mjs CTL COUNTER OUTDIR - the counter page's screenshots: the login
// form and a counter at work (a ticket in service, others waiting) on a
// phone (390x844), a tablet (820x1180) and a desktop (1920x1080), in Chinese
// and English, from the real frontdesk-counter on a demo store. Run by
// scripts/counter-screens.sh.
import { launch } from '../browser/browser.mjs';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [ctl, srvBin, out] = process.argv.slice(2);
process.env.FRONTDESK_NOW = '1795399200'; // a fixed day: the same shots every run
const dir = mkdtempSync(join(tmpdir(), 'fdcshots.'));
const db = join(dir, 'k.db');
const run = (...a) => execFileSync(ctl, ['--db', db, ...a], { encoding: 'utf8' });
mkdirSync(out, { recursive: true });
run('init', '--demo');
for (let i = 0; i < 5; i++) run('ticket', 'take', 'A');
run('ticket', 'take', 'B');
const srv = spawn(srvBin, ['--db', db, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let text = '';
srv.stdout.on('data', (d) => { text += d; });
while (!/listening on (\S+)/.test(text)) await new Promise((r) => setTimeout(r, 50));
const base = text.match(/listening on (\S+)/)[1].replace(/\/$/, '');
const sizes = { phone: [390, 844], tablet: [820, 1180], desktop: [1920, 1080] };
const browser = await launch();
try {
  let first = true;
  for (const lang of ['zh', 'en']) {
    for (const [name, [w, h]] of Object.entries(sizes)) {
      const page = await browser.newPage();
      await page.setViewportSize({ width: w, height: h });
      await page.addInitScript((l) => localStorage.setItem('fd-lang', l), lang);
      await page.context().clearCookies();
      await page.goto(base + '/');
      await page.waitForSelector('#login:not([hidden])');
      await page.selectOption('#f-staff', '前台 Reception');
      await page.selectOption('#f-counter', '2');
      await page.screenshot({ path: join(out, `login-${name}-${lang}.png`) });
      await page.fill('#f-pin', '2580');
      await page.click('#f-go');
      await page.waitForSelector('#h-live.on');
      if (first) { // one ticket in service at counter 2 for every shot
        await page.click('#b-call');
        await page.waitForFunction(() => !document.getElementById('b-serve').disabled);
        await page.click('#b-serve');
        first = false;
      }
      await page.waitForFunction(() => document.getElementById('ticket').classList.contains('serving'));
      await page.waitForTimeout(1200); // "serving for" has ticked once
      await page.screenshot({ path: join(out, `counter-${name}-${lang}.png`), fullPage: true });
      await page.close();
    }
  }
} finally {
  await browser.close();
  srv.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
