// The classroom board's page script: draws the room (join command, who is stuck, the common
// mistakes, the grid of learners × steps, one learner's details) from the server-sent events of
// /api/events, and reads a learner's details from /api/learners/<name>. Plain browser JavaScript
// (no build step, works offline). Every word comes from the page's data block (messages.ts);
// every value goes in as text, never as HTML.

import { fmt, h, plural, timeEl } from './dom.js';

const T = JSON.parse(document.getElementById('board-data').textContent).text;
const main = document.getElementById('main');
const connection = document.getElementById('connection');

/** The latest board from the server, the learner whose details are open, and those details. */
let view = null;
let selected = null;
let detail = null;

const MARKS = { passed: '✔', failed: '✘', 'not-started': '·' };
const STATE_TEXT = { passed: T.passed, failed: T.failed, 'not-started': T.notStarted };

function duration(seconds) {
  if (seconds < 60) return fmt(T.seconds, { n: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return fmt(T.minutes, { n: minutes });
  return fmt(T.hours, { h: Math.floor(minutes / 60), m: String(minutes % 60).padStart(2, '0') });
}

const timeOf = (iso) => timeEl(Date.parse(iso) / 1000);

function setConnection(state) {
  connection.dataset.state = state;
  connection.textContent = state === 'live' ? T.live : T.reconnecting;
}

function section(heading, ...body) {
  const id = `h-${heading.replace(/\W+/g, '-').toLowerCase()}`;
  return h('section', { className: 'container board-section', 'aria-labelledby': id }, h('div', { className: 'container-header' }, h('h2', { id }, heading)), ...body);
}

function table(className, headers, rows, empty) {
  return h(
    'div',
    { className: 'table-wrap' },
    h(
      'table',
      { className: `table ${className}` },
      h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { className: 'empty', colspan: headers.length }, empty))),
    ),
  );
}

function joinSection() {
  const count = plural(T.learnersCount, view.learners.filter((l) => l.joined).length);
  return section(T.joinHeading, h('div', { className: 'join-command' }, h('pre', { id: 'join-command' }, view.room.joinCommand), h('p', { className: 'summary', id: 'summary' }, count)));
}

/** The board lists this many stuck learners, longest first; the grid shows the rest. */
const STUCK_SHOWN = 10;

function stuckSection() {
  const rows = view.stuck.slice(0, STUCK_SHOWN).map((s) =>
    h('tr', { 'data-learner': s.name }, h('td', {}, learnerButton(s.name)), h('td', {}, s.step), h('td', {}, h('code', {}, s.diagnosis ?? T.noDiagnosis)), h('td', {}, duration(s.seconds))),
  );
  const more = view.stuck.length - rows.length;
  return h(
    'div',
    { id: 'stuck' },
    section(T.stuckHeading, table('stuck-table', [T.learnerColumn, T.stepColumn, T.diagnosisColumn, T.forColumn], rows, T.nobodyStuck), more > 0 ? h('p', { className: 'detail-facts', id: 'more-stuck' }, plural(T.moreStuck, more)) : null),
  );
}

function mistakesSection() {
  const rows = view.mistakes.map((m) =>
    h('tr', { 'data-diagnosis': m.diagnosis }, h('td', {}, h('code', {}, m.diagnosis)), h('td', { title: m.names.join(', ') }, String(m.learners)), h('td', {}, m.steps.join(', '))),
  );
  return h('div', { id: 'mistakes' }, section(T.mistakesHeading, table('mistakes-table', [T.diagnosisColumn, T.learnersColumn, T.stepsColumn], rows, T.noMistakes)));
}

function learnerButton(name) {
  return h('button', { type: 'button', className: 'learner-button', 'data-name': name, onclick: () => select(name) }, name);
}

function cell(step, c) {
  const label = c.state === 'failed' && c.diagnosis ? `${STATE_TEXT[c.state]}: ${c.diagnosis}` : STATE_TEXT[c.state];
  return h(
    'td',
    { className: `cell cell-${c.state}`, 'data-step': step.id, 'data-state': c.state, title: `${step.id}: ${label}${c.attempts ? ` (${plural(T.attempts, c.attempts)})` : ''}` },
    h('span', { 'aria-hidden': 'true' }, MARKS[c.state]),
    h('span', { className: 'visually-hidden' }, label),
    c.attempts > 1 ? h('span', { className: 'attempts', 'aria-hidden': 'true' }, String(c.attempts)) : null,
  );
}

function ecrCell(name) {
  if (!view.ecr) return null;
  const repos = view.ecr.learners[name] ?? [];
  const owned = repos.filter((r) => r.ownership === 'tagged').length;
  return h('td', { className: 'ecr', 'data-repositories': String(repos.length) }, repos.length ? `${owned}/${repos.length}` : '–');
}

