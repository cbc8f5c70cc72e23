// dom.js - the one way pages make elements. h(tag, attrs, ...children):
// a string or number child becomes a text node (never parsed as markup), so
// text that came from a branch (a complaint's description, a visitor's
// name, a device id) can never inject HTML or script. attrs: "class",
// "on<event>" (a listener, never an inline handler: the CSP forbids those),
// "dataset" (an object), boolean properties (checked, disabled, selected),
// and anything else as an attribute. Nothing here uses innerHTML.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'value' || k === 'required')
        el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/* Replaces everything inside el with children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/* A <select> of [value, label] pairs with `current` selected. */
export function select(attrs, options, current) {
  return h('select', attrs, options.map(([v, label]) =>
    h('option', { value: v, selected: String(v) === String(current ?? '') }, label)));
}

/* A labelled form field: <label>text<control></label>. */
export function field(label, control, extra) {
  return h('label', { class: 'field' + (extra ? ' ' + extra : '') }, h('span', null, label), control);
}
