// hq.mjs - what the console's browser tests and screenshots need around the
// browser: a real frontdesk-hq (SQLite on disk, HTTP on loopback, port
// chosen by the kernel), console accounts made with its command line, and
// real kiosk stores (frontdesk-ctl) enrolled with head office that file
// complaints and sync. Also a small reader for the XLSX (a zip) the
// reports page downloads, and an HTTP client that keeps a session cookie
// (for the checks the API must refuse on its own).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const build = resolve(process.env.FD_BUILD || 'build/plain');
export const HQ = join(build, 'hq/frontdesk-hq');
export const CTL = join(build, 'app/ctl/frontdesk-ctl');
export const KIOSK = join(build, 'app/kiosk/frontdesk');

/* A scratch folder, removed by the returned cleanup. */
export function scratch(tag) {
  const dir = mkdtempSync(join(tmpdir(), `fd-${tag}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/* Runs a program to its end; throws with its stderr unless it exits 0. */
export function run(bin, args, input, env) {
  const r = spawnSync(bin, args, { input: input ?? '', encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')}: exit ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/* frontdesk-hq --db DB ARGS... */
export const hq = (db, args, input) => run(HQ, ['--db', db, ...args], input);

/* A console account: the password goes on standard input, as an operator types it. */
export function addUser(db, name, role, password, branches = []) {
  hq(db, ['user', 'add', name, '--role', role, ...branches.flatMap((b) => ['--branch', b])], password + '\n');
}

/* Starts `frontdesk-hq serve` on 127.0.0.1 with a port of the kernel's
 * choice; resolves to {url, port, stop()} once it listens. */
export function serve(db, env) {
  return new Promise((ok, fail) => {
    const p = spawn(HQ, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '4'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '', errs = '';
    const timer = setTimeout(() => { p.kill('SIGKILL'); fail(new Error('frontdesk-hq did not start: ' + errs)); }, 20000);
    p.stderr.on('data', (d) => { errs += d; if (errs.length > 65536) errs = errs.slice(-32768); });
    p.stdout.on('data', (d) => {
      out += d;
      const m = /listening on [^\s:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        ok({
          port, url: `http://127.0.0.1:${port}`, log: () => errs,
          /* SIGTERM, then its exit status (0: a clean stop; under ASan a leak
           * or an error makes it non-zero and leaves its report in log()). */
          stop: () => new Promise((done) => {
            if (p.exitCode !== null) { done(p.exitCode); return; }
            p.once('exit', (code) => done(code));
            p.kill('SIGTERM');
          }),
        });
      }
    });
    p.on('exit', (code) => { clearTimeout(timer); if (code !== null && code !== 0) fail(new Error(`frontdesk-hq exited ${code}: ${errs}`)); });
  });
}

/* A kiosk: a fresh store with the demo configuration, enrolled at head
 * office for `branch` with a one-time token (`token`, else one made by the
 * command line), as terminal number `terminal`. ctl(args, input, env) runs
 * frontdesk-ctl on it; json(args, env) parses its --json output. */
export function kiosk(dir, name, hqDb, hqUrl, branch, terminal, token) {
  const db = join(dir, name + '.db');
  const ctl = (args, input, env) => run(CTL, ['--db', db, ...args], input, env);
  const json = (args, env) => JSON.parse(ctl(['--json', ...args], '', env));
  // Each kiosk its own terminal number, as installers set them, before the
  // demo data: complaint references (YYMMDD + terminal + sequence) are
  // unique across kiosks only with it.
  ctl(['init']);
  ctl(['config', 'set', 'terminal_no', String(terminal)]);
  ctl(['init', '--demo']);
  if (!token) token = hq(hqDb, ['enroll-token', '--branch', branch]).trim().split(/\s+/).pop();
  ctl(['enroll', '--hq', hqUrl, '--token', token]);
  return {
    db, ctl, json,
    /* Files a complaint; env may set FRONTDESK_NOW (test builds) to file it in the past. */
    file: (category, description, env) => json(['complaint', 'file', '--category', category, '--description', description], env),
    sync: () => ctl(['sync', 'now']),
    show: (ref) => json(['complaint', 'show', ref]),
    /* Runs the kiosk program itself (Xvfb, software renderer) until its sync
     * worker has had a round: that round carries the kiosk's health record
     * (version, printer, disk) that only the program's worker sends. */
    appSync: () => {
      const script = join(dir, name + '-sync.txt');
      writeFileSync(script, 'sync_wait\n');
      run('xvfb-run', ['-a', '-s', '-screen 0 800x600x24', KIOSK, '--allow-root', '--db', db, '--window', '800x600', '--script', script],
        '', { SDL_RENDER_DRIVER: 'software', SDL_AUDIODRIVER: 'dummy' });
    },
  };
}

/* The files of a zip archive (an XLSX) as {name: Buffer}: read from its
 * central directory; stored and deflated entries (what XLSX writers use). */
export function unzip(path) {
  const b = readFileSync(path);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 65557); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const files = {};
  for (let n = 0; n < count; n++) {
    if (b.readUInt32LE(p) !== 0x02014b50) throw new Error('zip: bad central directory entry');
    const method = b.readUInt16LE(p + 10), csize = b.readUInt32LE(p + 20);
    const nlen = b.readUInt16LE(p + 28), xlen = b.readUInt16LE(p + 30), clen = b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    const name = b.toString('utf8', p + 46, p + 46 + nlen);
    const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    const data = b.subarray(start, start + csize);
    files[name] = method === 0 ? data : method === 8 ? inflateRawSync(data) : null;
    p += 46 + nlen + xlen + clen;
  }
  return files;
}

/* A minimal HTTP client with a cookie jar of one session, for the API
 * checks made outside the browser (a manager's request, a forged Origin). */
export function client(base) {
  let cookie = '';
  let csrf = '';
  async function req(method, path, body, headers = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (cookie) h.Cookie = cookie;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) { const m = /fdhq_session=([^;]*)/.exec(set); if (m) cookie = m[1] ? 'fdhq_session=' + m[1] : ''; }
    const text = await res.text();
    let data = null;
    try { data = JSON.parse(text); } catch { data = text; }
    return { status: res.status, data, headers: res.headers };
  }
  return {
    req,
    async login(name, password) {
      const r = await req('POST', '/console/api/login', { name, password }, { Origin: base });
      if (r.status === 200) csrf = r.data.csrf;
      return r;
    },
    get csrf() { return csrf; },
    get cookie() { return cookie; },
  };
}
