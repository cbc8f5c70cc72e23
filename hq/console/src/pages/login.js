// login.js - the sign-in page: one text field, one password field. Wrong
// name or password get one and the same answer; a locked account says for
// how long (the server's retry_after). On success the shell takes over.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { errorText } from '../errors.js';

export function loginPage({ onLogin, notice, toggleLang }) {
  const name = h('input', { id: 'login-name', name: 'username', type: 'text', autocomplete: 'username',
    required: true, maxlength: 64, autofocus: true });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true, maxlength: 128 });
  const msg = h('p', { id: 'login-error', class: 'login-error', role: 'alert', hidden: !notice }, notice || '');
  const btn = h('button', { type: 'submit', id: 'login-submit', class: 'primary' }, t('login.submit'));

  async function submit(ev) {
    ev.preventDefault();
    msg.hidden = true;
    btn.disabled = true;
    btn.textContent = t('login.busy');
    try {
      const answer = await api.post('login', { name: name.value.trim(), password: pass.value });
      pass.value = '';
      await onLogin(answer);
    } catch (e) {
      pass.value = '';
      if (e.code === 'bad_credentials') msg.textContent = t('login.bad');
      else if (e.code === 'locked') msg.textContent = t('login.locked', Math.max(1, Math.ceil((e.body.retry_after || 900) / 60)));
      else msg.textContent = errorText(e);
      msg.hidden = false;
      btn.disabled = false;
      btn.textContent = t('login.submit');
      pass.focus();
    }
  }

  return h('div', { class: 'login-wrap' },
    h('form', { class: 'login', id: 'login-form', onsubmit: submit, autocomplete: 'on' },
      h('div', { class: 'login-head' },
        h('h1', null, t('login.title')),
        h('button', { type: 'button', class: 'link', id: 'lang', onclick: toggleLang }, t('lang.switch'))),
      h('label', { class: 'field' }, h('span', null, t('login.name')), name),
      h('label', { class: 'field' }, h('span', null, t('login.password')), pass),
      msg,
      btn,
      h('p', { class: 'hint' }, t('login.hint'))));
}
