// reports.js - the day and month reports (frontdesk-hq report's figures):
// headline numbers, charts (branches compared, complaints by category,
// ratings, waiting by service), the branch comparison table, and downloads
// as CSV and XLSX (the XLSX holds the monthly complaint summary table,
// 月度客户投诉汇总记录表). A manager sees only their branches (the server
// decides). The charts module is loaded on demand.
import { h, mount, select, field } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { duration, num, pct, today, thisMonth } from '../fmt.js';
import { catLabel, SATISFACTION, satLabel } from '../words.js';

const state = { kind: 'day', day: '', month: '', branch: '' };

export async function reportsPage(ctx) {
  if (!state.day) { state.day = today(); state.month = thisMonth(); }
  let charts = [];
  const dispose = () => { charts.forEach((c) => c.dispose()); charts = []; };
  const onResize = () => charts.forEach((c) => c.resize());
  window.addEventListener('resize', onResize);
  ctx.onLeave(() => { dispose(); window.removeEventListener('resize', onResize); });

  let branches = ctx.user.role === 'manager' ? (ctx.user.branches || []) : [];
  if (ctx.user.role !== 'manager') {
    try { branches = (await api.get('fleet')).branches.map((b) => b.branch); } catch { /* all branches only */ }
  }
  const kind = select({ id: 'rp-kind' }, [['day', t('rp.kind.day')], ['month', t('rp.kind.month')]], state.kind);
  const period = h('input', { id: 'rp-period', required: true });
  const branch = select({ id: 'rp-branch' }, [['', t('all_branches')], ...branches.map((b) => [b, b])], state.branch);
  const setPeriodInput = () => {
    period.type = kind.value === 'day' ? 'date' : 'month';
    period.value = kind.value === 'day' ? state.day : state.month;
  };
  setPeriodInput();
  kind.addEventListener('change', () => { state.kind = kind.value; setPeriodInput(); load(); });
  const csv = h('a', { class: 'button', id: 'rp-csv', download: '' }, t('rp.csv'));
  const xlsx = h('a', { class: 'button', id: 'rp-xlsx', download: '' }, t('rp.xlsx'));
  const form = h('form', { class: 'filters', id: 'rp-form' }, field(t('rp.kind.day') + ' / ' + t('rp.kind.month'), kind),
    field(t('rp.period'), period), field(t('branch'), branch),
    h('button', { type: 'submit', class: 'primary' }, t('rp.show')), csv, xlsx);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  const body = h('div', { id: 'rp-body' });
  mount(ctx.main, h('div', { class: 'page-head' }, h('h1', null, t('rp.title'))), form, body);

  async function load() {
    state.kind = kind.value;
    state.branch = branch.value;
    if (state.kind === 'day') state.day = period.value; else state.month = period.value;
    const q = { kind: state.kind, period: period.value, branch: state.branch };
    csv.href = api.BASE + 'reports' + api.qs({ ...q, format: 'csv' });
    xlsx.href = api.BASE + 'reports' + api.qs({ ...q, format: 'xlsx' });
    dispose();
    mount(body, h('p', { class: 'muted' }, t('loading')));
    let rep, cmp = null;
    try {
      [rep, cmp] = await Promise.all([
        api.get('reports' + api.qs(q)),
        api.get('reports/compare' + api.qs({ kind: q.kind, period: q.period })).catch(() => null),
      ]);
    } catch (e) {
      mount(body, h('p', { class: 'empty' }, ctx.errorText(e, { labels: { period: t('rp.period') },
        sentences: { period: 'err.f.period' } })));
      return;
    }
    const rows = compareRows(rep, cmp, state.branch);
    const tot = rep.total || {};
    const tk = tot.tickets || {}, cp = tot.complaints || {}, rt = tot.ratings || {};
    const cards = h('div', { class: 'kpis', id: 'rp-kpis' },
      kpi(t('rp.tickets'), num(tk.issued)), kpi(t('rp.served'), num(tk.served)),
      kpi(t('rp.no_show_rate'), pct(tk.no_show_rate)),
      kpi(t('rp.avg_wait'), tk.wait_s ? duration(tk.wait_s.avg) : t('dash')),
      kpi(t('rp.visitors'), num(tot.visitors && tot.visitors.total)),
      kpi(t('rp.complaints'), num(cp.total), cp.by_severity && cp.by_severity.serious ? 'bad' : ''),
      kpi(t('rp.feedback24'), pct(cp.feedback_24h_share)),
      kpi(t('rp.score'), rt.score === null || rt.score === undefined ? t('dash') : num(rt.score)));
    const boxes = {
      compare: h('div', { class: 'chart', id: 'ch-compare' }),
      cat: h('div', { class: 'chart', id: 'ch-categories' }),
      rate: h('div', { class: 'chart', id: 'ch-ratings' }),
      wait: h('div', { class: 'chart', id: 'ch-wait' }),
    };
    mount(body, cards,
      h('div', { class: 'chart-grid' },
        h('section', { class: 'card' }, h('h2', null, t('rp.ch.compare')), boxes.compare),
        h('section', { class: 'card' }, h('h2', null, t('rp.ch.categories')), boxes.cat),
        h('section', { class: 'card' }, h('h2', null, t('rp.ch.ratings')), boxes.rate),
        h('section', { class: 'card' }, h('h2', null, t('rp.ch.wait')), boxes.wait)),
      h('section', { class: 'card' }, h('h2', null, t('rp.compare')), compareTable(rows)));

    const ch = await import('../charts.js');
    charts.push(ch.bars(boxes.compare, rows.map((r) => r.branch), [
      { name: t('rp.tickets'), data: rows.map((r) => r.tickets) },
      { name: t('rp.served'), data: rows.map((r) => r.served) },
      { name: t('rp.no_show'), data: rows.map((r) => r.no_show) },
      { name: t('rp.complaints'), data: rows.map((r) => r.complaints), color: '#d64545' }]));
    const byCat = cp.by_category || {};
    const parts = Object.entries(byCat).filter(([, v]) => v > 0).map(([k, v]) => ({ name: catLabel(k), value: v }));
    if (parts.length) charts.push(ch.ring(boxes.cat, parts));
    else mount(boxes.cat, h('p', { class: 'empty' }, t('rp.empty')));
    const dims = ['service', 'attitude', 'result'];
    const dimName = { service: t('rp.dim.service'), attitude: t('rp.dim.attitude'), result: t('rp.dim.result') };
    if (rt.total) {
      const levelColors = ['#3fa66b', '#2f6fb0', '#e0a030', '#d64545'];
      charts.push(ch.bars(boxes.rate, dims.map((d) => dimName[d]), SATISFACTION.map((lv, i) => ({
        name: satLabel(lv), color: levelColors[i], data: dims.map((d) => (rt[d] && rt[d][lv]) || 0),
      })), { stack: true, horizontal: true }));
    } else mount(boxes.rate, h('p', { class: 'empty' }, t('rp.empty')));
    const svcs = Object.entries(tot.services || {});
    if (svcs.length) {
      const mins = (s) => (s === null || s === undefined ? 0 : Math.round(s / 6) / 10);
      charts.push(ch.bars(boxes.wait, svcs.map(([code]) => code), [
        { name: t('rp.ch.avg'), data: svcs.map(([, s]) => mins(s.tickets && s.tickets.wait_s && s.tickets.wait_s.avg)) },
        { name: t('rp.ch.p90'), data: svcs.map(([, s]) => mins(s.tickets && s.tickets.wait_s && s.tickets.wait_s.p90)) }]));
    } else mount(boxes.wait, h('p', { class: 'empty' }, t('rp.empty')));
  }
  await load();
}

