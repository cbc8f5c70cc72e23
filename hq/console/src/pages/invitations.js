// invitations.js - guests invited ahead (issue 14): the invitations of a
// branch and day with their state (open, used, expired: its day is past,
// cancelled), a form to invite someone (an administrator, or a branch
// manager for their branches; the server checks every field by the kiosk's
// own rules), the code a guest types at the kiosk and its QR code (drawn by
// head office: GET invitations/CODE/qr.png, the same PNG as `frontdesk-hq
// invite add --qr`), and cancelling an invitation not used yet. Phones come
// masked from the server. Names, companies and purposes are set as text.
import { h, mount, field } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { syncNow, today, dateTime } from '../fmt.js';

let filter = { branch: '', day: '' };

const STATES = ['open', 'used', 'expired', 'cancelled'];

/* How a refusal of the new invitation names its field (errors.js). */
const WORDS = () => ({
  labels: Object.fromEntries(['branch', 'day', 'name', 'phone', 'company', 'purpose', 'host']
    .map((f) => [f, t('inv.col.' + f)])),
  sentences: { phone: 'err.f.phone', day: 'err.f.day' },
});
const BADGE = { open: 'ok', used: 'muted', expired: 'warn', cancelled: 'bad' };

export async function invitationsPage(ctx) {
  const mayInvite = (b) => ctx.user.role === 'admin' || (ctx.user.role === 'manager' && (ctx.user.branches || []).includes(b));
  const canInvite = ctx.user.role === 'admin' || ctx.user.role === 'manager';
  if (!filter.day) filter.day = today();

  // Branches known to head office (the fleet; a manager's own come first).
  let branches = [...(ctx.user.branches || [])];
  try {
    for (const b of (await api.get('fleet')).branches || []) if (b.branch && !branches.includes(b.branch)) branches.push(b.branch);
  } catch { /* typed by hand then */ }
  let hosts = [];
  if (ctx.isAdmin) {
    try { hosts = ((await api.get('config')).hosts || []).filter((x) => x.active !== 0).map((x) => x.name); } catch { /* none */ }
  }
  const branchList = h('datalist', { id: 'inv-branches' }, branches.map((b) => h('option', { value: b })));
  const hostList = h('datalist', { id: 'inv-hosts' }, hosts.map((n) => h('option', { value: n })));

  const fBranch = h('select', { id: 'inv-f-branch' },
    h('option', { value: '' }, ctx.user.role === 'manager' ? t('inv.my_branches') : t('inv.all_branches')),
    branches.map((b) => h('option', { value: b, selected: b === filter.branch }, b)));
  // Days as text YYYY-MM-DD, as the list and the kiosks write them (a date
  // input shows the PC's locale order instead).
  const dayInput = (id, value, required) => h('input', { type: 'text', id, value, required, size: 10, maxlength: 10,
    pattern: '[0-9]{4}-[0-9]{2}-[0-9]{2}', placeholder: 'YYYY-MM-DD', class: 'day', autocomplete: 'off' });
  const fDay = dayInput('inv-f-day', filter.day, false);
  const fAll = h('input', { type: 'checkbox', id: 'inv-f-all', checked: filter.day === '' });
  fBranch.addEventListener('change', () => { filter.branch = fBranch.value; load(); });
  fDay.addEventListener('change', () => {
    if (!fDay.checkValidity()) return;
    filter.day = fDay.value.trim();
    fAll.checked = filter.day === '';
    load();
  });
  fAll.addEventListener('change', () => { filter.day = fAll.checked ? '' : (fDay.value || today()); load(); });

  let formEl = {}; // the new invitation's fields, once made
  const list = h('section', { class: 'card', id: 'inv-list-card' });
  const side = h('div', { class: 'inv-side' });
  const qr = h('section', { class: 'card', id: 'inv-qr', hidden: true });
  mount(ctx.main,
    h('div', { class: 'page-head' }, h('h1', null, t('inv.title')),
      h('span', { class: 'summary', id: 'inv-summary' }),
      h('div', { class: 'filters' },
        field(t('inv.branch'), fBranch), field(t('inv.day'), fDay),
        h('label', { class: 'check' }, fAll, ' ', t('inv.every_day')),
        h('button', { type: 'button', onclick: () => load() }, t('refresh')))),
    h('div', { class: 'cols' }, list, side), branchList, hostList);
  side.appendChild(qr); // the code and QR on top when shown: what is handed to the guest
  if (canInvite) side.appendChild(form());

  async function load() {
    let d;
    try { d = await api.get('invitations' + api.qs({ branch: filter.branch, day: filter.day })); } catch (e) {
      mount(list, h('p', { class: 'empty' }, ctx.errorText(e))); return;
    }
    syncNow(d.now);
    // The new invitation's fields hold what a kiosk takes (the server's limits).
    for (const [k, n] of Object.entries(d.limits || {})) {
      if (formEl[k] && Number.isInteger(n) && n > 0) formEl[k].maxLength = n;
    }
    const rows = d.invitations || [];
    const counts = STATES.map((s) => [s, rows.filter((r) => r.state === s).length]).filter(([, n]) => n);
    document.getElementById('inv-summary').textContent =
      counts.map(([s, n]) => `${t('inv.state.' + s)} ${n}`).join(' · ');
    mount(list, h('h2', null, filter.day ? t('inv.list_day', filter.day) : t('inv.list_all')),
      h('p', { class: 'hint' }, t('inv.masked')),
      rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'grid compact', id: 'inv-list' },
        h('thead', null, h('tr', null, ['inv.col.code', 'inv.col.day', 'inv.col.branch', 'inv.col.name', 'inv.col.phone',
          'inv.col.company', 'inv.col.purpose', 'inv.col.host', 'inv.col.state'].map((k) => h('th', null, t(k))), h('th'))),
        h('tbody', null, rows.map(row))))
        : h('p', { class: 'empty' }, t('inv.none')),
      d.truncated ? h('p', { class: 'hint' }, t('inv.truncated')) : null);
  }

  function row(v) {
    const st = STATES.includes(v.state) ? v.state : 'open';
    return h('tr', { dataset: { code: v.code, state: st } },
      h('td', null, h('button', { type: 'button', class: 'link code', title: t('inv.show_qr'), onclick: () => showQr(v) }, v.shown)),
      h('td', { class: 'nowrap' }, v.day),
      h('td', { class: 'nowrap' }, v.branch),
      h('td', { class: 'name' }, v.name),
      h('td', { class: 'nowrap phone' }, v.phone),
      h('td', null, v.company || t('dash')),
      h('td', null, v.purpose || t('dash')),
      h('td', null, v.host || t('dash')),
      h('td', null, h('span', { class: 'badge ' + BADGE[st], title: st === 'used' && v.used_at ? dateTime(v.used_at) : null },
        t('inv.state.' + st)), v.uses > 1 ? h('span', { class: 'tag serious' }, ' ', t('inv.twice', v.uses)) : null),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'small', onclick: () => showQr(v) }, t('inv.qr')),
        st === 'open' && mayInvite(v.branch)
          ? h('button', { type: 'button', class: 'small danger', dataset: { cancel: v.code }, onclick: () => cancel(v) }, t('inv.cancel'))
          : null));
  }

  /* The code as a guest types it, and its QR code. */
  function showQr(v, fresh) {
    mount(qr, h('h2', null, fresh ? t('inv.created') : t('inv.code_of', v.name)),
      h('p', { class: 'inv-code', id: 'inv-code' }, v.shown),
      h('img', { id: 'inv-qr-img', class: 'qr', width: 232, height: 232, alt: t('inv.qr_alt', v.shown),
        src: api.BASE + 'invitations/' + encodeURIComponent(v.code) + '/qr.png' }),
      h('dl', { class: 'facts' },
        h('dt', null, t('inv.col.name')), h('dd', null, v.name),
        h('dt', null, t('inv.col.branch')), h('dd', null, v.branch),
        h('dt', null, t('inv.col.day')), h('dd', null, v.day),
        v.host ? [h('dt', null, t('inv.col.host')), h('dd', null, v.host)] : null),
      h('p', { class: 'hint' }, t('inv.how')));
    qr.hidden = false;
  }

  async function cancel(v) {
    if (!window.confirm(t('inv.cancel_q', v.shown, v.name))) return;
    try {
      await api.post('invitations/' + encodeURIComponent(v.code) + '/cancel');
      ctx.flash(t('inv.cancelled', v.shown), 'ok');
      if (qr.querySelector('#inv-code') && qr.querySelector('#inv-code').textContent === v.shown) qr.hidden = true;
      load();
    } catch (e) { ctx.flash(ctx.errorText(e)); }
  }

  function form() {
    const input = (id, attrs) => h('input', { type: 'text', id, ...attrs });
    const el = formEl = {
      branch: input('inv-branch', { required: true, maxlength: 128, list: 'inv-branches', autocomplete: 'off',
        value: filter.branch || (ctx.user.role === 'manager' ? (ctx.user.branches || [])[0] : '') || '' }),
      day: dayInput('inv-day', filter.day || today(), true),
      name: input('inv-name', { required: true, maxlength: 120, autocomplete: 'off' }),
      phone: h('input', { type: 'tel', id: 'inv-phone', required: true, maxlength: 24, autocomplete: 'off', inputmode: 'tel' }),
      company: input('inv-company', { maxlength: 200, autocomplete: 'off' }),
      purpose: input('inv-purpose', { maxlength: 200, autocomplete: 'off' }),
      host: input('inv-host', { maxlength: 120, list: 'inv-hosts', autocomplete: 'off' }),
    };
    const err = h('p', { class: 'form-error', id: 'inv-error', role: 'alert', hidden: true });
    const submit = h('button', { type: 'submit', class: 'primary', id: 'inv-submit' }, t('inv.invite'));
    const f = h('form', { class: 'card stack', id: 'inv-form' }, h('h2', null, t('inv.new')),
      h('div', { class: 'inv-grid' },
        field(t('inv.col.branch'), el.branch), field(t('inv.col.day'), el.day),
        field(t('inv.col.name'), el.name), field(t('inv.col.phone'), el.phone),
        field(t('inv.col.company'), el.company), field(t('inv.col.purpose'), el.purpose),
        field(t('inv.col.host'), el.host)),
      err, submit);
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      submit.disabled = true;
      const body = Object.fromEntries(Object.entries(el).map(([k, i]) => [k, i.value.trim()]));
      if (!mayInvite(body.branch)) {
        err.textContent = t('inv.not_yours', body.branch);
        err.hidden = false;
        submit.disabled = false;
        return;
      }
      try {
        const r = await api.post('invitations', body);
        const v = r.invitation;
        ctx.flash(t('inv.created_flash', v.shown), 'ok');
        for (const k of ['name', 'phone', 'company', 'purpose']) el[k].value = '';
        // Show the list the new one is in.
        if (filter.branch && filter.branch !== v.branch) {
          if (![...fBranch.options].some((o) => o.value === v.branch)) fBranch.appendChild(h('option', { value: v.branch }, v.branch));
          filter.branch = fBranch.value = v.branch;
        }
        if (filter.day) filter.day = fDay.value = v.day;
        await load();
        showQr(v, true);
      } catch (e) {
        err.textContent = ctx.errorText(e, WORDS());
        err.hidden = false;
      } finally { submit.disabled = false; }
    });
    return f;
  }

  await load();
}
