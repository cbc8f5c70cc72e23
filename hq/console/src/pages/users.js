// users.js - the console's accounts (administrators only): who may sign in,
// their role and branches, disabled or locked; disable, enable / unlock,
// reset a password, add a user; and the audit log of what was done.
import { h, mount, select, field } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { dateTime, now } from '../fmt.js';

const ROLES = ['admin', 'officer', 'manager'];

/* How a refusal names its field here (errors.js): labels as shown, and a
 * sentence for each rule. */
const WORDS = () => ({
  labels: { name: t('us.col.name'), role: t('us.col.role'), branches: t('us.col.branches'),
    password: t('us.password'), disabled: t('us.disable') },
  sentences: { name: 'err.f.user_name', branches: 'err.f.branches', password: 'err.f.password',
    disabled: 'err.f.disable_self' },
});

export async function usersPage(ctx) {
  const list = h('section', { class: 'card', id: 'us-list' });
  const add = h('section', { class: 'card', id: 'us-add' });
  const audit = h('section', { class: 'card', id: 'us-audit' });
  mount(ctx.main, h('div', { class: 'page-head' }, h('h1', null, t('us.title'))), list, add, audit);

  async function load() {
    let users = [];
    try { users = (await api.get('users')).users || []; } catch (e) { ctx.flash(ctx.errorText(e)); }
    mount(list, h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'users' },
      h('thead', null, h('tr', null, ['us.col.name', 'us.col.role', 'us.col.branches', 'us.col.status', 'us.col.last']
        .map((k) => h('th', null, t(k))), h('th'))),
      h('tbody', null, users.map(userRow)))));
    try {
      const a = (await api.get('audit' + api.qs({ limit: 100 }))).audit || [];
      mount(audit, h('h2', null, t('us.audit')), h('div', { class: 'table-wrap scroll' }, h('table', { class: 'grid compact', id: 'audit' },
        h('thead', null, h('tr', null, ['us.a.at', 'us.a.actor', 'us.a.action', 'us.a.subject', 'us.a.detail'].map((k) => h('th', null, t(k))))),
        h('tbody', null, a.map((r) => h('tr', null, h('td', { class: 'nowrap' }, dateTime(r.at)), h('td', null, r.actor),
          h('td', null, r.action), h('td', null, r.subject), h('td', null, r.detail)))))));
    } catch { mount(audit); }
  }

  function userRow(u) {
    const locked = u.locked_until && u.locked_until > now();
    const status = u.disabled ? h('span', { class: 'badge muted' }, t('us.disabled'))
      : locked ? h('span', { class: 'badge bad' }, t('us.locked', dateTime(u.locked_until)))
        : h('span', { class: 'badge ok' }, t('us.active'));
    return h('tr', { dataset: { user: u.name } },
      h('td', null, u.name), h('td', null, t('role.' + u.role)),
      h('td', null, (u.branches || []).join('、') || t('dash')),
      h('td', null, status), h('td', { class: 'nowrap' }, dateTime(u.last_login)),
      h('td', { class: 'actions' },
        u.disabled || locked
          ? h('button', { type: 'button', class: 'small', onclick: () => change(u.name, { disabled: false }) }, t('us.enable'))
          : h('button', { type: 'button', class: 'small danger', onclick: () => change(u.name, { disabled: true }) }, t('us.disable')),
        h('button', { type: 'button', class: 'small', onclick: () => {
          const p = window.prompt(t('us.passwd_q', u.name));
          if (p) change(u.name, { password: p });
        } }, t('us.passwd'))));
  }

  async function change(name, body) {
    try {
      await api.post('users/' + encodeURIComponent(name), body);
      ctx.flash(t('saved'), 'ok');
      load();
    } catch (e) { ctx.flash(ctx.errorText(e, WORDS())); }
  }

  const name = h('input', { type: 'text', required: true, maxlength: 64, id: 'us-name', autocomplete: 'off' });
  const role = select({ id: 'us-role' }, ROLES.map((r) => [r, t('role.' + r)]), 'officer');
  const branches = h('input', { type: 'text', id: 'us-branches', size: 24 });
  const pass = h('input', { type: 'password', required: true, minlength: 10, maxlength: 128, id: 'us-password', autocomplete: 'new-password' });
  const form = h('form', { class: 'inline wrap' }, field(t('us.col.name'), name), field(t('us.col.role'), role),
    field(t('us.branches_hint'), branches), field(t('us.password'), pass),
    h('button', { type: 'submit', class: 'primary' }, t('add')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.post('users', { name: name.value.trim(), role: role.value, password: pass.value,
        branches: branches.value.split(/[,，、]/).map((b) => b.trim()).filter(Boolean) });
      form.reset();
      ctx.flash(t('saved'), 'ok');
      load();
    } catch (e) { ctx.flash(ctx.errorText(e, WORDS())); }
  });
  mount(add, h('h2', null, t('us.add')), form);
  await load();
}
