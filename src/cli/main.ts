/**
 * The command-line entry: commands are registered here and their modules imported lazily, so
 * `--version`, `status` and `sandbox env` start fast; the one error boundary maps errors to
 * exit codes.
 */
import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, ExitError } from './errors.js';
import { isKnownRegion, nearestRegion } from '../aws/regions.js';
import { CONTAINER_CLIENTS } from '../docker/client.js';

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ExitError(`--port must be a number from 1 to 65535 (or 0 for any free port), not '${value}'.`, EXIT.unable);
  return port;
}

function parseAccountId(value: string): string {
  if (!/^\d{12}$/.test(value.trim())) throw new ExitError(`--partner-account must be an AWS account id, 12 digits (as \`aws sts get-caller-identity\` prints it in that account), not '${value}'.`, EXIT.unable);
  return value.trim();
}

/** A region AWS has (the list the sandbox accepts too): a made-up one is refused here, never remembered. */
function parseRegion(value: string): string {
  if (isKnownRegion(value)) return value;
  throw new ExitError(
    `'${value}' is not an AWS region (the nearest one is ${nearestRegion(value)}). Pass a real one, for example --region ${nearestRegion(value)}; nothing was remembered.`,
    EXIT.unable,
  );
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new ExitError(`--token-ttl must be a positive number of seconds, not '${value}'.`, EXIT.unable);
  return seconds;
}

