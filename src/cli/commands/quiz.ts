/**
 * `ecr-workbook quiz`: interview practice from the question bank. A spaced-review session (due
 * questions first, then new ones), `--review` (due only), `--topic`, a timed mock interview
 * (`--exam [N] --minutes M`), and `--export anki`. With `--json`, stdout carries only JSON
 * (the result, or `{"ok":false,"error":…}`) and the questions are asked on stderr.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadBankFast } from '../../course/cache.js';
import { colorEnabled } from '../../course/render.js';
import { painter } from '../../runner/format.js';
import { EXIT, ExitError } from '../errors.js';
import { session, type GlobalOptions } from './course.js';

export interface QuizOptions extends GlobalOptions {
  topic?: string;
  review?: boolean;
  limit?: string;
  exam?: boolean | string;
  minutes?: string;
  export?: string;
  out?: string;
  seed?: string;
}

const NEEDS_TERMINAL =
  'The quiz asks its questions in a terminal, and there is none here. Without one:\n' +
  '  ecr-workbook status                 what is due, and mastery per topic\n' +
  '  ecr-workbook quiz --export anki     the question bank as a file Anki imports';

/** Exit code of an abandoned mock interview (Ctrl-C), as a shell reports SIGINT. */
const ABANDONED = 130;

function positive(name: string, value: string | undefined, whole: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) {
    throw new ExitError(`${name} must be a positive ${whole ? 'whole number' : 'number'}, not '${value}'.`, EXIT.unable);
  }
  return n;
}

/** `quiz`: JSON errors on stdout with --json, ExitError otherwise. */
export async function quiz(opts: QuizOptions): Promise<void> {
  try {
    await runQuiz(opts);
  } catch (error) {
    if (!opts.json) throw error;
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
    process.exitCode = error instanceof ExitError ? error.exitCode : EXIT.unable;
  }
}

async function runQuiz(opts: QuizOptions): Promise<void> {
  const limit = positive('--limit', opts.limit, true);
  const examCount = opts.exam === undefined || opts.exam === false ? undefined : opts.exam === true ? true : positive('--exam', opts.exam, true);
  const minutes = positive('--minutes', opts.minutes, false);
  const seed = opts.seed === undefined ? undefined : Number(opts.seed);
  if (opts.export !== undefined && opts.export !== 'anki') throw new ExitError(`--export knows one format, anki, not '${opts.export}'.`, EXIT.unable);
  if (opts.export && (examCount || opts.review)) throw new ExitError('--export writes the bank to a file; it does not go with --exam or --review.', EXIT.unable);
  if (examCount && opts.review) throw new ExitError('--review and --exam do not go together: a mock interview mixes every topic, due or not.', EXIT.unable);
  if (minutes !== undefined && !examCount) throw new ExitError('--minutes sets the time of a mock interview: use it with --exam.', EXIT.unable);
  if (opts.out !== undefined && !opts.export) throw new ExitError('--out names the file --export writes: use it with --export anki.', EXIT.unable);

  const s = await session(opts);
  const bank = await loadBankFast();
  const { topicsFor, practise, mockInterview, formatExamReport } = await import('../../quiz/run.js');
  const ctx = { bank, course: s.course, store: s.store };
  let topics;
  try {
    topics = topicsFor(ctx, opts.topic);
  } catch (error) {
    throw new ExitError((error as Error).message, EXIT.unable);
  }

  if (opts.export) {
    const { ankiExport } = await import('../../quiz/anki.js');
    const file = path.resolve(opts.out ?? 'ecr-workbook-anki.txt');
    const notes = topics.flatMap((t) => t.questions);
    try {
      fs.writeFileSync(file, ankiExport(notes, s.course.lessons));
    } catch (error) {
      throw new ExitError(`Could not write ${file}: ${(error as Error).message}. Choose another file with --out.`, EXIT.unable);
    }
    if (opts.json) process.stdout.write(`${JSON.stringify({ ok: true, format: 'anki', file, notes: notes.length })}\n`);
    else process.stdout.write(`Wrote ${notes.length} notes to ${file}.\nIn Anki: File → Import, and pick that file. Its headers choose tab separation, HTML, the Basic note type, tags per topic and kind, and a GUID per question, so importing a newer export updates your notes instead of duplicating them.\n`);
    return;
  }

  // With --json the questions go to stderr, so stdout carries nothing but the JSON result.
  const stream = opts.json ? process.stderr : process.stdout;
  if (!process.stdin.isTTY || !stream.isTTY) throw new ExitError(NEEDS_TERMINAL, EXIT.unable);
  const t = { stream, p: painter(colorEnabled(process.env, stream.isTTY === true)) };
  const { Cancelled } = await import('../../quiz/ask.js');

  if (examCount) {
    let report;
    try {
      report = await mockInterview(ctx, t, { count: examCount === true ? undefined : examCount, minutes, topic: opts.topic, seed });
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
      const { examAbandoned } = await import('../../quiz/messages.js');
      throw new ExitError(examAbandoned, ABANDONED);
    }
    if (opts.json) process.stdout.write(`${JSON.stringify({ ok: true, ...report })}\n`);
    else process.stdout.write(`${formatExamReport(report, t)}\n`);
    return;
  }

  const result = await practise(ctx, t, { topic: opts.topic, reviewOnly: opts.review, limit, seed });
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
}
