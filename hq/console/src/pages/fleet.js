// fleet.js - every branch and kiosk: alarms first (offline over 15
// minutes, paper out, quarantined records), then the branches (kiosks
// online, today's tickets, waiting now, longest wait, quarantine), then each
// kiosk (online / last contact, version, printer, backlog, failed prints,
// disk). Administrators make enrolment tokens and revoke kiosks here.
// Reloads every 30 seconds.
import { h, mount, select, field } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { syncNow, ago, dateTime, duration, num, now } from '../fmt.js';

export async function fleetPage(ctx) {
  const alarms = h('section', { class: 'card alarms', id: 'fl-alarms' });
  const branches = h('section', { class: 'card' });
  const devices = h('section', { class: 'card' });
  const enrol = ctx.isAdmin ? h('section', { class: 'card', id: 'fl-enrol' }) : null;
  mount(ctx.main, h('div', { class: 'page-head' }, h('h1', null, t('fl.title')),
    h('span', { class: 'summary', id: 'fl-updated' }),
    h('div', { class: 'filters' }, h('button', { type: 'button', onclick: () => load() }, t('refresh')))),
  alarms, branches, devices, enrol);
  if (enrol) drawEnrol();

  async function load() {
    let d;
    try { d = await api.get('fleet'); } catch (e) { ctx.flash(ctx.errorText(e)); return; }
    syncNow(d.now);
    document.getElementById('fl-updated').textContent = t('updated_at', dateTime(now()));
    const al = d.alarms || [];
    mount(alarms, h('h2', null, t('fl.alarms'), ' ', h('span', { class: al.length ? 'count bad' : 'count' }, al.length)),
      al.length ? h('ul', { class: 'alarm-list' }, al.map((a) => h('li', { class: 'alarm ' + a.kind },
        h('b', null, a.branch), ' · ', h('code', null, shortId(a.device_id)), ' — ',
        a.kind === 'offline' ? t('fl.alarm.offline', ago(a.since))
          : a.kind === 'paper_out' ? t('fl.alarm.paper_out', dateTime(a.since))
            : a.kind === 'quarantine' ? t('fl.alarm.quarantine', num(a.count)) : String(a.kind))))
        : h('p', { class: 'muted' }, t('fl.no_alarms')));
    mount(branches, h('h2', null, t('fl.branches')), h('div', { class: 'table-wrap' },
      h('table', { class: 'grid', id: 'fl-branches' },
        h('thead', null, h('tr', null, ['fl.col.branch', 'fl.col.devices', 'fl.col.tickets', 'fl.col.waiting',
          'fl.col.longest', 'fl.col.quarantined'].map((k, i) => h('th', { class: i ? 'num' : '' }, t(k))))),
        h('tbody', null, (d.branches || []).map((b) => h('tr', null,
          h('td', null, b.branch),
          h('td', { class: b.online < b.devices ? 'num bad' : 'num' }, `${b.online} / ${b.devices}`),
          h('td', { class: 'num' }, num(b.tickets_today)),
          h('td', { class: 'num' }, num(b.waiting_now)),
          h('td', { class: 'num' }, b.longest_wait_s ? duration(b.longest_wait_s) : t('dash')),
          h('td', { class: b.quarantined ? 'num bad' : 'num' }, num(b.quarantined))))))));
    mount(devices, h('h2', null, t('fl.devices')), h('div', { class: 'table-wrap' },
      h('table', { class: 'grid compact', id: 'fl-devices' },
        h('thead', null, h('tr', null, ['fl.col.device', 'fl.col.branch', 'fl.col.status', 'fl.col.contact',
          'fl.col.version', 'fl.col.printer', 'fl.col.backlog', 'fl.col.failed', 'fl.col.tickets',
          'fl.col.waiting', 'fl.col.longest', 'fl.col.quarantined', 'fl.col.disk', 'fl.col.error']
          .map((k, i) => h('th', { class: i >= 6 && i <= 12 ? 'num' : '' }, t(k))).concat(ctx.isAdmin ? [h('th')] : []))),
        h('tbody', null, (d.devices || []).map(deviceRow)))));
  }

  function deviceRow(v) {
    const hl = v.health || {};
    const status = v.revoked ? h('span', { class: 'badge muted' }, t('fl.revoked'))
      : v.online ? h('span', { class: 'badge ok' }, t('fl.online'))
        : h('span', { class: 'badge bad' }, t('fl.offline'));
    return h('tr', { dataset: { device: v.device_id }, class: v.revoked ? 'revoked' : '' },
      h('td', null, h('code', { title: v.device_id }, shortId(v.device_id))),
      h('td', { class: 'nowrap' }, v.branch),
      h('td', null, status),
      h('td', { class: 'nowrap' }, ago(v.last_contact)),
      h('td', null, hl.app_version || t('dash')),
      h('td', null, printer(hl.printer)),
      h('td', { class: v.backlog > 100 ? 'num bad' : 'num' }, num(v.backlog)),
      h('td', { class: hl.print_failed ? 'num bad' : 'num' }, num(hl.print_failed ?? null)),
      h('td', { class: 'num' }, num(v.tickets_today)),
      h('td', { class: 'num' }, num(v.waiting_now)),
      h('td', { class: 'num' }, v.longest_wait_s ? duration(v.longest_wait_s) : t('dash')),
      h('td', { class: v.quarantined ? 'num bad' : 'num' }, num(v.quarantined)),
      h('td', { class: 'num' }, hl.disk_free_mb !== undefined ? t('u.mb', num(hl.disk_free_mb)) : t('dash')),
      h('td', { class: 'error-cell' }, hl.last_error || ''),
      ctx.isAdmin ? h('td', null, v.revoked ? null : h('button', {
        type: 'button', class: 'danger small', dataset: { revoke: v.device_id },
        onclick: () => revoke(v.device_id),
      }, t('fl.revoke'))) : null);
  }

  async function revoke(id) {
    if (!window.confirm(t('fl.revoke_q', id))) return;
    try {
      await api.post('devices/' + encodeURIComponent(id) + '/revoke');
      ctx.flash(t('fl.revoked_ok', shortId(id)), 'ok');
      load();
    } catch (e) { ctx.flash(ctx.errorText(e)); }
  }

  function drawEnrol() {
    const branch = h('input', { type: 'text', name: 'branch', required: true, maxlength: 64, id: 'enrol-branch' });
    const ttl = select({ name: 'ttl' }, [['3600', t('fl.enrol.ttl.1h')], ['86400', t('fl.enrol.ttl.1d')],
      ['604800', t('fl.enrol.ttl.7d')]], '86400');
    const out = h('div', { class: 'token-out', id: 'enrol-out', hidden: true });
    const form = h('form', { class: 'inline' }, field(t('fl.enrol.branch'), branch), field(t('fl.enrol.ttl'), ttl),
      h('button', { type: 'submit', class: 'primary' }, t('fl.enrol.btn')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await api.post('enrol-tokens', { branch: branch.value.trim(), ttl_s: Number(ttl.value) });
        mount(out, h('p', null, t('fl.enrol.token', dateTime(r.expires_at))),
          h('code', { class: 'token', id: 'enrol-token' }, r.token),
          h('p', null, t('fl.enrol.cmd')),
          h('code', { class: 'cmd' }, `frontdesk-ctl enroll --hq ${location.origin} --token ${r.token}`));
        out.hidden = false;
      } catch (e) { ctx.flash(ctx.errorText(e)); }
    });
    mount(enrol, h('h2', null, t('fl.enrol')), form, out);
  }

  await load();
  const timer = setInterval(load, 30000);
  ctx.onLeave(() => clearInterval(timer));
}

function printer(p) {
  if (!p || !p.known) return h('span', { class: 'muted' }, t('fl.pr.unknown'));
  if (p.paper_out) return h('span', { class: 'badge bad' }, t('fl.pr.paper_out'));
  if (p.cover_open) return h('span', { class: 'badge bad' }, t('fl.pr.cover_open'));
  if (!p.online) return h('span', { class: 'badge bad' }, t('fl.pr.offline'));
  if (p.paper_near_end) return h('span', { class: 'badge warn' }, t('fl.pr.near_end'));
  return h('span', { class: 'badge ok' }, t('fl.pr.ok'));
}

/* Device ids are long hex: the first 8 characters tell them apart on screen. */
function shortId(id) {
  const s = String(id ?? '');
  return s.length > 12 ? s.slice(0, 8) + '…' : s;
}
