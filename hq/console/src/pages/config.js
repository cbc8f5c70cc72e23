// config.js - what head office configures for the kiosks (administrators):
// services (names, hours, daily caps), counters, the host directory, kiosk
// staff and their PINs, and settings, for every branch or one branch. Each
// list is edited as a table and saved whole; the server checks it by the
// kiosk's own rules (a refusal says which rule) and the kiosks receive it
// at their next pull. A PIN is typed here and leaves head office only as a
// hash; the page never gets one back.
import { h, mount, select, field } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

let scope = '';
// The most characters each list's texts hold, as the server says (the
// kiosk's rules): { services: { code: 2, ... }, ... }.
let limits = {};

/* Minutes after midnight <-> "HH:MM". */
const toHm = (m) => (m === null || m === undefined ? '' :
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
const fromHm = (s) => { const m = /^(\d{1,2}):(\d{2})$/.exec(s || ''); return m ? Number(m[1]) * 60 + Number(m[2]) : null; };

/* Rules of a list's fields (the kiosk's, app/core) that are not a length. */
const REFUSAL_SENTENCES = {
  code: 'err.f.code', hours: 'err.f.hours', daily_cap: 'err.f.daily_cap',
  id: 'err.f.counter_id', services: 'err.f.counter_services', pin: 'err.f.pin',
  role: 'err.f.check', notify: 'err.f.notify',
};

/* The column kinds of an editable list. */
const LISTS = {
  services: {
    title: 'cf.services',
    cols: [
      { key: 'code', label: 'cf.s.code', kind: 'text', size: 4 },
      { key: 'name_zh', label: 'cf.s.name_zh', kind: 'text' },
      { key: 'name_en', label: 'cf.s.name_en', kind: 'text' },
      { key: 'open_min', label: 'cf.s.open', kind: 'time' },
      { key: 'close_min', label: 'cf.s.close', kind: 'time' },
      { key: 'daily_cap', label: 'cf.s.cap', kind: 'number', min: 0, maxv: 9999 },
      { key: 'active', label: 'cf.s.active', kind: 'check' },
    ],
    blank: { code: '', name_zh: '', name_en: '', open_min: 540, close_min: 1020, daily_cap: 0, active: 1 },
  },
  counters: {
    title: 'cf.counters',
    cols: [
      { key: 'id', label: 'cf.c.id', kind: 'number', min: 1, maxv: 999 },
      { key: 'name', label: 'cf.c.name', kind: 'text' },
      { key: 'services', label: 'cf.c.services', kind: 'list' },
    ],
    blank: { id: '', name: '', services: [] },
  },
  hosts: {
    title: 'cf.hosts',
    cols: [
      { key: 'name', label: 'cf.h.name', kind: 'text' },
      { key: 'department', label: 'cf.h.department', kind: 'text' },
      { key: 'notify', label: 'cf.h.notify', kind: 'notify' },
      { key: 'active', label: 'cf.s.active', kind: 'check' },
    ],
    blank: { name: '', department: '', notify: '', active: 1 },
  },
  staff: {
    title: 'cf.staff',
    hint: 'cf.st.pin_hint',
    cols: [
      { key: 'name', label: 'cf.st.name', kind: 'text' },
      { key: 'role', label: 'cf.st.role', kind: 'choice', options: [['staff', 'cf.st.role.staff'], ['manager', 'cf.st.role.manager']] },
      { key: 'active', label: 'cf.s.active', kind: 'check' },
      { key: 'pin', label: 'cf.st.pin', kind: 'pin' },
    ],
    blank: { name: '', role: 'staff', active: 1 },
  },
};

export async function configPage(ctx) {
  let branches = [];
  try { branches = (await api.get('fleet')).branches.map((b) => b.branch); } catch { /* all branches only */ }
  const scopeSel = select({ id: 'cf-scope' }, [['', t('cf.scope.all')], ...branches.map((b) => [b, b])], scope);
  scopeSel.addEventListener('change', () => { scope = scopeSel.value; load(); });
  const body = h('div', { id: 'cf-body' });
  mount(ctx.main, h('div', { class: 'page-head' }, h('h1', null, t('cf.title')),
    h('div', { class: 'filters' }, field(t('cf.scope'), scopeSel)),
    h('span', { class: 'summary' }, t('cf.delivered'))), body);

  async function load() {
    mount(body, h('p', { class: 'muted' }, t('loading')));
    let cfg;
    try { cfg = await api.get('config' + api.qs({ branch: scope })); } catch (e) {
      mount(body, h('p', { class: 'empty' }, ctx.errorText(e))); return;
    }
    draw(cfg);
  }

  function draw(cfg) {
    const inh = cfg.inherited || {};
    limits = cfg.limits || {};
    mount(body, h('div', { class: 'cfg-grid' },
      Object.entries(LISTS).map(([name, spec]) => listEditor(name, spec, cfg[name] || [], scope && inh[name])),
      settingsEditor(cfg.settings || {}, scope && inh.settings)));
  }

  async function save(path, body, button) {
    button.disabled = true;
    try {
      const cfg = await api.post('config/' + path, { branch: scope, ...body });
      ctx.flash(t('saved'), 'ok');
      draw(cfg);
    } catch (e) { ctx.flash(ctx.errorText(e, refusalWords(path, body))); button.disabled = false; }
  }

  /* How a refusal of this list (or setting) names its field: the column's
   * label, and a sentence for the rules that are not a text's length. */
  function refusalWords(path, body) {
    if (path === 'settings') {
      return { labels: { [body.key]: body.key }, sentences: { [body.key]: 'err.f.setting' } };
    }
    const labels = {};
    for (const c of (LISTS[path] || { cols: [] }).cols) labels[c.key] = t(c.label);
    labels.hours = t('cf.s.hours');
    if (path === 'hosts') labels.notify = t('cf.h.notify');
    return { labels, sentences: REFUSAL_SENTENCES };
  }

  function listEditor(name, spec, items, inherited) {
    const tbody = h('tbody');
    const emptyRow = h('tr', { class: 'empty-row' }, h('td', { colspan: spec.cols.length + 1, class: 'muted' }, t('cf.none')));
    const addRow = (item) => { emptyRow.remove(); tbody.appendChild(rowFor(name, spec, item)); };
    if (items.length) items.forEach(addRow); else tbody.appendChild(emptyRow);
    const saveBtn = h('button', { type: 'submit', class: 'primary' }, t('save'));
    const form = h('form', { class: 'card cfg', id: 'cf-' + name },
      h('h2', null, t(spec.title)),
      inherited ? h('p', { class: 'hint' }, t('cf.inherited')) : null,
      spec.hint ? h('p', { class: 'hint' }, t(spec.hint)) : null,
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid edit' },
        h('thead', null, h('tr', null, spec.cols.map((c) => h('th', null, t(c.label))), h('th'))), tbody)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'link', onclick: () => addRow({ ...spec.blank }) }, t('cf.add_row')),
        saveBtn));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const out = [...tbody.children].filter((tr) => tr.read).map((tr) => tr.read());
      // New rows get what the kiosk keys them by: a service's place in the
      // list, a host's id (one past the highest).
      if (name === 'services') out.forEach((o, i) => { if (!o.sort) o.sort = i + 1; });
      if (name === 'hosts') {
        let top = Math.max(0, ...out.map((o) => Number(o.id) || 0));
        out.forEach((o) => { if (!o.id) o.id = ++top; });
      }
      save(name, { items: out }, saveBtn);
    });
    return form;
  }

  function rowFor(name, spec, item) {
    const readers = [];
    const cells = spec.cols.map((c) => {
      let input;
      const v = item[c.key];
      if (c.kind === 'text') {
        const most = (limits[name] || {})[c.key] || 100; // the server's (the kiosk's rule)
        input = h('input', { type: 'text', value: v ?? '', maxlength: most, size: c.size || 12, required: c.key !== 'department' });
        readers.push((o) => { o[c.key] = input.value.trim(); });
      } else if (c.kind === 'number') {
        input = h('input', { type: 'number', value: v ?? '', min: c.min, max: c.maxv, class: 'n', required: true });
        readers.push((o) => { o[c.key] = input.value === '' ? null : Number(input.value); });
      } else if (c.kind === 'time') {
        // Text, not type=time: that one shows AM/PM by the PC's locale; the
        // kiosks and their staff count hours 0-23.
        input = h('input', { type: 'text', value: toHm(v), required: true, size: 5, maxlength: 5,
          pattern: '([01][0-9]|2[0-3]):[0-5][0-9]', placeholder: '09:00', class: 'hm' });
        readers.push((o) => { o[c.key] = fromHm(input.value); });
      } else if (c.kind === 'check') {
        input = h('input', { type: 'checkbox', checked: !!v });
        readers.push((o) => { o[c.key] = input.checked ? 1 : 0; });
      } else if (c.kind === 'list') {
        input = h('input', { type: 'text', value: (v || []).join(','), size: 10, pattern: '[A-Za-z0-9, ]*' });
        readers.push((o) => { o[c.key] = input.value.split(',').map((x) => x.trim()).filter(Boolean); });
      } else if (c.kind === 'choice') {
        input = select(null, c.options.map(([k, l]) => [k, t(l)]), v);
        readers.push((o) => { o[c.key] = input.value; });
      } else if (c.kind === 'notify') {
        // Head office's own (never sent to kiosks): a robot's webhook or
        // mailto:ADDR, checked by the server as `frontdesk-hq host set
        // --notify` checks it. "Set" saves this host's target alone
        // (config/host-notify: nothing goes to the kiosks); the list's Save
        // sends it too. A changed URL drops the kind it had, which the
        // server then reads from the URL.
        const text = h('input', { type: 'text', value: v ?? '', maxlength: 512, size: 24,
          placeholder: t('cf.h.notify_ph'), spellcheck: false, dataset: { notify: item.id ?? '' } });
        const err = h('p', { class: 'cell-error', role: 'alert', hidden: true,
          id: item.id ? 'notify-err-' + item.id : null });
        const set = h('button', { type: 'button', class: 'small', dataset: { notifySave: item.id ?? '' },
          onclick: () => setNotify(item, text.value.trim(), err, set) }, t('cf.h.notify_set'));
        input = h('div', null, h('div', { class: 'notify-cell' }, text, set), err);
        readers.push((o) => {
          o.notify = text.value.trim();
          if (o.notify !== (item.notify || '')) delete o.notify_kind;
        });
      } else if (c.kind === 'pin') {
        input = h('input', { type: 'password', inputmode: 'numeric', autocomplete: 'new-password',
          pattern: '[0-9]{4,8}', size: 8, placeholder: item.pin_set ? t('cf.st.pin_set') : '' });
        readers.push((o) => { if (input.value) o.pin = input.value; });
      }
      return h('td', null, input);
    });
    const tr = h('tr', null, cells, h('td', null,
      h('button', { type: 'button', class: 'link danger', onclick: () => tr.remove() }, t('remove'))));
    // Fields the table does not show (sort order, ids) go back as they came.
    tr.read = () => {
      const o = { ...item };
      delete o.pin_set;
      readers.forEach((r) => r(o));
      return o;
    };
    return tr;
  }

  /* One host's notification target, set or cleared ("") on its own. */
  async function setNotify(item, target, err, button) {
    err.hidden = true;
    if (!item.id) {
      err.textContent = t('cf.h.notify_new');
      err.hidden = false;
      return;
    }
    const body = { id: item.id, notify: target };
    if (target && target === item.notify && item.notify_kind) body.notify_kind = item.notify_kind;
    button.disabled = true;
    try {
      const cfg = await api.post('config/host-notify', { branch: scope, ...body });
      ctx.flash(t(target ? 'cf.h.notify_saved' : 'cf.h.notify_cleared', item.name), 'ok');
      draw(cfg);
    } catch (e) {
      const text = e.code === 'invalid' ? t('err.f.notify') : ctx.errorText(e);
      err.textContent = text;
      err.hidden = false;
      ctx.flash(''); // said beside the host, once
      button.disabled = false;
    }
  }

  function settingsEditor(settings, inherited) {
    const rows = Object.entries(settings).map(([k, v]) => {
      const input = h('input', { type: 'text', value: typeof v === 'string' ? v : JSON.stringify(v), size: 24 });
      const btn = h('button', { type: 'button', onclick: () => save('settings', { key: k, value: input.value }, btn) }, t('cf.k.edit'));
      return h('tr', null, h('td', null, h('code', null, k)), h('td', null, input), h('td', null, btn));
    });
    const key = h('input', { type: 'text', size: 20, maxlength: 64, pattern: '[a-z0-9_]+' });
    const val = h('input', { type: 'text', size: 24 });
    const addBtn = h('button', { type: 'button', onclick: () => key.value && save('settings', { key: key.value, value: val.value }, addBtn) }, t('add'));
    return h('section', { class: 'card cfg', id: 'cf-settings' }, h('h2', null, t('cf.settings')),
      inherited ? h('p', { class: 'hint' }, t('cf.inherited')) : null,
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid edit' },
        h('thead', null, h('tr', null, h('th', null, t('cf.k.key')), h('th', null, t('cf.k.value')), h('th'))),
        h('tbody', null, rows, h('tr', null, h('td', null, key), h('td', null, val), h('td', null, addBtn))))));
  }

  await load();
}
