/**
 * `ecr-workbook drill …`: break-fix drills on the sandbox. list, start <name>, check (exit 0
 * solved, 1 not yet, 2 could not check), hint, give-up, status, env. With `--json`, stdout carries
 * only JSON: the result, or `{"ok":false,"error":…}`.
 */
import path from 'node:path';
import { loadDrillsFast } from '../../course/cache.js';
import { colorEnabled } from '../../course/render.js';
import { painter } from '../../runner/format.js';
import { startSpinner } from '../../util/spinner.js';
import { EXIT, ExitError } from '../errors.js';
import { session, type GlobalOptions } from './course.js';
import type { DrillRuntime } from '../../drills/run.js';
import * as messages from '../../drills/messages.js';

export interface DrillOptions extends GlobalOptions {
  unset?: boolean;
}

const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const json = (value: object) => out(JSON.stringify({ ok: true, ...value }));

/** Runs a drill command: DrillError is "could not" (exit 2); with --json every error is JSON on stdout. */
async function guarded(opts: DrillOptions, run: () => Promise<void>): Promise<void> {
  try {
    const { DrillError } = await import('../../drills/run.js');
    try {
      await run();
    } catch (error) {
      if (error instanceof DrillError) throw new ExitError(error.message, EXIT.unable);
      throw error;
    }
  } catch (error) {
    if (!opts.json) throw error;
    const message = error instanceof Error ? error.message : String(error);
    out(JSON.stringify({ ok: false, error: message }));
    process.exitCode = error instanceof ExitError ? error.exitCode : EXIT.unable;
  }
}

/**
 * Runs `act` with the learner's progress, the drills and the run module, behind a spinner while
 * the sandbox starts and the drill is set up; the spinner is gone before anything is printed.
 */
async function withRuntime<T>(opts: DrillOptions, act: (rt: DrillRuntime, run: typeof import('../../drills/run.js')) => Promise<T>): Promise<{ rt: DrillRuntime; value: T }> {
  const s = await session(opts);
  const quiet = opts.json || !process.stderr.isTTY;
  let spinner: ReturnType<typeof startSpinner> | undefined;
  const rt: DrillRuntime = {
    drills: await loadDrillsFast(),
    store: s.store,
    stateDir: path.dirname(s.store.file),
    env: opts.env ?? process.env,
    target: s.settings.target,
    port: s.settings.port,
    onProgress: (m) => {
      spinner ??= startSpinner('starting the ECR sandbox', { quiet });
      spinner.update(m);
    },
  };
  try {
    return { rt, value: await act(rt, await import('../../drills/run.js')) };
  } finally {
    spinner?.stop();
  }
}

async function terminal() {
  const { toTerminal } = await import('../../course/terminal.js');
  const color = colorEnabled();
  return { p: painter(color), toText: (markdown: string) => toTerminal(markdown, { color, width: Math.min(process.stdout.columns ?? 80, 100) }) };
}

/** `drill list`: every drill, its topic and how it stands. */
export function list(opts: DrillOptions): Promise<void> {
  return guarded(opts, async () => {
    const s = await session(opts);
    const drills = await loadDrillsFast();
    const { drillStatuses, drillsSolved, formatList } = await import('../../drills/format.js');
    if (opts.json) json({ drills: drillStatuses(drills, s.store.progress), ...drillsSolved(drills, s.store.progress) });
    else out(formatList(drills, s.store.progress, painter()));
  });
}

/** `drill start <name>`. */
export function start(name: string, opts: DrillOptions): Promise<void> {
  return guarded(opts, async () => {
    const { rt, value: started } = await withRuntime(opts, (r, run) => run.startDrill(r, name));
    if (opts.json) {
      const { drillEnvironment } = await import('../../drills/run.js');
      json({ ...started, env: drillEnvironment(rt) });
      return;
    }
    const { formatStart } = await import('../../drills/format.js');
    const { p, toText } = await terminal();
    out(formatStart(started, toText, p, started.notes));
  });
}

