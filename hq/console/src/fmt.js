// fmt.js - times, durations and counts in the user's language. Times from
// the server are Unix seconds; "now" follows the server's clock (the offset
// measured at each answer that carries "now"), so a countdown is right even
// when the officer's PC clock is not.
import { t, locale } from './i18n.js';

let skew = 0; // server seconds - local seconds

/* Records the server's "now" from an answer. */
export function syncNow(serverNow) {
  if (typeof serverNow === 'number' && serverNow > 0) skew = serverNow - Date.now() / 1000;
}

/* Unix seconds now, by the server's clock. */
export function now() { return Date.now() / 1000 + skew; }

/* "2026-11-23 18:04" in the user's locale, or "—". */
export function dateTime(s) {
  if (!s) return t('dash');
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(new Date(s * 1000));
}

/* A duration in seconds, short: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function duration(sec) {
  if (sec === null || sec === undefined || Number.isNaN(sec)) return t('dash');
  sec = Math.max(0, Math.round(sec));
  if (sec < 60) return t('u.s', sec);
  const m = Math.floor(sec / 60);
  if (m < 60) return t('u.min', m);
  const hrs = Math.floor(m / 60);
  if (hrs < 48) return m % 60 ? t('u.hm', hrs, m % 60) : t('u.h', hrs);
  return t('u.dh', Math.floor(hrs / 24), hrs % 24);
}

/* A countdown "hh:mm:ss" for under a day, else the short duration. */
export function countdown(sec) {
  sec = Math.max(0, Math.floor(sec));
  if (sec >= 86400) return duration(sec);
  const hh = String(Math.floor(sec / 3600)).padStart(2, '0');
  const mm = String(Math.floor(sec / 60) % 60).padStart(2, '0');
  const ss = String(sec % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}`;
}

/* "3 min ago" from a Unix time. */
export function ago(s) {
  if (!s) return t('fl.never');
  return t('fl.ago', duration(now() - s));
}

/* A number with grouping, or "—". */
export function num(n) {
  if (n === null || n === undefined) return t('dash');
  return new Intl.NumberFormat(locale()).format(n);
}

/* A share 0..1 as a percentage, or "—". */
export function pct(x) {
  if (x === null || x === undefined) return t('dash');
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(x);
}

/* Today as YYYY-MM-DD and this month as YYYY-MM, local time. */
export function today() {
  const d = new Date(now() * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
export function thisMonth() { return today().slice(0, 7); }
