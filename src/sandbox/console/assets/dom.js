// Small DOM and wording helpers shared by the workbook's pages (the sandbox console and the
// classroom board). Plain browser JavaScript, no build step. Values go in as text, never as HTML.

/** Fills `{name}` markers of a message. */
export function fmt(template, values = {}) {
  return template.replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m));
}

/** Picks `one` or `other` of a message pair for a count. */
export function plural(pair, n) {
  return fmt(n === 1 ? pair.one : pair.other, { n });
}

/** Creates an element: attributes (on* are listeners), then children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'className') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** `January 03, 2024, 15:04:05 (UTC+01)`, as the ECR console writes times (local time). */
export function formatTime(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  const month = d.toLocaleString('en-US', { month: 'long' });
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const hours = pad(Math.floor(Math.abs(offset) / 60));
  const minutes = Math.abs(offset) % 60;
  const zone = `UTC${sign}${hours}${minutes ? `:${pad(minutes)}` : ''}`;
  return `${month} ${pad(d.getDate())}, ${d.getFullYear()}, ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} (${zone})`;
}

export function timeEl(epochSeconds) {
  return h('time', { datetime: new Date(epochSeconds * 1000).toISOString() }, formatTime(epochSeconds));
}