function gridSection() {
  const headers = [
    h('th', { scope: 'col', className: 'learner' }, T.learnerColumn),
    ...view.steps.map((s) => h('th', { scope: 'col', title: s.title }, String(s.lesson).padStart(2, '0'), h('span', { className: 'step-id' }, s.id))),
    h('th', { scope: 'col' }, T.passedColumn),
    view.ecr ? h('th', { scope: 'col', title: T.ecrColumnTitle }, T.ecrColumn) : null,
  ];
  const rows = view.learners.map((l) =>
    h(
      'tr',
      { 'data-learner': l.name, className: l.joined ? '' : 'row-not-joined' },
      h('th', { scope: 'row', className: 'learner' }, l.joined ? learnerButton(l.name) : `${l.name} (${T.notJoined})`),
      ...view.steps.map((s) => cell(s, l.cells[s.id] ?? { state: 'not-started', attempts: 0 })),
      h('td', { className: 'passed-count' }, `${l.passed}/${view.steps.length}`),
      ecrCell(l.name),
    ),
  );
  const legend = h('p', { className: 'legend' }, ...['passed', 'failed', 'not-started'].map((state) => h('span', {}, h('span', { className: `cell cell-${state}`, 'aria-hidden': 'true' }, MARKS[state]), STATE_TEXT[state])));
  const body = view.learners.length
    ? h('div', { className: 'table-wrap' }, h('table', { className: 'grid', id: 'grid' }, h('caption', { className: 'visually-hidden' }, T.gridCaption), h('thead', {}, h('tr', {}, headers)), h('tbody', {}, rows)))
    : h('p', { className: 'detail-facts' }, T.nobodyYet);
  const ecr = view.ecr
    ? h('p', { className: 'detail-facts', id: 'ecr-summary' }, view.ecr.error ? fmt(T.ecrError, { error: view.ecr.error }) : fmt(T.ecrSummary, { time: new Date(view.ecr.checkedAt).toLocaleTimeString(), repos: Object.values(view.ecr.learners).flat().filter((r) => r.ownership === 'tagged').length, cost: view.ecr.monthlyCost }))
    : null;
  return section(T.gridHeading, ecr, body, legend);
}

function ecrItem(r) {
  const why = r.ownership === 'tagged' ? T.ecrOwned : r.ownership === 'other-learner' ? T.ecrOtherLearner : T.ecrNotOwned;
  return h('li', { className: r.ownership === 'tagged' ? 'ecr-owned' : 'ecr-kept', 'data-repository': r.name }, h('code', {}, r.name), ` ${plural(T.ecrImages, r.images)}, ${r.size}: ${why}`);
}

function detailSection() {
  if (!selected) return null;
  const d = detail && detail.name === selected ? detail : null;
  const history = d
    ? d.history.map((r) => h('tr', {}, h('td', {}, timeOf(r.at)), h('td', {}, r.step), h('td', { 'data-status': r.status }, r.status), h('td', {}, r.diagnosis ? h('code', {}, r.diagnosis) : '')))
    : [];
  const facts = d?.joinedAt ? h('p', { className: 'detail-facts' }, fmt(T.joinedAt, { time: new Date(d.joinedAt).toLocaleTimeString() }), d.lastSeen ? `, ${fmt(T.lastSeen, { time: new Date(d.lastSeen).toLocaleTimeString() })}` : '') : null;
  const ecr = d?.ecr
    ? [h('h3', { className: 'detail-facts' }, fmt(T.ecrHeading, { prefix: `${d.name}/` })), d.ecr.length ? h('ul', { className: 'ecr-list' }, d.ecr.map(ecrItem)) : h('p', { className: 'detail-facts' }, T.ecrNone)]
    : [];
  const header = h(
    'div',
    { className: 'container-header' },
    h('h2', { id: 'detail-heading' }, fmt(T.detailHeading, { name: selected })),
    h('button', { type: 'button', className: 'btn btn-link', id: 'close-detail', onclick: () => select(null) }, T.closeDetail),
  );
  return h('section', { className: 'container board-section', id: 'detail', 'aria-labelledby': 'detail-heading', 'data-learner': selected }, header, facts, ...ecr, h('h3', { className: 'detail-facts' }, T.historyHeading), table('history-table', [T.timeColumn, T.stepColumn, T.resultColumn, T.diagnosisColumn], history, T.noHistory));
}

function draw() {
  if (!view) return;
  document.getElementById('room-code').textContent = view.room.code;
  document.getElementById('room-kind').textContent = view.room.target === 'aws' ? fmt(T.awsRoom, { account: view.room.accountId, region: view.room.region }) : T.sandboxRoom;
  // Keep the keyboard where it was: the board redraws on every report.
  const focused = document.activeElement?.dataset?.name ?? (document.activeElement?.id === 'close-detail' ? '#close' : null);
  main.replaceChildren(joinSection(), h('div', { className: 'panels board-section' }, stuckSection(), mistakesSection()), detailSection() ?? '', gridSection());
  if (focused === '#close') document.getElementById('close-detail')?.focus();
  else if (focused) main.querySelector(`button[data-name="${CSS.escape(focused)}"]`)?.focus();
}

async function loadDetail() {
  if (!selected) return;
  const name = selected;
  try {
    const res = await fetch(`/api/learners/${encodeURIComponent(name)}`, { credentials: 'same-origin' });
    if (!res.ok) return;
    const body = await res.json();
    if (selected === name) {
      detail = body;
      draw();
    }
  } catch {
    /* the next board update tries again */
  }
}

function select(name) {
  selected = name;
  detail = null;
  draw();
  if (name) {
    void loadDetail();
    document.getElementById('detail')?.scrollIntoView({ block: 'nearest' });
  }
}

const events = new EventSource('/api/events');
events.addEventListener('board', (event) => {
  view = JSON.parse(event.data);
  setConnection('live');
  draw();
  void loadDetail();
});
events.addEventListener('open', () => setConnection('live'));
events.addEventListener('error', () => setConnection('reconnecting'));
