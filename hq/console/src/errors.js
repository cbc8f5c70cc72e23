// errors.js - an API error (api.js ApiError) as a sentence in the user's
// language, chosen by the server's error code (hq/CONSOLE_API.md).
import { t } from './i18n.js';

/* The message for an ApiError (or anything thrown), in the user's language. */
export function errorText(e) {
  const code = e && e.code;
  const msg = (e && e.message) || '';
  switch (code) {
    case 'network': return t('err.network');
    case 'cross_site': return t('err.cross_site');
    case 'forbidden': return t('err.forbidden');
    case 'not_found': return t('err.not_found');
    case 'invalid_transition': return t('err.invalid_transition', msg);
    case 'invalid': return t('err.invalid', msg);
    case 'bad_request': return t('err.bad_request', msg);
    case 'exists': return t('err.exists');
    case 'busy': return t('err.busy');
    case 'internal': return t('err.internal');
    case 'too_large': return t('err.too_large');
    default: return t('err.other', msg || String(code || e));
  }
}

