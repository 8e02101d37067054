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
    .option('-r, --region <region>', 'the region whose registry the sandbox serves', 'us-east-1')
    .option('--host <address>', 'listen on this address instead of 127.0.0.1 (exposes the sandbox to your network)')
    .addOption(new Option('--token-ttl <seconds>', 'lifetime of registry login tokens (default 12 hours, like ECR)').argParser(parseSeconds))
    .option('--json', 'print the result as JSON')
    .action(async (opts) => (await import('./commands/sandbox.js')).up(opts));

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
