// errors.js - an API error (api.js ApiError) as a sentence in the user's
// language, chosen by the server's error code (hq/CONSOLE_API.md). A
// refusal that names its field ("field", and "limit" for a text too long)
// is said with the field's own label, never with the server's English,
// which is for logs.
import { t } from './i18n.js';

/* The label (an i18n key) of each field the server may name. */
const FIELD_LABEL = {
  // a complaint's step, note and officer
  severity: 'cd.step.sev_q',
  valid: 'cd.valid',
  department: 'cd.department',
  resolution: 'cd.resolution',
  satisfaction: 'cd.satisfaction',
  close_reason: 'cd.close_reason',
  stat_category: 'cd.stat_category',
  note: 'fld.note',
  text: 'fld.note',
  officer: 'cd.assignee',
};

/* Fields whose refusal has its own sentence (the rule is not the text's). */
const FIELD_SENTENCE = {
  officer: 'err.f.officer',
  stat_category: 'err.f.stat_category',
};

/* The sentence for a refusal naming a known field, else null. `page` may
 * add its own fields: labels (field -> the label as shown) and sentences
 * (field -> i18n key). */
function fieldText(code, body, page) {
  const f = body && typeof body.field === 'string' ? body.field : '';
  const own = (page && page.labels) || {};
  const label = Object.hasOwn(own, f) ? own[f] : FIELD_LABEL[f] ? t(FIELD_LABEL[f]) : null;
  if (!label) return null;
  if (code === 'invalid_transition') return t('err.f.needed', label);
  if (code !== 'invalid') return null;
  if (Number.isInteger(body.limit) && body.limit > 0) return t('err.f.too_long', label, body.limit);
  const sentences = (page && page.sentences) || {};
  if (Object.hasOwn(sentences, f)) return t(sentences[f], label);
  if (FIELD_SENTENCE[f]) return t(FIELD_SENTENCE[f]);
  return t('err.f.check', label);
}

/* The message for an ApiError (or anything thrown), in the user's language;
 * page: see fieldText. */
export function errorText(e, page) {
  const code = e && e.code;
  const msg = (e && e.message) || '';
  const byField = fieldText(code, e && e.body, page);
  if (byField) return byField;
  switch (code) {
    case 'network': return t('err.network');
    case 'cross_site': return t('err.cross_site');
    case 'forbidden': return t('err.forbidden');
    case 'not_found': return t('err.not_found');
    case 'invalid_transition': return t('err.invalid_transition');
    case 'invalid': return t('err.invalid', msg);
    case 'bad_request': return t('err.bad_request', msg);
    case 'exists': return t('err.exists');
    case 'busy': return t('err.busy');
    case 'internal': return t('err.internal');
    case 'too_large': return t('err.too_large');
    default: return t('err.other', msg || String(code || e));
  }
}
