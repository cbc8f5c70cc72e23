// main.js - the counter page: log in (name, counter, PIN), then the counter's
// current ticket very large, "serving for mm:ss", the actions, the waiting
// per service and the calls, kept live by the server's event stream
// (/api/events; the browser's EventSource reconnects with Last-Event-ID and
// the server replays what it missed). Every text from the server is set as
// text, never as HTML. Keyboard: N R S F X T, O open/close, L language.
import { T, pickLang } from './i18n.js';
import './style.css';

const $ = (id) => document.getElementById(id);
let lang = pickLang();
let csrf = '';
let me = null;            // {staff, counter}
let state = null;         // the last snapshot
let skew = 0;             // server clock - our clock, ms
let es = null;            // the EventSource
let busy = false;         // an action in flight
let lastCall = 0;         // id of the newest call shown

const t = (key, ...args) => {
  let s = (T[lang] && T[lang][key]) || T.en[key] || key;
  args.forEach((a, i) => { s = s.replace(`{${i}}`, String(a)); });
  return s;
};

function mmss(sec) {
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
  const p = (n) => String(n).padStart(2, '0');
  return h ? `${h}:${p(m)}:${p(s)}` : `${p(m)}:${p(s)}`;
}

function applyLang() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title');
  document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
  $('lang').textContent = $('lang-login').textContent = lang === 'zh' ? 'English' : '中文';
  if (state) render();
}

function toggleLang() {
  lang = lang === 'zh' ? 'en' : 'zh';
  try { localStorage.setItem('fd-lang', lang); } catch { /* private mode */ }
  applyLang();
}

async function api(path, body) {
  const opts = { method: body === undefined ? 'GET' : 'POST', credentials: 'same-origin',
                 headers: {} };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.headers['X-CSRF-Token'] = csrf;
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  let j = {};
  try { j = await r.json(); } catch { /* not JSON */ }
  return { status: r.status, ok: r.ok, j };
}

// ---- login ----------------------------------------------------------------

function fillSelect(sel, items, value) {
  sel.replaceChildren();
  for (const [v, label] of items) {
    const o = document.createElement('option');
    o.value = String(v);
    o.textContent = label;
    sel.append(o);
  }
  if (value !== undefined && value !== null) sel.value = String(value);
}

async function showLogin(msg) {
  if (es) { es.close(); es = null; }
  me = null;
  const { j } = await api('/api/session');
  csrf = j.csrf || '';
  if (j.logged_in) return start(j);
  let last = {};
  try { last = JSON.parse(localStorage.getItem('fd-login') || '{}'); } catch { /* none */ }
  fillSelect($('f-staff'), (j.staff_names || []).map((n) => [n, n]), last.staff);
  fillSelect($('f-counter'), (j.counters || []).map((c) => [c.id, c.name || t("counter", c.id)]),
             last.counter);
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-msg').textContent = msg || '';
  $('f-pin').value = '';
  $('f-pin').focus();
}

async function login(ev) {
  ev.preventDefault();
  const staff = $('f-staff').value, counter = Number($('f-counter').value);
  const pin = $('f-pin').value;
  $('f-pin').value = '';
  $('f-go').disabled = true;
  $('login-msg').textContent = t('login.checking');
  try {
    const r = await api('/api/login', { staff, pin, counter });
    if (!r.ok) {
      $('login-msg').textContent = refusal(r);
      if (r.j.error === 'cross_site') await showLogin(refusal(r));
      return;
    }
    try { localStorage.setItem('fd-login', JSON.stringify({ staff, counter })); } catch { /* */ }
    start(r.j);
  } catch {
    $('login-msg').textContent = t('err.network');
  } finally {
    $('f-go').disabled = false;
  }
}

// ---- the counter ---------------------------------------------------------------

