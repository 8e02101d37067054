/**
 * A build, run as CodeBuild runs one: the phases install, pre_build, build and post_build in
 * order, every command in one shell (build/shell.ts), each phase's `finally` block after its
 * commands whatever happened, and CodeBuild's phase transitions
 * (docs: view-build-details-phases; buildspec reference, on-failure and finally):
 *
 * - A command that fails ends its phase's commands; the phase's `finally` block still runs, and
 *   the phase FAILED (a failing `finally` command fails it too). The build is then failing:
 *   CODEBUILD_BUILD_SUCCEEDING is 0 from there on.
 * - INSTALL or PRE_BUILD failed: the build goes straight to its end; BUILD and POST_BUILD do not run.
 * - BUILD failed: POST_BUILD still runs (it is where a build reports or cleans up).
 * - `on-failure: ABORT` on the failed phase ends the build there, POST_BUILD included;
 *   `on-failure: CONTINUE` goes on to the next phase as if nothing had failed (the build still FAILED).
 * - The build SUCCEEDED only when every phase that ran did; exported variables are read at its end.
 *
 * The log has the CodeBuild agent's lines (`[Container] <time> Entering phase BUILD`, `Running
 * command …`, `Phase complete: BUILD State: FAILED`, `Phase context status code: …`), with each
 * command's own output between them as it comes.
 */
import { type BuildSpec, type PhaseName, PHASES } from './buildspec.js';
import { BuildShell } from './shell.js';

export type PhaseStatus = 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

export interface PhaseRecord {
  /** INSTALL, PRE_BUILD, BUILD, POST_BUILD. */
  name: string;
  status: PhaseStatus;
  durationSeconds: number;
  /** COMMAND_EXECUTION_ERROR and its message, for a failed phase. */
  context?: { code: string; message: string };
  /** Why a phase did not run. */
  skippedBecause?: string;
}

export interface CommandRecord {
  phase: PhaseName;
  block: 'commands' | 'finally';
  command: string;
  exitCode: number;
  /** The end of its output (stdout and stderr as they came), at most OUTPUT_TAIL characters. */
  output: string;
}

export interface BuildResult {
  status: 'SUCCEEDED' | 'FAILED';
  phases: PhaseRecord[];
  commands: CommandRecord[];
  exportedVariables: Record<string, string>;
  durationSeconds: number;
}

export interface BuildOptions {
  spec: BuildSpec;
  /** CODEBUILD_SRC_DIR: where the commands start. */
  cwd: string;
  /** The build's environment: the role's credentials, CODEBUILD_* and the buildspec's variables already in it. */
  env: NodeJS.ProcessEnv;
  /** Writes log text as it comes (agent lines and command output). */
  write: (text: string) => void;
  now?: () => Date;
}

/** How much of each command's output the build record keeps. */
const OUTPUT_TAIL = 4000;

/** `2026/05/07 10:00:00.123456`: the agent's timestamp, in UTC. */
export function agentTime(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getUTCFullYear()}/${p(date.getUTCMonth() + 1)}/${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}.${p(date.getUTCMilliseconds() * 1000, 6)}`;
}

/** Why the phases after a failed one do not run, or undefined when the build goes on. */
function stopsTheBuild(phase: PhaseName, onFailure: 'ABORT' | 'CONTINUE' | undefined): string | undefined {
  const name = phase.toUpperCase();
  if (onFailure === 'ABORT') return `${name} failed and its on-failure is ABORT`;
  if (onFailure === 'CONTINUE') return undefined;
  if (phase === 'install' || phase === 'pre_build') return `${name} failed: a failure in INSTALL or PRE_BUILD ends the build`;
  return undefined;
}

/** Runs the phases of a buildspec; never throws for a failing command (the result says FAILED). */
export async function runBuild(options: BuildOptions): Promise<BuildResult> {
  const now = options.now ?? (() => new Date());
  let atLineStart = true;
  const write = (text: string) => {
    if (!text) return;
    options.write(text);
    atLineStart = text.endsWith('\n');
  };
  const log = (line: string) => write(`${atLineStart ? '' : '\n'}[Container] ${agentTime(now())} ${line}\n`);
  let current: CommandRecord | undefined;
  const shell = new BuildShell({
    shell: options.spec.shell,
    cwd: options.cwd,
    env: { ...options.env, CODEBUILD_BUILD_SUCCEEDING: '1' },
    onOutput: (text) => {
      write(text);
      if (current) current.output = (current.output + text).slice(-OUTPUT_TAIL);
    },
  });
  const started = now().getTime();
  const phases: PhaseRecord[] = [];
  const commands: CommandRecord[] = [];
  let succeeding = true;
  let stopped: string | undefined;

  const runCommands = async (phase: PhaseName, block: CommandRecord['block'], list: string[]): Promise<CommandRecord | undefined> => {
    for (const command of list) {
      log(`Running command ${command}`);
      current = { phase, block, command, exitCode: 0, output: '' };
      commands.push(current);
      const result = await shell.run(command);
      current.exitCode = result.exitCode;
      const failed = current;
      current = undefined;
      if (result.shellExited) log(`The shell ended with the command (exit status ${result.exitCode}): the commands after it run in a new shell, without the variables and directory it had.`);
      if (result.exitCode !== 0) {
        log(`Command did not exit successfully ${command} exit status ${result.exitCode}`);
        return failed;
      }
    }
    return undefined;
  };

  try {
    for (const phase of PHASES) {
      const name = phase.toUpperCase();
      if (stopped) {
        phases.push({ name, status: 'SKIPPED', durationSeconds: 0, skippedBecause: stopped });
        continue;
      }
      const spec = options.spec.phases[phase] ?? { commands: [], finally: [] };
      const phaseStart = now().getTime();
      log(`Entering phase ${name}`);
      await shell.set('CODEBUILD_BUILD_SUCCEEDING', succeeding ? '1' : '0');
      let failed = await runCommands(phase, 'commands', spec.commands);
      // A failure is known to the finally block, as to every phase after it.
      if (failed && succeeding) await shell.set('CODEBUILD_BUILD_SUCCEEDING', '0');
      const finallyFailed = await runCommands(phase, 'finally', spec.finally);
      failed ??= finallyFailed;
      const status: PhaseStatus = failed ? 'FAILED' : 'SUCCEEDED';
      log(`Phase complete: ${name} State: ${status}`);
      const context = failed ? { code: 'COMMAND_EXECUTION_ERROR', message: `Error while executing command: ${failed.command}. Reason: exit status ${failed.exitCode}` } : undefined;
      log(`Phase context status code: ${context?.code ?? ''} Message: ${context?.message ?? ''}`);
      phases.push({ name, status, durationSeconds: (now().getTime() - phaseStart) / 1000, ...(context ? { context } : {}) });
      if (failed) {
        succeeding = false;
        stopped = stopsTheBuild(phase, spec.onFailure);
      }
    }
    const values = options.spec.exportedVariables.length > 0 ? await shell.read(options.spec.exportedVariables) : {};
    const exportedVariables = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
    return { status: succeeding ? 'SUCCEEDED' : 'FAILED', phases, commands, exportedVariables, durationSeconds: (now().getTime() - started) / 1000 };
  } finally {
    await shell.close();
  }
}
