// main.js - the console's shell: the session (GET me, login, logout), the
// top bar (pages allowed for the user's role, language switch), a message
// line, and a hash router (#/complaints, #/complaints/ID, #/invitations, #/fleet,
// #/reports, #/config, #/users) that draws one page at a time. Each page
// is a function (ctx, arg) that fills ctx.main; timers it starts are
// stopped through ctx.onLeave when the user goes elsewhere.
import './style.css';
import { h, mount } from './dom.js';
import { t, getLang, setLang } from './i18n.js';
import * as api from './api.js';
import { syncNow } from './fmt.js';
import { errorText } from './errors.js';
import { loginPage } from './pages/login.js';
import { complaintsPage } from './pages/complaints.js';
import { complaintPage } from './pages/complaint.js';
import { fleetPage } from './pages/fleet.js';
import { reportsPage } from './pages/reports.js';
import { configPage } from './pages/config.js';
import { usersPage } from './pages/users.js';
import { invitationsPage } from './pages/invitations.js';

const root = document.getElementById('app');
let user = null;          // {name, role, branches} once signed in
let leave = [];           // cleanups of the page on screen
let flashTimer = 0;
let notice = '';          // a message for the login page (session expired)

const PAGES = [
  { path: 'complaints', label: 'nav.complaints', page: complaintsPage },
  { path: 'invitations', label: 'nav.invitations', page: invitationsPage },
  { path: 'fleet', label: 'nav.fleet', page: fleetPage },
  { path: 'reports', label: 'nav.reports', page: reportsPage },
  { path: 'config', label: 'nav.config', page: configPage, admin: true },
  { path: 'users', label: 'nav.users', page: usersPage, admin: true },
];

function flash(text, kind = 'error') {
  const el = document.getElementById('flash');
  if (!el) return;
  el.className = 'flash ' + kind;
  el.textContent = text;
  el.hidden = !text;
  clearTimeout(flashTimer);
  if (text && kind !== 'error') flashTimer = setTimeout(() => { el.hidden = true; }, 4000);
}

function route() {
  const raw = (location.hash || '').replace(/^#\/?/, '');
  const [path, arg] = raw.split('/');
  return { path: path || 'complaints', arg: arg ? decodeURIComponent(arg) : '' };
}

function cleanup() {
  for (const fn of leave) { try { fn(); } catch { /* page gone */ } }
  leave = [];
}

function render() {
  cleanup();
  document.title = t('app.title') + ' · frontdesk';
  if (!user) {
    mount(root, loginPage({ onLogin, notice, toggleLang }));
    notice = '';
    return;
  }
  const r = route();
  const allowed = PAGES.filter((p) => !p.admin || user.role === 'admin');
  let entry = allowed.find((p) => p.path === r.path);
  if (!entry) { location.hash = '#/complaints'; return; }
  const main = h('main', { class: 'page', id: 'page-' + r.path });
  const bar = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, t('app.brand')),
    h('nav', { class: 'nav' }, allowed.map((p) =>
      h('a', { href: '#/' + p.path, class: p === entry ? 'active' : '', id: 'nav-' + p.path }, t(p.label)))),
    h('div', { class: 'who' },
      h('span', { class: 'user' }, user.name),
      h('span', { class: 'role' }, t('role.' + user.role)),
      h('button', { class: 'link', id: 'lang', type: 'button', onclick: toggleLang }, t('lang.switch')),
      h('button', { class: 'link', id: 'logout', type: 'button', onclick: logout }, t('nav.logout'))));
  const flashEl = h('div', { id: 'flash', class: 'flash', role: 'status', hidden: true });
  mount(root, bar, flashEl, main);
  const ctx = {
    user, main, flash, errorText,
    onLeave: (fn) => leave.push(fn),
    go: (hash) => { location.hash = hash; },
    isAdmin: user.role === 'admin',
  };
  // A page reports a failed load itself; anything it throws lands here.
  const page = entry.path === 'complaints' && r.arg ? complaintPage : entry.page;
  Promise.resolve(page(ctx, r.arg)).catch((e) => flash(errorText(e)));
}

function toggleLang() {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  render();
}

async function onLogin(answer) {
  user = answer.user;
  api.setCsrf(answer.csrf);
  syncNow(answer.now);
  if (!location.hash || location.hash === '#/login') location.hash = '#/complaints';
  render();
}

async function logout() {
  try { await api.post('logout'); } catch { /* the session may be gone already */ }
  user = null;
  api.setCsrf('');
  render();
}

api.onUnauthenticated(() => {
  if (!user) return;
  user = null;
  notice = t('login.expired');
  render();
});

window.addEventListener('hashchange', () => { if (user) render(); });

(async () => {
  try {
    const me = await api.get('me');
    user = me.user;
    api.setCsrf(me.csrf);
    syncNow(me.now);
  } catch { user = null; }
  render();
})();