function start(sess) {
  csrf = sess.csrf;
  me = { staff: sess.staff, counter: sess.counter };
  $('login').hidden = true;
  $('app').hidden = false;
  $('msg').textContent = '';
  connect();
  api('/api/queue').then((r) => { if (r.ok) setState(r.j); });
}

function connect() {
  if (es) es.close();
  es = new EventSource('/api/events');
  es.addEventListener('open', () => live(true));
  es.addEventListener('state', (e) => setState(JSON.parse(e.data)));
  es.addEventListener('call', (e) => onCall(JSON.parse(e.data)));
  es.addEventListener('error', () => {
    live(false);
    if (es && es.readyState === EventSource.CLOSED) { // refused: signed out?
      es = null;
      api('/api/session').then((r) => {
        if (!r.j.logged_in) showLogin(t('err.signed_out'));
        else setTimeout(connect, 2000);
      }).catch(() => setTimeout(connect, 2000));
    }
  });
}

function live(on) {
  const el = $('h-live');
  el.dataset.t = on ? 'live.on' : 'live.off';
  el.textContent = t(el.dataset.t);
  el.classList.toggle('on', on);
}

function setState(s) {
  state = s;
  skew = s.now * 1000 - Date.now();
  render();
}

function onCall(c) {
  if (!state) return;
  if (c.id <= lastCall) return;
  lastCall = c.id;
  state.calls = [c, ...(state.calls || []).filter((x) => x.id !== c.id)].slice(0, 8);
  renderCalls(c.id);
}

function mine() {
  return state && me ? (state.counters || []).find((c) => c.id === me.counter) : null;
}

function render() {
  const c = mine();
  $('h-counter').textContent = t('counter', me.counter);
  $('h-staff').textContent = me.staff;
  const open = c ? c.open : false;
  $('h-open').textContent = t(open ? 'open' : 'closed');
  $('h-open').className = 'badge ' + (open ? 'ok' : 'off');
  $('b-openclose').textContent = t(open ? 'op.close' : 'op.open') + ' (O)';
  const st = c && c.ticket ? c.state : '';
  $('ticket').textContent = c && c.ticket ? c.ticket : '—';
  $('ticket').className = 'ticket ' + st;
  const able = { call: st !== 'called', recall: st === 'called', serve: st === 'called',
                 finish: !!st, noshow: st === 'called', transfer: !!st };
  for (const [op, ok] of Object.entries(able)) $('b-' + op).disabled = !ok || !open;
  if (!st) $('transfer').hidden = true;
  tick();
  renderWaiting();
  renderCalls(0);
  renderCounters();
  renderTransfer();
}

function tick() {
  const c = mine();
  const el = $('since');
  if (!c || !c.ticket) {
    el.textContent = c && !c.open ? t('since.closed') : t('since.none');
    return;
  }
  const sec = (Date.now() + skew) / 1000 - c.since;
  el.textContent = t(c.state === 'serving' ? 'since.serving' : 'since.called', mmss(sec));
}

function svcName(s) {
  return lang === 'zh' ? s.name_zh : s.name_en;
}

