// complaints.js - the landing page: open complaints, serious and overdue
// first, each with its reference and the 24-hour feedback deadline counting
// down (red when overdue). A row opens the complaint. The list reloads every
// 30 seconds; the countdowns tick every second.
import { h, mount, select } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { syncNow, dateTime } from '../fmt.js';
import { fmtRef, catLabel, stateBadge, severityBadge, paintDue, isOverdue, landingOrder } from '../words.js';

let lastFilter = { state: 'open', branch: '' };

export async function complaintsPage(ctx) {
  const head = h('div', { class: 'page-head' });
  const body = h('div', { class: 'table-wrap' }, h('p', { class: 'muted' }, t('loading')));
  mount(ctx.main, head, body);

  let branches = ctx.user.role === 'manager' ? (ctx.user.branches || []) : [];
  if (ctx.user.role !== 'manager') {
    try { branches = (await api.get('fleet')).branches.map((b) => b.branch); } catch { /* filter stays short */ }
  }
  const stateSel = select({ id: 'cl-state', onchange: () => { lastFilter.state = stateSel.value; load(); } },
    [['open', t('cl.filter.open')], ['all', t('cl.filter.all')], ['closed', t('cl.filter.closed')]], lastFilter.state);
  const branchSel = select({ id: 'cl-branch', onchange: () => { lastFilter.branch = branchSel.value; load(); } },
    [['', t('all_branches')], ...branches.map((b) => [b, b])], lastFilter.branch);
  const summary = h('span', { class: 'summary', id: 'cl-summary' });
  mount(head, h('h1', null, t('cl.title')), summary,
    h('div', { class: 'filters' }, stateSel, branchSel,
      h('button', { type: 'button', onclick: () => load() }, t('refresh'))));

  let rows = []; // [el, complaint] for the ticking countdowns
  async function load() {
    let data;
    try {
      data = await api.get('complaints' + api.qs({ state: lastFilter.state, branch: lastFilter.branch }));
    } catch (e) { ctx.flash(ctx.errorText(e)); return; }
    syncNow(data.now);
    const list = landingOrder(data.complaints || []);
    const serious = list.filter((c) => c.severity === 'serious' && c.state !== 'closed').length;
    const overdue = list.filter(isOverdue).length;
    mount(summary, t('cl.count', list.length), ' · ',
      h('span', { class: serious ? 'tag serious' : 'tag' }, t('cl.serious_n', serious)), ' ',
      h('span', { class: overdue ? 'tag overdue' : 'tag' }, t('cl.overdue_n', overdue)));
    rows = [];
    if (!list.length) { mount(body, h('p', { class: 'empty' }, t('cl.empty'))); return; }
    const tbody = h('tbody');
    for (const c of list) {
      const due = h('span');
      paintDue(due, c);
      rows.push([due, c]);
      const open = () => ctx.go('#/complaints/' + encodeURIComponent(c.id));
      tbody.appendChild(h('tr', {
        class: 'clickable' + (c.severity === 'serious' ? ' row-serious' : '') + (isOverdue(c) ? ' row-overdue' : ''),
        tabindex: 0, dataset: { id: c.id, ref: c.ref }, onclick: open,
        onkeydown: (e) => { if (e.key === 'Enter') open(); },
      },
      h('td', null, h('a', { href: '#/complaints/' + encodeURIComponent(c.id), class: 'ref' }, fmtRef(c.ref))),
      h('td', null, c.branch),
      h('td', null, catLabel(c.category)),
      h('td', null, stateBadge(c.state)),
      h('td', null, severityBadge(c.severity)),
      h('td', null, c.assignee || h('span', { class: 'muted' }, t('cl.unassigned'))),
      h('td', { class: 'nowrap' }, dateTime(c.received_at)),
      h('td', { class: 'nowrap' }, due)));
    }
    mount(body, h('table', { class: 'grid', id: 'complaints' },
      h('thead', null, h('tr', null,
        ['cl.col.ref', 'cl.col.branch', 'cl.col.category', 'cl.col.state', 'cl.col.severity',
          'cl.col.assignee', 'cl.col.received', 'cl.col.deadline'].map((k) => h('th', null, t(k))))),
      tbody));
  }

  await load();
  const tick = setInterval(() => { for (const [el, c] of rows) paintDue(el, c); }, 1000);
  const reload = setInterval(load, 30000);
  ctx.onLeave(() => { clearInterval(tick); clearInterval(reload); });
}