/** Builds the program; exported for tests. */
export function buildProgram(): Command {
  const program = new Command('ecr-workbook')
    .description('Learn Amazon ECR by doing: lessons you follow in your own shell, checked against real AWS or a local ECR sandbox.')
    .version(packageVersion(), '-v, --version')
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false })
    // Set before subcommands are added so they inherit it: usage errors come back to run().
    .exitOverride();

  program
    .addOption(new Option('--target <target>', 'where the course runs: the local sandbox or real AWS (remembered)').choices(['sandbox', 'aws']))
    .addOption(new Option('--region <region>', 'AWS region (remembered; one AWS has)').argParser(parseRegion))
    .option('--profile <profile>', 'AWS CLI profile the lessons use (remembered; default ecr-workbook)')
    .option('--repo <name>', 'repository name the course uses (default demo-app)')
    .option('--learner <name>', 'prefix for a shared account: --learner alice gives alice/demo-app (remembered)')
    .addOption(new Option('--partner-account <id>', 'lesson 11 on real AWS: the id of a second AWS account of yours, to share the image with (remembered)').argParser(parseAccountId))
    .addOption(new Option('--client <client>', 'the container client you type, docker or podman (remembered; detected when not given)').choices(CONTAINER_CLIENTS))
    .addOption(new Option('--port <port>', 'the port the workbook starts the sandbox on (default: its last port, else 5123)').argParser(parsePort))
    .addHelpText(
      'after',
      `
Without a command, the interactive workbook opens (it needs a terminal).
Exit codes of \`check\`: 0 passed, 1 not yet, 2 could not check.`,
    )
    .allowExcessArguments()
    .action(async (_opts, cmd: Command) => {
      if (cmd.args.length > 0) throw new ExitError(`ecr-workbook: unknown command '${cmd.args[0]}'. See the commands with: ecr-workbook --help`, EXIT.unable);
      return (await import('./commands/interactive.js')).interactive(cmd.optsWithGlobals());
    });

  const course = (name: string) => async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    const mod = await import('./commands/course.js');
    return (mod[name as keyof typeof mod] as (...a: unknown[]) => Promise<void>)(...args.slice(0, -2), cmd.optsWithGlobals());
  };

  program.command('check [step]').description('check a step (a step id, or a lesson number or id: its first step not passed; default: the current step); exit 0 pass, 1 not yet, 2 could not check').option('--json', 'print the result as JSON').action(course('check'));
  program.command('watch').description('re-check the current step every 2 s until it passes, then move on (keys: h hint, s skip, q quit)').action(async (_o, cmd: Command) => (await import('./commands/interactive.js')).watchCommand(cmd.optsWithGlobals()));
  program
    .command('hint [step]')
    .description('show hints for a step, gentle first')
    .addOption(new Option('--level <n>', 'how many hints to show').argParser((v) => Number.parseInt(v, 10)))
    .option('--all', 'show every hint')
    .option('--json', 'print as JSON')
    .action(course('hint'));
  program.command('solution [step]').description("show a step's reference commands, rendered for your target").option('--json', 'print as JSON').action(course('solution'));
  program.command('skip [step]').description('skip a step (recorded as skipped, never as passed)').option('--json', 'print as JSON').action(course('skip'));
  program
    .command('status')
    .description('your progress: a bar per lesson, the next step, and interview practice per topic (due, mastered)')
    .option('--verify', 're-run every passed check against real state now, and show what no longer holds')
    .option('--json', 'print as JSON')
    .action(course('status'));
  program.command('lessons').description('list the lessons and their step ids').option('--json', 'print as JSON').action(course('lessons'));
  program.command('lesson [id]').description('show a lesson rendered for your target (default: the current one)').option('--json', 'print the markdown as JSON').action(course('lesson'));
  program
    .command('quiz')
    .description('interview practice: the question bank with spaced review (due questions first, then new ones), timed mock interviews, and an Anki export')
    .option('--topic <topic>', 'only this topic (the ids are in `status`)')
    .option('--review', 'only the questions due for review')
    .option('--limit <n>', 'questions in a session (default 15)')
    .option('--exam [questions]', 'a timed mock interview across topics (default 20 questions)')
    .option('--minutes <m>', 'time for the mock interview (default 1 per question)')
    .option('--export <format>', 'write the question bank for another app: anki (no terminal needed)')
    .option('--out <file>', 'the file --export writes (default ecr-workbook-anki.txt)')
    .option('--json', 'print the result as JSON on stdout (the questions are asked on stderr)')
    .addOption(new Option('--seed <n>', 'shuffle with this seed (replays a mock interview)').hideHelp())
    .addHelpText(
      'after',
      `
Answers are scheduled with FSRS (ts-fsrs): a wrong answer is Again; after a right one you say
how it felt (Hard, Good or Easy). A mock interview scores per topic, names weak topics and the
lesson sections to re-read; questions the clock cut off count as wrong.

Examples:
  $ ecr-workbook quiz                       due questions first, then new ones
  $ ecr-workbook quiz --topic iam
  $ ecr-workbook quiz --review
  $ ecr-workbook quiz --exam 10 --minutes 8
  $ ecr-workbook quiz --export anki --out ecr.txt`,
    )
    .action(async (_opts, cmd: Command) => (await import('./commands/quiz.js')).quiz(cmd.optsWithGlobals()));
  const drill = program
    .command('drill')
    .description('break-fix drills: a realistic ECR failure set up on the sandbox, its real error shown; you investigate and fix it with real commands, then `drill check`')
    .addHelpText(
      'after',
      `
A drill works in a docker config and aws profiles of its own (under the workbook's state folder),
never in your ~/.docker or ~/.aws: eval "$(ecr-workbook drill env)" puts your shell there. Drills
run on the local sandbox, whatever --target the course uses.

Examples:
  $ ecr-workbook drill list
  $ ecr-workbook drill start expired-token
  $ eval "$(ecr-workbook drill env)"
  $ ecr-workbook drill check          exit 0 solved, 1 not yet, 2 could not check
  $ ecr-workbook drill hint           one more hint each time, gentle first
  $ ecr-workbook drill give-up        the fix, and what an interviewer wants to hear`,
    );
  const drillCommand = (name: 'list' | 'check' | 'hint' | 'giveUp' | 'status' | 'env') => async (_opts: unknown, cmd: Command) => (await import('./commands/drill.js'))[name](cmd.optsWithGlobals());
  drill.command('list').description('every drill, its topic, and which you solved').option('--json', 'print as JSON').action(drillCommand('list'));
  drill
    .command('start <name>')
    .description("set a drill up on the sandbox (starting it if needed) and show its story and the failing command's real output")
    .option('--json', 'print as JSON')
    .action(async (name: string, _opts: unknown, cmd: Command) => (await import('./commands/drill.js')).start(name, cmd.optsWithGlobals()));
  drill.command('check').description('check your fix against the real state; exit 0 solved, 1 not yet, 2 could not check').option('--json', 'print the result as JSON').action(drillCommand('check'));
  drill.command('hint').description('one more hint each time, gentle first').option('--json', 'print as JSON').action(drillCommand('hint'));
  drill.command('give-up').description("show the fix and the post-mortem, and clean the drill up").option('--json', 'print as JSON').action(drillCommand('giveUp'));
  drill.command('status').description('the drill in progress (its story and symptom again), and how many you solved').option('--json', 'print as JSON').action(drillCommand('status'));
  drill
    .command('env')
    .description(`print the exports of the drill's environment: eval "$(ecr-workbook drill env)"`)
    .option('--unset', 'print the unsets that leave it instead')
    .option('--json', 'print the variables as JSON')
    .action(drillCommand('env'));
  program.command('reset').description('forget your progress (your AWS or sandbox resources are not touched)').option('-y, --yes', 'do not ask').option('--json', 'print as JSON').action(course('reset'));
  // Real AWS: a global --yes answers the account/region confirmation for scripts (check, lesson…).
  program.option('-y, --yes', 'answer yes: confirm the AWS account and region, and cleanup, without asking (for scripts)');
  const aws = (name: 'cleanup' | 'iamPolicy') => async (_opts: unknown, cmd: Command) => (await import('./commands/aws.js'))[name](cmd.optsWithGlobals());
  program
    .command('cleanup')
    .description('delete what the course created (found by its tags and your progress), showing its images, size and monthly cost; never anything else')
    .option('--dry-run', 'show what would be deleted, and delete nothing')
    .option('-y, --yes', 'do not ask')
    .option('--json', 'print as JSON')
    .action(aws('cleanup'));
  program.command('iam-policy').description('print the least-privilege IAM policy the course needs on real AWS, as JSON').action(aws('iamPolicy'));
  program
    .command('course')
    .description('for lesson authors')
    .command('check')
    .description('lint the course; then replay every reference solution against a fresh sandbox (fail before, pass after)')
    .option('--static', 'only the schema and cross-reference checks (no docker needed)')
    .option('--json', 'print the results as JSON')
    .action(async (_opts, cmd: Command) => (await import('./commands/interactive.js')).courseCheck(cmd.optsWithGlobals()));

  const sandbox = program
    .command('sandbox')
    .description('run a local ECR (ECR, IAM, STS, a small ECS and the registry on one localhost port) that the real aws and docker CLIs use unchanged')
    .addHelpText(
      'after',
      `
Typical use (\`sandbox env\` sets ECR_WORKBOOK_REGISTRY to the registry host, localhost:PORT):
  $ ecr-workbook sandbox up
  $ eval "$(ecr-workbook sandbox env)"
  $ aws ecr create-repository --repository-name demo-app
  $ aws ecr get-login-password | docker login --username AWS --password-stdin "$ECR_WORKBOOK_REGISTRY"`,
    );

  sandbox
    .command('up')
    .description('start the sandbox in the background (or report the one already running)')
    .addOption(new Option('-p, --port <port>', 'port to serve on (default 5123; 0 picks a free one)').argParser(parsePort))
    .addOption(new Option('-r, --region <region>', 'the region whose registry the sandbox serves (default us-east-1)').argParser(parseRegion))
    .option('--host <address>', 'listen on this address instead of 127.0.0.1 (exposes the sandbox to your network)')
    .addOption(new Option('--token-ttl <seconds>', 'lifetime of registry login tokens (default 12 hours, like ECR)').argParser(parseSeconds))
    .option('--json', 'print the result as JSON')
    // `ecr-workbook --port N sandbox up` means the same as `sandbox up --port N`.
    .action(async (_opts, cmd: Command) => (await import('./commands/sandbox.js')).up(cmd.optsWithGlobals()));

  sandbox
    .command('down')
    .description('stop the sandbox, its registry container and its ECS tasks\' containers (repositories, images and task history are kept)')
    .option('--json', 'print the result as JSON')
    .action(async (opts) => (await import('./commands/sandbox.js')).down(opts));

  sandbox
    .command('status')
    .description('say whether the sandbox runs, where, and what it holds')
    .option('--json', 'print the result as JSON')
    .action(async (opts) => (await import('./commands/sandbox.js')).status(opts));

  const sandboxCommand = (name: 'clock' | 'clockAdvance' | 'clockReset' | 'lifecycleRun') => async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    const mod = await import('./commands/sandbox.js');
    return (mod[name] as (...a: unknown[]) => Promise<void>)(...args.slice(0, -2), cmd.optsWithGlobals());
  };
  const clock = sandbox
    .command('clock')
    .description("show the sandbox's clock; `clock advance 15d` moves it forward (image ages, token expiry, new timestamps follow), `clock reset` puts it back")
    .option('--json', 'print the clock as JSON')
    .action(sandboxCommand('clock'));
  clock
    .command('advance <duration>')
    .description('move the sandbox clock forward: a number and a unit, s, m, h or d (15d, 36h, 90m, 1d12h)')
    .option('--json', 'print the clock as JSON')
    .action(sandboxCommand('clockAdvance'));
  clock.command('reset').description('put the sandbox clock back on real time').option('--json', 'print the clock as JSON').action(sandboxCommand('clockReset'));
  sandbox
    .command('lifecycle')
    .description('lifecycle policies (the sandbox applies them at start and every minute)')
    .command('run')
    .description('apply lifecycle policies now and show what expired')
    .option('--repository <name>', 'only this repository')
    .option('--region <region>', "the repository's region (default: the sandbox's)")
    .option('--json', 'print the results as JSON')
    .action(sandboxCommand('lifecycleRun'));

  sandbox
    .command('env')
    .description('print shell exports that point the aws CLI at the sandbox: eval "$(ecr-workbook sandbox env)"')
    .addOption(new Option('--shell <shell>', 'shell syntax').choices(['sh', 'fish', 'powershell']).default('sh'))
    .addOption(new Option('--account <account>', "whose keys: the learner's (main) or the second account's administrator (second)").choices(['main', 'second']).default('main'))
    .option('--aws-profile <name>', 'print the `aws configure set` commands that put those keys in this named profile instead')
    .option('--json', 'print the variables as JSON')
    .action(async (opts) => (await import('./commands/sandbox.js')).env(opts));

  const ci = program.command('ci').description('run a CodeBuild buildspec on this machine, as a service role, the way CodeBuild runs it (lesson 15)');
  ci.command('run [buildspec]')
    .description('run a buildspec (version 0.2; default ./buildspec.yml) as CodeBuild does: phases, one shell, on-failure, finally, CODEBUILD_* variables, exported variables, as --role; exit 0 SUCCEEDED, 1 FAILED, 2 could not run')
    .option('--role <role>', 'the service role to run as (a name in your account, or an ARN), assumed through STS with your credentials')
    .option('--project <name>', "the CodeBuild project name in CODEBUILD_BUILD_ID (default: this folder's name)")
    .option('--json', 'print the build (phases, commands, exported variables) as JSON on stdout; the log goes to stderr')
    .addHelpText(
      'after',
      `
The build runs in this folder (CODEBUILD_SRC_DIR), every command in one shell, with the role's
temporary credentials and none of yours: no profile, no keys, no docker logins. CodeBuild's phase
transitions apply:
  - a failed command ends its phase's commands; the phase's finally block still runs
  - INSTALL or PRE_BUILD failed: BUILD and POST_BUILD do not run
  - BUILD failed: POST_BUILD still runs (CODEBUILD_BUILD_SUCCEEDING=0 tells it)
  - on-failure: ABORT ends the build at the failed phase; CONTINUE goes on to the next one

Example:
  $ ecr-workbook ci run --role codebuild-demo`,
    )
    .action(async (buildspec: string | undefined, _opts: unknown, cmd: Command) => (await import('./commands/ci.js')).ciRun(buildspec, cmd.optsWithGlobals()));

  const classroom = program
    .command('classroom')
    .description("run a workshop: a live board of every learner's checks, join codes, and on a shared AWS account each learner's policy and a sweep that leaves nothing behind")
    .addHelpText(
      'after',
      `
Typical use:
  $ ecr-workbook classroom start --host 0.0.0.0      # prints the join code and the learners' command
  (each learner) $ ecr-workbook join http://<your address>:5124 <code> --name alice
  $ ecr-workbook classroom report                    # or open the live board it printed
On a shared AWS account, start it with the global options: --target aws --region R --profile P.`,
    );
  const room = (name: 'start' | 'status' | 'stop' | 'report' | 'roster' | 'sweep') => async (_opts: unknown, cmd: Command) =>
    (await import('./commands/classroom.js'))[name](cmd.optsWithGlobals());
  classroom
    .command('start')
    .description('open the classroom in the background (or report the one running): prints the join code, the join command and the board')
    .addOption(new Option('-p, --port <port>', 'port to serve on (default 5124, or the last one; 0 picks a free one)').argParser(parsePort))
    .option('--host <address>', 'listen on this address instead of 127.0.0.1, so learners on other machines can join (0.0.0.0: every interface)')
    .option('--learners <names>', 'names to list on the board before they join, comma-separated (on AWS, each gets a policy file at once)')
    .option('--new', 'move the saved room aside and open a new one (a new code; learners join again)')
    .addOption(new Option('--ecr-poll <seconds>').argParser(parseSeconds).hideHelp())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', "\nWith the global --target aws (and --region, --profile: the instructor's own), the room is on a shared AWS account: each learner works under <name>/.")
    .action(room('start'));
  classroom.command('status').description('say whether the classroom runs, its join command, and how many learners joined or are stuck').option('--json', 'print as JSON').action(room('status'));
  classroom.command('stop').description('close the classroom (its results are kept; `classroom start` opens the same room again)').option('--json', 'print as JSON').action(room('stop'));
  classroom
    .command('report')
    .description('print the board: every learner × step, who is stuck longest on which diagnosis, the most common mistakes')
    .option('--json', 'print as JSON')
    .option('--csv', 'print the grid as CSV (one row per learner)')
    .action(room('report'));
  classroom
    .command('roster')
    .description("each learner's prefix and the IAM policy to attach to their user (shared AWS account)")
    .option('--policy <name>', "print one learner's policy document only")
    .option('--json', 'print as JSON')
    .action(room('roster'));
  classroom
    .command('sweep')
    .description("delete exactly what the course's ownership tags show the room created on AWS, with the monthly cost first; nothing else")
    .option('--dry-run', 'show what would be deleted, and delete nothing')
    .option('-y, --yes', 'do not ask')
    .option('--json', 'print as JSON')
    .action(room('sweep'));
  program
    .command('join <url> <code>')
    .description("join a workshop's classroom: from then on every check you run is also reported to the instructor's board (never credentials or commands)")
    .option('--name <name>', 'how the instructor sees you (on a shared AWS account: your repository prefix)')
    .option('--json', 'print as JSON')
    .action(async (url: string, code: string, _opts: unknown, cmd: Command) => (await import('./commands/classroom.js')).join(url, code, cmd.optsWithGlobals()));
  program
    .command('leave')
    .description('stop reporting your checks to the classroom you joined (your progress is kept)')
    .option('--json', 'print as JSON')
    .action(async (_opts: unknown, cmd: Command) => (await import('./commands/classroom.js')).leave(cmd.optsWithGlobals()));

  return program;
}

/** Every command of the program, depth first. */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/**
 * Runs the CLI with `argv` and returns the exit code. With --json, stdout is JSON whatever
 * happens: an error (a usage mistake included) is `{"error": …, "exitCode": N}` there too.
 */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = argv.slice(2).includes('--json');
  let usage = '';
  if (json) {
    for (const command of allCommands(program)) {
      command.configureOutput({
        outputError: (text, write) => {
          usage += text;
          write(text);
        },
      });
    }
  }
  // The words go to stderr for a person either way; with --json, stdout also says it as JSON.
  const fail = (message: string, exitCode: number): number => {
    process.stderr.write(`${message}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: message, exitCode })}\n`);
    return exitCode;
  };
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with code 0; usage mistakes are "could not do it".
      if (error.exitCode === 0) return EXIT.ok;
      if (json) process.stdout.write(`${JSON.stringify({ error: usage.trim() || error.message, exitCode: EXIT.unable })}\n`);
      return EXIT.unable;
    }
    if (error instanceof ExitError) return fail(error.message, error.exitCode);
    return fail(`ecr-workbook: unexpected error: ${json ? (error as Error)?.message : ((error as Error)?.stack ?? String(error))}`, EXIT.unable);
  }
}