function kpi(label, value, cls) {
  return h('div', { class: 'kpi' + (cls ? ' ' + cls : '') }, h('span', { class: 'kpi-value' }, value),
    h('span', { class: 'kpi-label' }, label));
}

/* The comparison rows: the server's compare endpoint when it answered, else
 * the same figures taken from the report's branches. */
function compareRows(rep, cmp, only) {
  if (cmp && Array.isArray(cmp.branches)) {
    return cmp.branches.filter((b) => !only || b.branch === only);
  }
  return Object.entries(rep.branches || {}).map(([name, b]) => ({
    branch: name,
    tickets: b.tickets ? b.tickets.issued : 0,
    served: b.tickets ? b.tickets.served : 0,
    no_show: b.tickets ? b.tickets.no_show : 0,
    avg_wait_s: b.tickets && b.tickets.wait_s ? b.tickets.wait_s.avg : null,
    visitors: b.visitors ? b.visitors.total : 0,
    complaints: b.complaints ? b.complaints.total : 0,
    serious: b.complaints && b.complaints.by_severity ? b.complaints.by_severity.serious : 0,
    feedback_24h_rate: b.complaints ? b.complaints.feedback_24h_share : null,
    rating_score: b.ratings ? b.ratings.score : null,
  }));
}

function compareTable(rows) {
  if (!rows.length) return h('p', { class: 'empty' }, t('rp.empty'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'rp-compare' },
    h('thead', null, h('tr', null, ['rp.c.branch', 'rp.c.tickets', 'rp.c.served', 'rp.c.no_show', 'rp.c.avg_wait',
      'rp.c.visitors', 'rp.c.complaints', 'rp.c.serious', 'rp.c.fb', 'rp.c.score'].map((k, i) => h('th', { class: i ? 'num' : '' }, t(k))))),
    h('tbody', null, rows.map((r) => h('tr', null,
      h('td', null, r.branch),
      h('td', { class: 'num' }, num(r.tickets)), h('td', { class: 'num' }, num(r.served)),
      h('td', { class: 'num' }, num(r.no_show)),
      h('td', { class: 'num' }, r.avg_wait_s === null || r.avg_wait_s === undefined ? t('dash') : duration(r.avg_wait_s)),
      h('td', { class: 'num' }, num(r.visitors)), h('td', { class: 'num' }, num(r.complaints)),
      h('td', { class: r.serious ? 'num bad' : 'num' }, num(r.serious)),
      h('td', { class: 'num' }, pct(r.feedback_24h_rate)),
      h('td', { class: 'num' }, r.rating_score === null || r.rating_score === undefined ? t('dash') : num(r.rating_score)))))));
}

