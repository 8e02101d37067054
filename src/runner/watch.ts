/**
 * `ecr-workbook watch`: re-checks the current step every 2 s until it passes, then moves on.
 * One loop over events (a tick or a key), as rustlings' watch mode: h hint, s skip, q quit.
 */
import type { ResolvedTarget } from '../targets/index.js';
import { checkStep, currentStep, lessonOf, renderContext, type Session } from './session.js';
import { formatResult, painter } from './format.js';
import { renderStep } from '../course/render.js';

export interface WatchOptions {
  intervalMs?: number;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

type WatchEvent = { type: 'tick' } | { type: 'key'; key: string };

/** Runs until the course is done or the learner quits; resolves with why it stopped (Ctrl-C: interrupted). */
export async function watch(session: Session, resolved: ResolvedTarget, options: WatchOptions = {}): Promise<'done' | 'quit' | 'interrupted'> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const write = (s: string) => output.write(`${s}\n`);
  const p = painter();
  const interval = options.intervalMs ?? 2000;
  const ctx = await renderContext(session, resolved, options.env);
  const keys: string[] = [];
  let wake: (() => void) | undefined;
  const onData = (data: Buffer) => {
    for (const ch of data.toString('utf8')) {
      // Raw mode turns Ctrl-C into a byte instead of SIGINT: honour it as the interrupt it is.
      keys.push(ch === '\u0003' ? 'interrupt' : ch.toLowerCase());
    }
    wake?.();
  };
  const interactive = !!input.isTTY && typeof input.setRawMode === 'function';
  if (interactive) {
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  }
  const next = (): Promise<WatchEvent> =>
    new Promise((resolve) => {
      if (keys.length) return resolve({ type: 'key', key: keys.shift()! });
      const timer = setTimeout(() => {
        wake = undefined;
        resolve({ type: 'tick' });
      }, interval);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve({ type: 'key', key: keys.shift()! });
      };
    });

  try {
    let shownStep: string | undefined;
    let lastSummary: string | undefined;
    let hintLevel = 0;
    for (;;) {
      const step = currentStep(session);
      if (!step) {
        write(p.green('\nEvery step is done. Well done! (`ecr-workbook status --verify` re-checks them all.)'));
        return 'done';
      }
      const rendered = renderStep(step, ctx);
      if (shownStep !== step.id) {
        shownStep = step.id;
        lastSummary = undefined;
        hintLevel = 0;
        write(`\n${p.bold(`Lesson ${lessonOf(session, step).number}: ${rendered.title}`)}`);
        write(p.dim(interactive ? '  watching: checks every 2 s.  h hint · s skip · q quit' : '  watching: checks every 2 s (Ctrl-C to stop)'));
      }
      const result = await checkStep(session, resolved, step, options.env);
      if (result.status === 'pass') {
        write(formatResult(rendered.title, result, p));
        continue;
      }
      if (result.summary !== lastSummary) {
        lastSummary = result.summary;
        write(formatResult(rendered.title, result, p));
      }
      const event = await next();
      if (event.type === 'key') {
        if (event.key === 'q') return 'quit';
        if (event.key === 'interrupt') return 'interrupted';
        if (event.key === 'h') {
          const h = rendered.hints[Math.min(hintLevel, rendered.hints.length - 1)]!;
          write(`  ${p.yellow(`Hint ${Math.min(hintLevel + 1, rendered.hints.length)}/${rendered.hints.length}:`)} ${h}`);
          hintLevel++;
        } else if (event.key === 's') {
          await session.store.markSkipped(step.id);
          write(p.yellow(`  Skipped '${step.id}' (recorded as skipped, not passed).`));
        }
      }
    }
  } finally {
    if (interactive) {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    }
  }
}
