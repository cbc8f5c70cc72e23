// words.js - the complaint words shared by the list and the detail page:
// state, severity and category labels, badges, and the 24-hour feedback
// deadline cell that counts down (red when overdue).
import { h } from './dom.js';
import { t, has } from './i18n.js';
import { now, countdown, duration } from './fmt.js';

export const STATES = ['received', 'assessed', 'investigating', 'proposed', 'resolved', 'followed_up', 'closed'];
export const CATEGORIES = ['service', 'attitude', 'waiting', 'environment', 'fees', 'privacy', 'other'];
export const SATISFACTION = ['excellent', 'good', 'fair', 'poor'];

/* A 13-digit reference as the kiosk prints it on the receipt the customer
 * holds: "YYMMDD-TTT-SSS-C"; anything else as it came. */
export function fmtRef(ref) {
  const r = String(ref ?? '');
  return /^\d{13}$/.test(r) ? `${r.slice(0, 6)}-${r.slice(6, 9)}-${r.slice(9, 12)}-${r.slice(12)}` : r;
}

/* A state slug in words; an unknown slug shows as it came (as text). */
export const stateLabel = (s) => (has('state.' + s) ? t('state.' + s) : String(s ?? ''));
export const catLabel = (c) => (has('cat.' + c) ? t('cat.' + c) : String(c ?? ''));
export const satLabel = (s) => (has('sat.' + s) ? t('sat.' + s) : String(s ?? ''));

export function stateBadge(s) {
  return h('span', { class: 'badge state-' + String(s).replace(/[^a-z_]/g, '') }, stateLabel(s));
}

export function severityBadge(sev) {
  if (sev === 'serious') return h('span', { class: 'badge serious' }, t('sev.serious'));
  if (sev === 'ordinary') return h('span', { class: 'badge ordinary' }, t('sev.ordinary'));
  return h('span', { class: 'badge muted' }, t('sev.unassessed'));
}

/* Is the complaint overdue now: no first answer from head office and the
 * deadline passed (the server's rule; recomputed so a countdown that runs
 * out turns red without a reload). */
export function isOverdue(c) {
  if (c.state === 'closed' || c.first_response_at) return false;
  return !!c.overdue || (c.feedback_due && now() > c.feedback_due);
}

/* Fills `el` with the deadline's state: time left, overdue by, answered. */
export function paintDue(el, c) {
  if (c.state === 'closed') { el.className = 'due done'; el.textContent = t('due.closed'); return; }
  if (c.first_response_at) {
    const late = c.feedback_due && c.first_response_at > c.feedback_due;
    el.className = late ? 'due late' : 'due done';
    el.textContent = t(late ? 'due.late' : 'due.answered');
    return;
  }
  const left = (c.feedback_due || 0) - now();
  if (left >= 0 && !c.overdue) {
    el.className = 'due' + (left < 4 * 3600 ? ' soon' : '');
    el.textContent = t('due.left', countdown(left));
  } else {
    el.className = 'due overdue';
    el.textContent = t('due.over', duration(-left));
  }
}

/* Orders the list as the landing page shows it: serious first, then
 * overdue, then by deadline (the server sends it so; kept here too so a
 * deadline that passes while the page is open moves up at the refresh). */
export function landingOrder(list) {
  const key = (c) => [c.severity === 'serious' ? 0 : 1, isOverdue(c) ? 0 : 1, c.feedback_due || 0];
  return [...list].sort((a, b) => {
    const x = key(a), y = key(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
}
