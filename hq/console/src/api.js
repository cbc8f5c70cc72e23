// api.js - talks to frontdesk-hq's /console/api/ (hq/CONSOLE_API.md).
// Every change is a POST carrying the session's X-CSRF-Token; the session
// itself is the HttpOnly cookie, which this code never sees. A 401 sends
// the user back to the login page (onUnauthenticated). Errors come back as
// ApiError with the server's code, which the pages translate.

export const BASE = '/console/api/';
let csrf = '';
let onUnauth = () => {};

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.body = body || {};
  }
}

/* Sets what happens when the session is gone (401 unauthenticated). */
export function onUnauthenticated(fn) { onUnauth = fn; }

/* Keeps the CSRF token of the session (from login or me). */
export function setCsrf(token) { csrf = token || ''; }

async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(BASE + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : {}; } catch { data = null; }
  if (!res.ok) {
    const code = (data && data.error) || 'http_' + res.status;
    const err = new ApiError(res.status, code, data && data.message, data);
    if (res.status === 401 && code === 'unauthenticated' && !path.startsWith('login')) onUnauth();
    throw err;
  }
  if (data === null) throw new ApiError(res.status, 'bad_answer', 'the answer was not JSON');
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body ?? {});

/* Query string from an object, leaving out empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}
