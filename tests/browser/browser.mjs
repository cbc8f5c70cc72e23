// browser.mjs - the one way our browser tests start Chromium: Debian's
// /usr/bin/chromium driven by playwright-core (no downloaded browser), headless,
// with the flags this closed network needs (no background connections).
// Usage: import { launch } from '<repo>/tests/browser/browser.mjs';
//        const browser = await launch(); ... await browser.close();
// Tests print "N passed, N failed" alone on their last line (see check()).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { chromium };
export const CHROMIUM = process.env.FD_CHROMIUM || '/usr/bin/chromium';

/* A fresh headless Chromium with an empty profile; the profile is removed on close. */
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'fd-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--disable-dev-shm-usage'],
    ...options,
  });
  const close = context.close.bind(context);
  context.close = async () => { try { await close(); } finally { rmSync(profile, { recursive: true, force: true }); } };
  return context;
}

/* A tiny counter for test programs: check(cond, name) and done() prints the
 * closing "N passed, N failed" line and sets the exit code. */
export function checker() {
  let passed = 0, failed = 0;
  return {
    check(cond, name) {
      if (cond) { passed++; console.log(`ok   ${name}`); }
      else { failed++; console.log(`FAIL ${name}`); }
      return !!cond;
    },
    done() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exitCode = failed || !passed ? 1 : 0;
    },
  };
}
