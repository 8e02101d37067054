/** Terminal output for check results and progress, with colour only where wanted. */
import { colorEnabled } from '../course/render.js';
import { diagnosesOf, type CheckResult } from '../check/types.js';

export interface Painter {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

/** ANSI colours, or none at all (NO_COLOR, or not a terminal). */
export function painter(enabled: boolean = colorEnabled()): Painter {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}

/** A check result as the learner reads it: verdict, evidence, and on failure what to do. */
export function formatResult(stepTitle: string, result: CheckResult, p: Painter = painter()): string {
  const lines: string[] = [];
  if (result.status === 'pass') lines.push(`${p.green('✔ PASS')}  ${p.bold(stepTitle)}: ${result.summary}`);
  else if (result.status === 'fail') lines.push(`${p.red('✖ NOT YET')}  ${p.bold(stepTitle)}: ${result.summary}`);
  else lines.push(`${p.yellow('? COULD NOT CHECK')}  ${p.bold(stepTitle)}: ${result.summary}`);
  for (const e of result.evidence) lines.push(p.dim(`    ${e}`));
  // Every problem the check found, each with its fix: one run shows them all.
  diagnosesOf(result).forEach((d, i) => {
    lines.push('');
    lines.push(`  ${p.bold(i === 0 ? 'What went wrong:' : 'Also wrong:     ')} ${d.mistake}`);
    lines.push(`  ${p.bold('What to do:')}      ${d.fix}`);
    if (d.command) lines.push(`                   ${p.bold('$')} ${d.command}`);
  });
  return lines.join('\n');
}

/** `██████░░░░ 3/5` */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}`;
}
