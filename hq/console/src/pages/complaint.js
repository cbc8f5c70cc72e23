// complaint.js - one complaint: what the customer wrote (always as text),
// its facts, where it stands in the closed loop (受理 → 判断 → 调查 → 处理方案
// → 实施 → 回访 → 结案), the whole history, and a form for each step the
// server allows next (its "next" list): assess (valid, severity),
// department, resolution, carried out, follow-up satisfaction, close. Also
// assign to an officer and add notes. Every change answers with the
// complaint as it now is, which is drawn again.
import { h, mount, select, field } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { dateTime, syncNow } from '../fmt.js';
import {
  fmtRef, STATES, CATEGORIES, SATISFACTION, stateLabel, catLabel, satLabel,
  stateBadge, severityBadge, paintDue,
} from '../words.js';

export async function complaintPage(ctx, id) {
  mount(ctx.main, h('p', { class: 'muted' }, t('loading')));
  let officers = [];
  if (ctx.isAdmin) {
    try {
      officers = (await api.get('users')).users
        .filter((u) => !u.disabled && u.role !== 'manager').map((u) => u.name);
    } catch { /* a free text field is enough */ }
  }
  let data;
  try {
    data = await api.get('complaints/' + encodeURIComponent(id));
  } catch (e) {
    mount(ctx.main, backLink(), h('p', { class: 'empty', id: 'cd-error' }, ctx.errorText(e)));
    return;
  }
  let dueEl = null, current = null;
  // The most characters each text holds, as the server says (the kiosk's
  // own rules for what a branch receives): a field never takes more.
  let limits = {};
  const most = (k) => (Number.isInteger(limits[k]) && limits[k] > 0 ? limits[k] : undefined);
  draw(data);
  const tick = setInterval(() => { if (dueEl && current) paintDue(dueEl, current); }, 1000);
  ctx.onLeave(() => clearInterval(tick));

  async function act(path, body, form) {
    const buttons = form ? form.querySelectorAll('button') : [];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const answer = await api.post('complaints/' + encodeURIComponent(id) + '/' + path, body);
      draw(answer);
      ctx.flash(t('saved'), 'ok');
    } catch (e) {
      ctx.flash(ctx.errorText(e));
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function draw(d) {
    const c = d.complaint;
    current = c;
    limits = d.limits || {};
    syncNow(d.now);
    dueEl = h('span', { id: 'cd-due' });
    paintDue(dueEl, c);
    // At the follow-up the server keeps what the customer said in close_reason.
    const followup = c.followup || (c.state === 'followed_up' ? c.close_reason : '');
    const closeNote = c.state === 'followed_up' && !c.followup ? '' : c.close_reason;
    const facts = [
      [t('branch'), c.branch],
      [t('cd.device'), h('code', { title: c.device_id }, String(c.device_id ?? '').slice(0, 12))],
      [t('cl.col.category'), catLabel(c.category)],
      [t('cd.received'), dateTime(c.received_at)],
      [t('cd.deadline'), h('span', null, dateTime(c.feedback_due), ' ', dueEl)],
      [t('cd.valid'), c.valid === null || c.valid === undefined ? t('dash') : t('valid.' + !!c.valid)],
      [t('cl.col.severity'), severityBadge(c.severity)],
      [t('cd.assignee'), c.assignee || t('cl.unassigned')],
      [t('cd.department'), c.department || t('dash')],
      [t('cd.resolution'), c.resolution || t('dash')],
      [t('cd.satisfaction'), c.satisfaction ? satLabel(c.satisfaction) : t('dash')],
      [t('cd.followup'), followup || t('dash')],
      [t('cd.stat_category'), c.stat_category ? catLabel(c.stat_category) : t('dash')],
      [t('cd.close_reason'), closeNote || t('dash')],
    ];
    mount(ctx.main,
      backLink(),
      h('div', { class: 'page-head' },
        h('h1', null, t('cd.title', ''), h('span', { class: 'ref', id: 'cd-ref' }, fmtRef(c.ref))),
        h('span', { id: 'cd-state', dataset: { state: c.state } }, stateBadge(c.state)), ' ', severityBadge(c.severity)),
      stepper(c.state),
      h('div', { class: 'cols' },
        h('div', { class: 'col-main' },
          h('section', { class: 'card' },
            h('h2', null, t('cd.description')),
            // The customer's words, exactly as typed: a text node, never markup.
            h('p', { class: 'description', id: 'cd-description' }, c.description ?? '')),
          h('section', { class: 'card' }, h('h2', null, t('cd.next')), nextForms(c, d.next || [])),
          h('section', { class: 'card' }, h('h2', null, t('cd.history')), history(c, d.history || []))),
        h('div', { class: 'col-side' },
          h('section', { class: 'card' }, h('h2', null, t('cd.facts')),
            h('dl', { class: 'facts', id: 'cd-facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]))),
          h('section', { class: 'card' }, h('h2', null, t('cd.assign')), assignForm(c)),
          h('section', { class: 'card' }, h('h2', null, t('cd.notes')), noteForm()))));
  }

  function stepper(state) {
    const at = STATES.indexOf(state);
    return h('ol', { class: 'stepper', id: 'cd-stepper' }, STATES.map((s, i) =>
      h('li', { class: i < at ? 'done' : i === at ? 'current' : '' }, stateLabel(s))));
  }

  function history(c, events) {
    const items = [h('li', null, h('time', null, dateTime(c.received_at)), h('b', null, t('cd.h.filed')),
      h('span', { class: 'muted' }, c.branch))];
    for (const e of events) {
      const who = String(e.actor || '').replace(/^console:/, '');
      let what;
      if (e.kind === 'transition') what = t('cd.h.transition', stateLabel(e.from), stateLabel(e.to));
      else if (e.kind === 'assign') what = e.note ? t('cd.h.assign', e.note) : t('cd.h.unassign');
      else if (e.kind === 'note') what = t('cd.h.note');
      else what = String(e.kind || '');
      items.push(h('li', null, h('time', null, dateTime(e.at)), h('b', null, what),
        h('span', { class: 'muted' }, who),
        e.note && e.kind !== 'assign' ? h('p', { class: 'note' }, e.note) : null));
    }
    return h('ol', { class: 'history', id: 'cd-history' }, items);
  }

  function nextForms(c, next) {
    if (!next.length) return h('p', { class: 'muted' }, t('cd.no_next'));
    // The step forward first; going back (the customer declined) after it.
    const order = [...next].sort((a, b) => STATES.indexOf(b) - STATES.indexOf(a));
    return h('div', { class: 'next' }, order.map((to) => stepForm(c, to)));
  }

  /* One form for the step to `to`, with the fields the server needs. */
  function stepForm(c, to) {
    const note = h('input', { type: 'text', name: 'note', maxlength: most('note') });
    const fields = [];
    const get = {};
    const radios = (name, options, current) => h('div', { class: 'radios' }, options.map(([v, label]) =>
      h('label', null, h('input', { type: 'radio', name: name + '-' + to, value: v, required: true,
        checked: current !== undefined && String(current) === v }), label)));
    const radioValue = (form, name) => {
      const r = form.querySelector(`input[name="${name}-${to}"]:checked`);
      return r ? r.value : null;
    };
    let title = t('cd.to', stateLabel(to));
    if (to === 'assessed') {
      fields.push(field(t('cd.step.valid_q'), radios('valid', [['true', t('valid.true')], ['false', t('valid.false')]])));
      fields.push(field(t('cd.step.sev_q'), radios('severity', [['ordinary', t('sev.ordinary')], ['serious', t('sev.serious')]])));
      fields.push(h('p', { class: 'hint' }, t('cd.step.sev_hint')));
      get.valid = (f) => radioValue(f, 'valid') === 'true';
      get.severity = (f) => radioValue(f, 'severity');
    } else if (to === 'investigating') {
      if (c.state === 'proposed') title = t('cd.step.reinvestigate');
      const dep = h('input', { type: 'text', name: 'department', required: true, maxlength: most('department'), value: c.department || '' });
      fields.push(field(t('cd.step.department'), dep));
      get.department = () => dep.value.trim();
    } else if (to === 'proposed') {
      const res = h('textarea', { name: 'resolution', required: true, maxlength: most('resolution'), rows: 3 });
      fields.push(field(t('cd.step.resolution'), res));
      get.resolution = () => res.value.trim();
    } else if (to === 'resolved') {
      fields.push(h('p', { class: 'hint' }, t('cd.step.carried')));
    } else if (to === 'followed_up') {
      fields.push(field(t('cd.step.satisfaction'), radios('satisfaction', SATISFACTION.map((s) => [s, satLabel(s)]))));
      const fu = h('textarea', { name: 'followup', required: true, maxlength: most('close_reason'), rows: 3 });
      fields.push(field(t('cd.step.followup'), fu));
      get.satisfaction = (f) => radioValue(f, 'satisfaction');
      get.followup = () => fu.value.trim();
      // frontdesk-hq keeps what the customer said as the close_reason the
      // kiosk shows at the follow-up (hq_complaint.c); sent under both names.
      get.close_reason = () => fu.value.trim();
    } else if (to === 'closed') {
      const cat = select({ name: 'stat_category', required: true },
        CATEGORIES.map((k) => [k, catLabel(k)]), c.stat_category || c.category);
      const why = h('textarea', { name: 'close_reason', required: true, maxlength: most('close_reason'), rows: 2 });
      fields.push(field(t('cd.step.stat_category'), cat));
      fields.push(field(t('cd.step.close_reason'), why));
      get.stat_category = () => cat.value;
      get.close_reason = () => why.value.trim();
    }
    fields.push(field(t('cd.note_opt'), note));
    const form = h('form', { class: 'step', id: 'step-' + to, dataset: { to } },
      h('h3', null, title), fields,
      h('button', { type: 'submit', class: 'primary' }, t('cd.submit')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = { to };
      for (const [k, fn] of Object.entries(get)) body[k] = fn(form);
      if (note.value.trim()) body.note = note.value.trim();
      act('advance', body, form);
    });
    return form;
  }

  function assignForm(c) {
    const list = h('datalist', { id: 'officers' }, officers.map((n) => h('option', { value: n })));
    const who = h('input', { type: 'text', name: 'officer', list: 'officers', maxlength: 64,
      value: c.assignee || '', placeholder: t('cd.assign_to') });
    const form = h('form', { class: 'inline', id: 'assign-form' }, who, list,
      h('button', { type: 'submit' }, t('cd.assign_btn')),
      c.assignee ? h('button', { type: 'button', class: 'link', onclick: () => act('assign', { officer: null }, form) },
        t('cd.unassign_btn')) : null);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (who.value.trim()) act('assign', { officer: who.value.trim() }, form);
    });
    return form;
  }

  function noteForm() {
    const text = h('textarea', { name: 'text', rows: 3, maxlength: most('text'), required: true });
    const form = h('form', { class: 'stack', id: 'note-form' }, text,
      h('button', { type: 'submit' }, t('cd.note_btn')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (text.value.trim()) act('note', { text: text.value.trim() }, form);
    });
    return form;
  }
}

function backLink() {
  return h('a', { href: '#/complaints', class: 'back' }, t('cd.back'));
}
