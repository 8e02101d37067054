/**
 * `classroom report` as CSV and as text: the board's grid, who is stuck and the common
 * mistakes, from the same view the board draws (board.ts).
 */
import type { BoardView } from './board.js';

/**
 * One CSV field (RFC 4180), safe to open in a spreadsheet: a value a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe, and a
 * value with a comma, a quote or a line break is quoted.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: Array<string | number | boolean | null | undefined>) => fields.map(csvField).join(',');

/** The grid as CSV: one row per learner, one column per step (passed, failed, not-started), then where they are stuck. */
export function reportCsv(view: BoardView): string {
  const header = ['learner', 'joined', 'passed', ...view.steps.map((s) => s.id), 'stuck_step', 'stuck_diagnosis', 'stuck_since'];
  const rows = view.learners.map((l) => [l.name, l.joined, l.passed, ...view.steps.map((s) => l.cells[s.id]?.state ?? 'not-started'), l.stuck?.step, l.stuck?.diagnosis, l.stuck?.since]);
  return `${[header, ...rows].map(csvLine).join('\r\n')}\r\n`;
}

/** `12 s`, `4 min`, `1 h 05 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

const MARK = { passed: '✔', failed: '✘', 'not-started': '·' } as const;

/** The report as text for a terminal: a row per learner, then who is stuck and the common mistakes. */
export function reportText(view: BoardView): string {
  const lines: string[] = [];
  const where = view.room.target === 'aws' ? `AWS account ${view.room.accountId ?? '?'}, ${view.room.region ?? '?'}` : 'each learner on their own sandbox';
  lines.push(`Classroom ${view.room.code} (${where}): ${view.learners.length} learner${view.learners.length === 1 ? '' : 's'}, ${view.steps.length} steps.`);
  if (view.learners.length === 0) {
    lines.push(`Nobody has joined yet. Learners join with:\n  ${view.room.joinCommand}`);
    return lines.join('\n');
  }
  const width = Math.min(24, Math.max(...view.learners.map((l) => [...l.name].length), 7));
  const pad = (name: string) => {
    const chars = [...name];
    return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : name + ' '.repeat(width - chars.length);
  };
  lines.push('', `${pad('learner')}  ${view.steps.map((s) => String(s.lesson % 100).padStart(2, '0')).join(' ')}  passed`);
  for (const l of view.learners) {
    const cells = view.steps.map((s) => ` ${MARK[l.cells[s.id]?.state ?? 'not-started']}`).join(' ');
    lines.push(`${pad(l.name)}  ${cells}  ${l.passed}/${view.steps.length}${l.joined ? '' : '  (not joined)'}`);
  }
  lines.push('', `${MARK.passed} passed   ${MARK.failed} failing   ${MARK['not-started']} not started   (columns are lesson numbers)`);
  lines.push('', view.stuck.length ? 'Stuck longest:' : 'Nobody is stuck.');
  for (const s of view.stuck) lines.push(`  ${s.name}: ${s.step}${s.diagnosis ? ` (${s.diagnosis})` : ''} for ${formatDuration(s.seconds)}`);
  if (view.mistakes.length) {
    lines.push('', 'Most common mistakes now:');
    for (const m of view.mistakes) lines.push(`  ${m.diagnosis}: ${m.learners} learner${m.learners === 1 ? '' : 's'} (${m.steps.join(', ')})`);
  }
  return lines.join('\n');
}