/** `drill check`: exit 0 solved, 1 not yet, 2 could not check. */
export function check(opts: DrillOptions): Promise<void> {
  return guarded(opts, async () => {
    const { rt, value: checked } = await withRuntime(opts, (r, run) => run.checkDrill(r));
    const { result, ...rest } = checked;
    process.exitCode = checked.solved ? EXIT.ok : result.status === 'fail' ? EXIT.failed : EXIT.unable;
    if (opts.json) {
      json({ ...rest, ...result });
      return;
    }
    const { formatCheck } = await import('../../drills/format.js');
    const { p, toText } = await terminal();
    const current = rt.store.progress.drills?.current;
    const total = rt.drills.drills.find((d) => d.id === checked.id)?.hints.length ?? 0;
    out(formatCheck(checked, (current?.hints ?? 0) < total, toText, p));
  });
}

/** `drill hint`: one more hint each time, gentle first. */
export function hint(opts: DrillOptions): Promise<void> {
  return guarded(opts, async () => {
    const { value: hints } = await withRuntime(opts, (r, run) => run.hintDrill(r));
    if (opts.json) json(hints);
    else out((await import('../../drills/format.js')).formatHints(hints.hints, hints.total, painter()));
  });
}

/** `drill give-up`: the fix and the post-mortem; the drill is cleaned up. */
export function giveUp(opts: DrillOptions): Promise<void> {
  return guarded(opts, async () => {
    const { value: given } = await withRuntime(opts, (r, run) => run.giveUpDrill(r));
    if (opts.json) {
      json(given);
      return;
    }
    const { formatGiveUp } = await import('../../drills/format.js');
    const { p, toText } = await terminal();
    out(formatGiveUp(given, toText, p));
  });
}

/** `drill status`: the drill in progress (its story and symptom again) and how many are solved. */
export function status(opts: DrillOptions): Promise<void> {
  return guarded(opts, async () => {
    const s = await session(opts);
    const drills = await loadDrillsFast();
    const { drillsSolved, drillStatuses, formatStart } = await import('../../drills/format.js');
    const progress = s.store.progress;
    const counts = drillsSolved(drills, progress);
    const current = progress.drills?.current;
    if (!current) {
      if (opts.json) json({ current: null, ...counts, drills: drillStatuses(drills, progress) });
      else out(messages.noDrillInProgress(counts.solved, counts.total));
      return;
    }
    const { rt, value: shown } = await withRuntime(opts, (r, run) => run.showDrill(r));
    if (opts.json) {
      const { drillEnvironment } = await import('../../drills/run.js');
      json({ current: { ...current, ...shown, env: drillEnvironment(rt) }, ...counts, drills: drillStatuses(drills, progress) });
      return;
    }
    const { p, toText } = await terminal();
    out(`${p.dim(messages.inProgressSince(current.startedAt, current.hints, current.checks, counts.solved, counts.total))}\n`);
    out(formatStart(shown, toText, p));
  });
}

/** `drill env [--unset]`: the exports of the drill's environment, or the unsets that leave it. */
export function env(opts: DrillOptions): Promise<void> {
  return guarded(opts, async () => {
    const { drillEnvironment, DRILL_ENV_SET } = await import('../../drills/run.js');
    const { shellQuote } = await import('../../util/shell.js');
    if (opts.unset) {
      if (opts.json) json({ unset: DRILL_ENV_SET });
      else out(`unset ${DRILL_ENV_SET.join(' ')}\n# Leave the drill's environment with: eval "$(ecr-workbook drill env --unset)"`);
      return;
    }
    const s = await session(opts);
    const vars = drillEnvironment({ store: s.store, stateDir: path.dirname(s.store.file) });
    if (opts.json) {
      json(vars);
      return;
    }
    const lines = [...Object.entries(vars.set).map(([k, v]) => `export ${k}=${shellQuote(v)}`), `unset ${vars.unset.join(' ')}`, '# Work in the drill\'s environment with: eval "$(ecr-workbook drill env)"'];
    out(lines.join('\n'));
  });
}
