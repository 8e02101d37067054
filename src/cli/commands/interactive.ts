/** The commands that hold the terminal: the menu, watch mode, and the course replay. */
import { EXIT, ExitError } from '../errors.js';
import { execFile, execFileSync } from 'node:child_process';
import { readsEndpointEnv } from '../../course/render.js';
import { detectClient, type ContainerClient } from '../../docker/client.js';
import { resolveWithSpinner, session, type GlobalOptions } from './course.js';

const NON_INTERACTIVE =
  'The interactive workbook needs a terminal. Without one, use the commands:\n' +
  '  ecr-workbook status        your progress\n' +
  '  ecr-workbook lesson        the current lesson\n' +
  '  ecr-workbook check         check the current step (exit 0 pass, 1 not yet, 2 could not check)\n' +
  '  ecr-workbook hint          hints for it;  ecr-workbook skip   skip it\n' +
  '  ecr-workbook watch         re-check until it passes\n' +
  '  ecr-workbook drill list    break-fix drills on the sandbox\n' +
  'Run `ecr-workbook --help` for the rest.';

async function openResolved(opts: GlobalOptions) {
  const s = await session(opts);
  return { session: s, resolved: await resolveWithSpinner(s, opts, { quiet: false, ready: 'the ECR sandbox is ready' }) };
}

/** `ecr-workbook` with no command: the menu, or a pointer to the commands without a TTY. */
export async function interactive(opts: GlobalOptions): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw new ExitError(NON_INTERACTIVE, EXIT.unable);
  const { session, resolved } = await openResolved(opts);
  await tipWhenNotOnPath();
  const { runMenu } = await import('../../runner/menu.js');
  await runMenu(session, resolved);
}

/** `watch`. */
export async function watchCommand(opts: GlobalOptions): Promise<void> {
  const { session, resolved } = await openResolved(opts);
  const { watch } = await import('../../runner/watch.js');
  // Ctrl-C ends with 130 (128 + SIGINT), as an interrupted command does in a shell.
  if ((await watch(session, resolved, { env: opts.env })) === 'interrupted') process.exitCode = 130;
}

/** `course check [--static]`: lint, then replay against a fresh sandbox. */
export async function courseCheck(opts: { static?: boolean; json?: boolean; client?: ContainerClient }): Promise<void> {
  const { lintCourse, replayCourse } = await import('../../runner/course-check.js');
  const { formatCoverage } = await import('../../quiz/lint.js');
  const { problems, coverage } = await lintCourse();
  // The question bank's coverage (seed concepts × questions, lessons × questions), for authors.
  const table = coverage ? `${formatCoverage(coverage)}\n` : '';
  if (problems.length > 0) {
    if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, problems, ...(coverage ? { coverage } : {}) })}\n`);
    else process.stderr.write(`The course has ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}\n${table}`);
    process.exitCode = EXIT.failed;
    return;
  }
  if (opts.static) {
    process.stdout.write(opts.json ? `${JSON.stringify({ ok: true, problems: [], coverage })}\n` : `${table}The course is sound: schema, ids, check references, the question bank and the drills.\n`);
    return;
  }
  if (!opts.json) process.stdout.write(table);
  let awsCli: string;
  let version: string;
  try {
    awsCli = execFileSync('bash', ['-c', 'command -v aws'], { encoding: 'utf8' }).trim();
    version = execFileSync(awsCli, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new ExitError('The replay runs the lessons with the real aws CLI, and none is on PATH. Install it, or run `course check --static`.', EXIT.unable);
  }
  const client = opts.client ?? (await detectClient());
  const steps = await replayCourse({
    awsCli,
    client,
    readsEndpointEnv: readsEndpointEnv(version),
    onStep: (r) => {
      if (opts.json) return;
      const failed = r.commands.find((c) => c.code !== 0);
      const why = r.ok ? '' : failed ? `  $ ${failed.command} exited ${failed.code}: ${failed.output.trim().split('\n').pop()}` : `  ${r.afterSummary}`;
      process.stdout.write(`${r.ok ? '✔' : '✖'} ${r.step.padEnd(22)} before: ${r.before.padEnd(5)} after: ${r.after}${why}\n`);
    },
  });
  const ok = steps.every((s) => s.ok);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok, awsCli: version, client, steps })}\n`);
  else process.stdout.write(ok ? `Every reference solution turns its check from fail to pass (${version}, ${client}).\n` : 'Some steps did not go from fail to pass; see above.\n');
  process.exitCode = ok ? EXIT.ok : EXIT.failed;
}

/**
 * Lessons have the learner type `ecr-workbook …` in their own shell (`sandbox env`, `check`).
 * Started with `npm start`, the command may not be on PATH yet: say how to get it.
 */
async function tipWhenNotOnPath(): Promise<void> {
  const found = await new Promise<boolean>((resolve) => execFile('bash', ['-c', 'command -v ecr-workbook'], (error) => resolve(!error)));
  if (!found) {
    process.stderr.write(
      'tip: the lessons run `ecr-workbook …` in your other shell. To have that command, run `npm link` in the workbook folder (or use `npx ecr-workbook …` there).\n',
    );
  }
}