function renderWaiting() {
  const tb = $('waiting');
  tb.replaceChildren();
  const served = new Set(((mine() || {}).services || '').split(',').filter(Boolean));
  const now = (Date.now() + skew) / 1000;
  for (const s of state.services || []) {
    const tr = document.createElement('tr');
    if (served.has(s.code)) tr.className = 'mine';
    const longest = s.waiting ? mmss(s.longest_wait_s + (now - state.now)) : '—';
    for (const text of [`${s.code} ${svcName(s)}`, String(s.waiting), longest, s.next || '—']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tb.append(tr);
  }
}

function renderCalls(flash) {
  const ol = $('calls');
  ol.replaceChildren();
  for (const c of state.calls || []) {
    const li = document.createElement('li');
    if (c.id === flash) li.className = 'flash';
    const b = document.createElement('b');
    b.textContent = c.ticket;
    const span = document.createElement('span');
    span.textContent = t(c.recall ? 'calls.recall' : 'calls.call', c.counter);
    li.append(b, span);
    ol.append(li);
    if (c.id > lastCall) lastCall = c.id;
  }
}

function renderCounters() {
  const box = $('counters');
  box.replaceChildren();
  for (const c of state.counters || []) {
    const d = document.createElement('div');
    d.className = 'ctr' + (c.id === me.counter ? ' me' : '') + (c.open ? '' : ' shut');
    const n = document.createElement('div');
    n.className = 'n';
    n.textContent = t('counter', c.id);
    const v = document.createElement('div');
    v.className = 'v';
    v.textContent = c.ticket || (c.open ? '—' : t('closed'));
    d.append(n, v);
    box.append(d);
  }
}

function renderTransfer() {
  const box = $('transfer-list');
  box.replaceChildren();
  const c = mine();
  for (const s of state.services || []) {
    if (c && c.service === s.code) continue;
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${s.code} ${svcName(s)}`;
    b.addEventListener('click', () => act('transfer', { service: s.code }));
    box.append(b);
  }
}

function refusal(r) {
  const j = r.j || {};
  const known = { empty: 'err.empty', wrong_state: 'err.state', cross_site: 'err.cross_site',
                  unauthenticated: 'err.signed_out', locked: 'err.locked',
                  wrong_pin: 'err.wrong_pin' };
  const key = known[j.error];
  if (key && lang === 'zh') return t(key) + (j.message ? ` (${j.message})` : '');
  return j.message || t('err.network');
}

async function act(op, body) {
  if (busy) return;
  if (op === 'transfer' && !body) {
    $('transfer').hidden = !$('transfer').hidden;
    return;
  }
  busy = true;
  $('transfer').hidden = true;
  const msg = $('msg');
  try {
    const r = await api('/api/' + op, body || {});
    if (r.status === 401) return showLogin(t('err.signed_out'));
    if (!r.ok) {
      msg.className = 'msg bad';
      msg.textContent = refusal(r);
      if (r.j.finished) msg.textContent = t('done.finished', r.j.finished.ticket) + ' ' + msg.textContent;
      return;
    }
    msg.className = 'msg ok';
    const label = r.j.ticket ? r.j.ticket.ticket : '';
    msg.textContent = t('done.' + op, label, body && body.service);
  } catch {
    msg.className = 'msg bad';
    msg.textContent = t('err.network');
  } finally {
    busy = false;
  }
}

async function logout() {
  await api('/api/logout', {}).catch(() => {});
  showLogin('');
}

function onKey(e) {
  if ($('app').hidden || e.ctrlKey || e.metaKey || e.altKey) return;
  const tag = (e.target && e.target.tagName) || '';
  if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
  const map = { n: 'call', r: 'recall', s: 'serve', f: 'finish', x: 'noshow', t: 'transfer' };
  const k = e.key.toLowerCase();
  if (map[k]) {
    const b = $('b-' + map[k]);
    if (!b.disabled) act(map[k]);
  } else if (k === 'o') {
    const c = mine();
    act(c && c.open ? 'close' : 'open');
  } else if (k === 'l') {
    toggleLang();
  } else if (k === 'escape') {
    $('transfer').hidden = true;
  } else {
    return;
  }
  e.preventDefault();
}

document.querySelectorAll('[data-op]').forEach((b) => b.addEventListener('click', () => act(b.dataset.op)));
$('b-openclose').addEventListener('click', () => { const c = mine(); act(c && c.open ? 'close' : 'open'); });
$('b-logout').addEventListener('click', logout);
$('lang').addEventListener('click', toggleLang);
$('lang-login').addEventListener('click', toggleLang);
$('login-form').addEventListener('submit', login);
document.addEventListener('keydown', onKey);
setInterval(() => { if (state && me) { tick(); } }, 1000);
setInterval(() => { if (state && me) renderWaiting(); }, 10000);
applyLang();
showLogin('');
