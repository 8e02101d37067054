/**
 * The command-line entry: commands are registered here and their modules imported lazily, so
 * `--version`, `status` and `sandbox env` start fast; the one error boundary maps errors to
 * exit codes.
 */
import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, ExitError } from './errors.js';

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ExitError(`--port must be a number from 1 to 65535 (or 0 for any free port), not '${value}'.`, EXIT.unable);
  return port;
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
    .option('--region <region>', 'AWS region (remembered)')
    .option('--profile <profile>', 'AWS CLI profile the lessons use (remembered; default ecr-workbook)')
    .option('--repo <name>', 'repository name the course uses (default demo-app)')
    .option('--learner <name>', 'prefix for a shared account: --learner alice gives alice/demo-app (remembered)')
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

  program.command('check [step]').description('check a step against real state (default: the current step); exit 0 pass, 1 not yet, 2 could not check').option('--json', 'print the result as JSON').action(course('check'));
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
  program.command('status').description('your progress: a bar per lesson and the next step').option('--json', 'print as JSON').action(course('status'));
  program.command('lessons').description('list the lessons').option('--json', 'print as JSON').action(course('lessons'));
  program.command('lesson [id]').description('show a lesson rendered for your target (default: the current one)').option('--json', 'print the markdown as JSON').action(course('lesson'));
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
    .action(async (opts) => (await import('./commands/interactive.js')).courseCheck(opts));

  const sandbox = program
    .command('sandbox')
    .description('run a local ECR (API, STS and registry on one localhost port) that the real aws and docker CLIs use unchanged')
    .addHelpText(
      'after',
      `
Typical use:
  $ ecr-workbook sandbox up
  $ eval "$(ecr-workbook sandbox env)"
  $ aws ecr create-repository --repository-name demo-app
  $ aws ecr get-login-password | docker login --username AWS --password-stdin localhost:${5123}`,
    );

  sandbox
    .command('up')
    .description('start the sandbox in the background (or report the one already running)')
    .addOption(new Option('-p, --port <port>', 'port to serve on (default 5123; 0 picks a free one)').argParser(parsePort))
    .option('-r, --region <region>', 'the region whose registry the sandbox serves (default us-east-1)')
    .option('--host <address>', 'listen on this address instead of 127.0.0.1 (exposes the sandbox to your network)')
    .addOption(new Option('--token-ttl <seconds>', 'lifetime of registry login tokens (default 12 hours, like ECR)').argParser(parseSeconds))
    .option('--json', 'print the result as JSON')
    // `--region` after `sandbox up` is parsed as the program's own option: take it from there.
    .action(async (opts, cmd: Command) => (await import('./commands/sandbox.js')).up({ ...opts, region: cmd.optsWithGlobals().region ?? opts.region }));

  sandbox
    .command('down')
    .description('stop the sandbox and its registry container (repositories and images are kept)')
    .option('--json', 'print the result as JSON')
    .action(async (opts) => (await import('./commands/sandbox.js')).down(opts));

  sandbox
    .command('status')
    .description('say whether the sandbox runs, where, and what it holds')
    .option('--json', 'print the result as JSON')
    .action(async (opts) => (await import('./commands/sandbox.js')).status(opts));

  sandbox
    .command('env')
    .description('print shell exports that point the aws CLI at the sandbox: eval "$(ecr-workbook sandbox env)"')
    .addOption(new Option('--shell <shell>', 'shell syntax').choices(['sh', 'fish', 'powershell']).default('sh'))
    .option('--json', 'print the variables as JSON')
    .action(async (opts) => (await import('./commands/sandbox.js')).env(opts));

  return program;
}

/** Runs the CLI with `argv` and returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with code 0; usage mistakes are "could not do it".
      return error.exitCode === 0 ? EXIT.ok : EXIT.unable;
    }
    if (error instanceof ExitError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`ecr-workbook: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.unable;
  }
}
