/**
 * The drills as terminal text, for the CLI and the menu alike: the story and the real symptom,
 * a check's verdict, hints, the fix and the post-mortem, the list and where things stand.
 */
import type { Progress } from '../progress/store.js';
import { formatResult, type Painter } from '../runner/format.js';
import * as messages from './messages.js';
import type { DrillCheck, RenderedDrill, Symptom } from './run.js';
import type { Drills } from './types.js';

/** Markdown to terminal text (marked-terminal is loaded only when a drill's text is shown). */
export type ToText = (markdown: string) => string;

/** What `drill list` shows per drill: new, in progress, solved or gave up. */
export type DrillStatus = 'new' | 'in-progress' | 'solved' | 'gave-up';

export function drillStatuses(drills: Drills, progress: Progress): Array<{ id: string; title: string; topic: string; status: DrillStatus }> {
  return drills.drills.map((d) => {
    const status: DrillStatus = progress.drills?.current?.id === d.id ? 'in-progress' : (progress.drills?.results?.[d.id]?.outcome ?? 'new');
    return { id: d.id, title: d.title, topic: d.topic, status };
  });
}

/** How many drills are solved, of how many. */
export function drillsSolved(drills: Drills, progress: Progress): { solved: number; total: number } {
  const ids = new Set(drills.drills.map((d) => d.id));
  const solved = Object.entries(progress.drills?.results ?? {}).filter(([id, r]) => ids.has(id) && r.outcome === 'solved').length;
  return { solved, total: ids.size };
}

const MARKS: Record<DrillStatus, (p: Painter) => string> = {
  new: () => ' ',
  'in-progress': (p) => p.yellow('▶'),
  solved: (p) => p.green('✔'),
  'gave-up': (p) => p.dim('~'),
};

export function formatList(drills: Drills, progress: Progress, p: Painter): string {
  const rows = drillStatuses(drills, progress).map((d) => `${MARKS[d.status](p)} ${d.id.padEnd(27)} ${p.dim(d.topic.padEnd(16))} ${d.title}`);
  const { solved, total } = drillsSolved(drills, progress);
  return [...rows, '', messages.listFooter(solved, total)].join('\n');
}

/** The failing command and its real output, indented as a terminal session. */
export function formatSymptom(symptom: Symptom, p: Painter): string {
  const lines = [`  $ ${symptom.command.split('\n').join('\n    ')}`, ...symptom.output.split('\n').map((l) => `  ${l}`), p.dim(`  (exit code ${symptom.code})`)];
  return lines.join('\n');
}

/** A drill as it starts (or as `drill status` shows it again): the story, the symptom, how to work on it. */
export function formatStart(drill: RenderedDrill, toText: ToText, p: Painter, notes: readonly string[] = []): string {
  return [
    ...notes.map((n) => p.yellow(n)),
    p.bold(`Drill: ${drill.title}`),
    toText(drill.story).trimEnd(),
    '',
    p.bold(messages.symptomHeading),
    formatSymptom(drill.symptom, p),
    '',
    messages.envIntro,
    `  ${messages.envLine}`,
    ...(drill.endpointUrl ? [messages.oldAwsCli(drill.endpointUrl)] : []),
    messages.whenFixed,
  ].join('\n');
}

/**
 * A check's verdict. Until every hint has been seen, a failing check shows what it found and the
 * diagnosis' id, not its explanation and fix: finding those is the drill.
 */
export function formatCheck(check: DrillCheck, hintsLeft: boolean, toText: ToText, p: Painter): string {
  const { result } = check;
  if (check.solved) {
    return [formatResult(check.title, result, p), '', p.green(messages.solved(check.title)), '', p.bold(messages.postMortemHeading), toText(check.postMortem ?? '').trimEnd(), '', messages.cleanedUp(check.cleanedUp ?? []), messages.leaveEnv].join('\n');
  }
  const shown = hintsLeft && result.status === 'fail' && result.diagnosis ? { ...result, diagnosis: undefined, more: undefined } : result;
  const lines = [formatResult(check.title, shown, p)];
  if (shown !== result) lines.push('', `  ${messages.diagnosisOnly(result.diagnosis!.id)}`);
  return lines.join('\n');
}

export function formatHints(hints: readonly string[], total: number, p: Painter): string {
  const lines = hints.map((h, i) => `  ${i === hints.length - 1 ? p.yellow(`Hint ${i + 1}:`) : p.dim(`Hint ${i + 1}:`)} ${h}`);
  return [...lines, '', hints.length < total ? messages.moreHints(hints.length, total) : messages.allHintsShown(total)].join('\n');
}

export function formatGiveUp(out: { title: string; fix: string[]; postMortem: string; cleanedUp: string[] }, toText: ToText, p: Painter): string {
  return [
    p.yellow(messages.gaveUp(out.title)),
    '',
    p.bold(messages.fixHeading),
    ...out.fix.map((c) => `  ${c}`),
    '',
    p.bold(messages.postMortemHeading),
    toText(out.postMortem).trimEnd(),
    '',
    messages.cleanedUp(out.cleanedUp),
    messages.leaveEnv,
  ].join('\n');
}
