/**
 * The menu's "Break-fix drills": pick a drill to start; with one in progress, check the fix, a
 * hint, the drill again, or give up. The same steps as the `drill` commands, in prompts.
 */
import type { Painter } from '../runner/format.js';
import { formatCheck, formatGiveUp, formatHints, formatStart, drillStatuses, drillsSolved, type ToText } from './format.js';
import * as messages from './messages.js';
import { checkDrill, DrillError, giveUpDrill, hintDrill, showDrill, startDrill, type DrillRuntime } from './run.js';

export interface DrillsTerminal {
  write(text: string): void;
  ask: <T>(question: Record<string, unknown>) => Promise<T>;
  p: Painter;
  toText: ToText;
}

const MARK = { new: ' ', 'in-progress': '▶', solved: '✔', 'gave-up': '~' } as const;

/** Runs the drills menu until the learner goes back (Ctrl-C propagates as the menu's own cancel). */
export async function drillsMenu(rt: DrillRuntime, t: DrillsTerminal): Promise<void> {
  for (;;) {
    // The learner's other shell may have checked, solved or given up the drill since (`drill check`).
    await reread(rt, t);
    const progress = rt.store.progress;
    const current = progress.drills?.current;
    const { solved, total } = drillsSolved(rt.drills, progress);
    let choice: string;
    if (current) {
      const hints = rt.drills.drills.find((d) => d.id === current.id)?.hints.length ?? 0;
      choice = await t.ask<string>({
        type: 'select',
        message: messages.menuInProgress(current.id, solved, total),
        choices: [
          { name: 'check', message: messages.menuCheck },
          { name: 'hint', message: messages.menuHint(current.hints + 1, hints) },
          { name: 'show', message: messages.menuShow },
          { name: 'give-up', message: messages.menuGiveUp },
          { name: 'back', message: messages.menuBack },
        ],
      });
    } else {
      choice = await t.ask<string>({
        type: 'select',
        message: messages.menuPick(solved, total),
        choices: [...drillStatuses(rt.drills, progress).map((d) => ({ name: `start:${d.id}`, message: `${MARK[d.status]} ${d.title} (${d.topic})` })), { name: 'back', message: messages.menuBack }],
      });
    }
    if (choice === 'back') return;
    if (current && (await endedElsewhere(rt, t, current.id))) continue;
    try {
      await act(rt, t, choice);
    } catch (error) {
      if (!(error instanceof DrillError)) throw error;
      t.write(t.p.red(error.message));
    }
  }
}

/** Reads the progress file again, saying so when it was corrupt (it was moved aside). */
async function reread(rt: DrillRuntime, t: DrillsTerminal): Promise<void> {
  const warning = await rt.store.reload();
  if (warning) t.write(t.p.yellow(warning));
}

/** Whether the drill the menu showed ended while the menu waited (in the other shell); says how it ended. */
async function endedElsewhere(rt: DrillRuntime, t: DrillsTerminal, id: string): Promise<boolean> {
  await reread(rt, t);
  const drills = rt.store.progress.drills;
  if (drills?.current?.id === id) return false;
  t.write(messages.endedElsewhere(id, drills?.results?.[id]?.outcome));
  return true;
}

async function act(rt: DrillRuntime, t: DrillsTerminal, choice: string): Promise<void> {
  if (choice.startsWith('start:')) {
    t.write(t.p.dim(messages.menuSettingUp));
    const started = await startDrill(rt, choice.slice('start:'.length));
    t.write(formatStart(started, t.toText, t.p, started.notes));
    t.write(t.p.dim(messages.menuOtherShell));
  } else if (choice === 'check') {
    const checked = await checkDrill(rt);
    const current = rt.store.progress.drills?.current;
    const total = rt.drills.drills.find((d) => d.id === checked.id)?.hints.length ?? 0;
    t.write(formatCheck(checked, (current?.hints ?? 0) < total, t.toText, t.p));
  } else if (choice === 'hint') {
    const hints = await hintDrill(rt);
    t.write(formatHints(hints.hints, hints.total, t.p));
  } else if (choice === 'show') {
    t.write(formatStart(await showDrill(rt), t.toText, t.p));
  } else if (choice === 'give-up') {
    const sure = await t.ask<boolean>({ type: 'confirm', message: messages.confirmGiveUp, initial: false });
    if (sure) t.write(formatGiveUp(await giveUpDrill(rt), t.toText, t.p));
  }
}
