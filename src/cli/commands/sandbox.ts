import { sandboxHome } from '../../paths.js';
import { SECOND_ACCOUNT_ID, SECOND_ACCOUNT_USER_NAME } from '../../sandbox/config.js';
import { editStoppedState, findRunningSandbox, findRunningSandboxWithHealth, sandboxCounts, sandboxCredentials, sandboxDown, sandboxUp, type RunningSandboxInfo, type SandboxAccount } from '../../sandbox/control.js';
import { ControlApiError, ControlClient } from '../../sandbox/control-api/client.js';
import type { ClockOutput, RunLifecycleOutput } from '../../sandbox/control-api/operations.js';
import { formatDuration, parseDuration } from '../../util/duration.js';
import { profileCommands, renderShellEnv, sandboxEnvVars, secondRegistryHost, type ShellKind } from '../../sandbox/env.js';
import type { SandboxRuntime } from '../../sandbox/runtime.js';
import { DaemonError } from '../../util/daemon.js';
import { startSpinner } from '../../util/spinner.js';
import { EXIT, ExitError } from '../errors.js';

const out = (text: string) => process.stdout.write(text);

function describeRuntime(runtime: SandboxRuntime): string {
  return [
    `ECR sandbox running on ${runtime.endpoint} (region ${runtime.region}, account ${runtime.accountId})`,
    `  ECR, IAM and STS:     ${runtime.endpoint}`,
    `  Registry for docker:  ${runtime.registryHost}`,
    `  Second account:       ${SECOND_ACCOUNT_ID} (user ${SECOND_ACCOUNT_USER_NAME}, registry ${secondRegistryHost(runtime.port)}): \`sandbox env --account second\``,
    `  Console:              ${runtime.endpoint}/`,
    `  State folder:         ${sandboxHome()}`,
  ].join('\n');
}

/** `sandbox up`. */
export async function up(opts: { port?: number; region?: string; host?: string; tokenTtl?: number; json?: boolean }): Promise<void> {
  if (opts.host && !['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
    process.stderr.write(
      `warning: --host ${opts.host} makes the sandbox reachable from other machines. Its credentials are printed by \`sandbox env\`; use this only on a network you trust.\n`,
    );
  }
  const spinner = startSpinner('starting the ECR sandbox', { quiet: opts.json });
  let result;
  try {
    result = await sandboxUp({
      port: opts.port,
      region: opts.region,
      host: opts.host,
      tokenTtlSeconds: opts.tokenTtl,
      onProgress: (m) => spinner.update(m),
      onWarning: (m) => process.stderr.write(`\nwarning: ${m}\n`),
    });
  } catch (error) {
    spinner.fail('the sandbox did not start');
    if (error instanceof DaemonError) throw new ExitError(error.message, EXIT.unable);
    throw error;
  }
  const { runtime, alreadyRunning } = result;
  if (opts.json) {
    out(`${JSON.stringify({ running: true, alreadyRunning, ...runtime })}\n`);
    return;
  }
  spinner.succeed(alreadyRunning ? 'the sandbox was already running' : 'the sandbox is ready');
  out(`${describeRuntime(runtime)}\n\nNext: point your shell at it with\n  eval "$(ecr-workbook sandbox env)"\n`);
}

/** `sandbox down`. */
export async function down(opts: { json?: boolean }): Promise<void> {
  const spinner = startSpinner('stopping the ECR sandbox', { quiet: opts.json });
  const { stopped, orphansRemoved } = await sandboxDown();
  if (opts.json) {
    out(`${JSON.stringify({ stopped: !!stopped, port: stopped?.port ?? null, orphansRemoved })}\n`);
    return;
  }
  if (stopped) spinner.succeed(`stopped the sandbox${stopped.port ? ` on port ${stopped.port}` : ` (pid ${stopped.pid})`}; repositories and images are kept for next time`);
  else spinner.succeed('the sandbox was not running');
  if (orphansRemoved > 0) out(`Removed ${orphansRemoved} registry container(s) left behind by a sandbox that stopped without cleaning up.\n`);
}

/** The status line for the registry container. */
function describeRegistry(runtime: RunningSandboxInfo): string {
  switch (runtime.registry) {
    case 'down':
      return `DOWN: ${runtime.registryProblem ?? 'its container is gone'}.\n                        Start a new one on the same storage with: ecr-workbook sandbox up`;
    case 'unknown':
      return `UNKNOWN: ${runtime.registryProblem}.\n                        If it stays so, start it again: ecr-workbook sandbox down && ecr-workbook sandbox up`;
    case 'starting':
      return 'starting';
    case 'none':
      return 'none (API only)';
    default:
      return 'up';
  }
}

/** `sandbox status`: exit 0 when running with its registry up, 1 when not running, or the registry is down or its state unknown. */
export async function status(opts: { json?: boolean }): Promise<void> {
  const runtime = await findRunningSandboxWithHealth();
  const counts = await sandboxCounts();
  const offset = counts?.clockOffsetSeconds ?? 0;
  if (opts.json) {
    out(
      `${JSON.stringify({ running: !!runtime, ...(runtime ?? {}), repositories: counts?.repositories ?? 0, images: counts?.images ?? 0, clockOffsetSeconds: offset, stateDir: sandboxHome() })}\n`,
    );
  } else if (runtime) {
    const uptime = Math.round((Date.now() - Date.parse(runtime.startedAt)) / 1000);
    const clock = offset === 0 ? 'real time' : `${formatDuration(offset)} ahead of real time (back with: ecr-workbook sandbox clock reset)`;
    out(
      `${describeRuntime(runtime)}\n  Process:              pid ${runtime.pid}, up ${uptime} s\n  Registry container:   ${describeRegistry(runtime)}\n  Holds:                ${counts?.repositories ?? 0} repositories, ${counts?.images ?? 0} images\n  Clock:                ${clock}\n`,
    );
  } else {
    const clock = offset === 0 ? '' : ` Its clock is ${formatDuration(offset)} ahead of real time.`;
    out(`The ECR sandbox is not running.${counts ? ` It holds ${counts.repositories} repositories and ${counts.images} images from before.${clock}` : ''}\nStart it with: ecr-workbook sandbox up\n`);
  }
  if (!runtime || runtime.registry === 'down' || runtime.registry === 'unknown') process.exitCode = EXIT.failed;
}

/**
 * `sandbox env`: shell exports for the running sandbox, as the learner (or, with `--account
 * second`, as the second account's administrator). With `--aws-profile NAME` it prints the `aws
 * configure set` commands that put those keys in a named profile instead: the learner's own aws
 * CLI writes the profile, never the workbook.
 */
export async function env(opts: { shell: ShellKind; json?: boolean; account?: SandboxAccount; awsProfile?: string }): Promise<void> {
  const runtime = await findRunningSandbox();
  if (!runtime) {
    throw new ExitError('The ECR sandbox is not running, so there is no endpoint to point at. Start it with: ecr-workbook sandbox up', EXIT.failed);
  }
  const account = opts.account ?? 'main';
  const credentials = await sandboxCredentials(sandboxHome(), account);
  if (!credentials) {
    throw new ExitError(
      account === 'second'
        ? `The sandbox's state file in ${sandboxHome()} has no keys for the second account yet. Run \`ecr-workbook sandbox down\` and \`sandbox up\` again to create them.`
        : `The sandbox's state file in ${sandboxHome()} has no credentials. Run \`ecr-workbook sandbox down\` and \`sandbox up\` again.`,
      EXIT.unable,
    );
  }
  const registryHost = account === 'second' ? secondRegistryHost(runtime.port) : runtime.registryHost;
  if (opts.awsProfile !== undefined) {
    const commands = profileCommands(opts.awsProfile, { ...credentials, endpoint: runtime.endpoint, region: runtime.region });
    out(opts.json ? `${JSON.stringify({ profile: opts.awsProfile, accountId: credentials.accountId, commands })}\n` : `${commands.join('\n')}\n`);
    return;
  }
  const vars = sandboxEnvVars({ ...credentials, endpoint: runtime.endpoint, region: runtime.region, registryHost });
  if (opts.json) {
    out(`${JSON.stringify(vars)}\n`);
    return;
  }
  out(renderShellEnv(vars, opts.shell, account === 'second' ? '--account second' : ''));
  // stdout is eval'ed; what the learner should know goes to stderr. A remembered region the
  // sandbox does not serve: the lessons' commands carry it, these variables do not.
  const { ProgressStore } = await import('../../progress/store.js');
  const { regionDiffersFromSandbox } = await import('../../course/messages.js');
  const remembered = (await ProgressStore.open()).store.progress.region;
  if (remembered && remembered !== runtime.region) process.stderr.write(`warning: ${regionDiffersFromSandbox(remembered, runtime.region, runtime.registryHost)}\n`);
  // A CLI that ignores the endpoint variables is worth a word too.
  const { awsCliVersion } = await import('../../runner/session.js');
  const { parseAwsCliVersion, readsEndpointEnv } = await import('../../course/render.js');
  const version = await awsCliVersion();
  if (version && !readsEndpointEnv(parseAwsCliVersion(version))) {
    process.stderr.write(
      `note: your aws CLI (${version.split(' ')[0]}) does not read AWS_ENDPOINT_URL_ECR/_STS/_IAM (they need v1.29+ or v2.13+): add --endpoint-url ${runtime.endpoint} to its aws commands. The workbook's lessons show them that way for you.\n`,
    );
  }
}

/** The running sandbox's control API, or undefined when it is not running. */
async function runningControl(): Promise<ControlClient | undefined> {
  const runtime = await findRunningSandbox();
  if (!runtime) return undefined;
  const credentials = await sandboxCredentials();
  if (!credentials) throw new ExitError(`The sandbox's state file in ${sandboxHome()} has no credentials. Run \`ecr-workbook sandbox down\` and \`sandbox up\` again.`, EXIT.unable);
  return new ControlClient({ endpoint: runtime.endpoint, region: runtime.region, credentials });
}

/** A control API failure as an exit: the sandbox's own message (it says what to do). */
function controlFailure(error: unknown): never {
  if (error instanceof ControlApiError) throw new ExitError(error.message, error.status >= 500 ? EXIT.unable : EXIT.failed);
  throw new ExitError(`Could not reach the sandbox's control API: ${(error as Error).message}. Is it running? See: ecr-workbook sandbox status`, EXIT.unable);
}

function printClock(clock: { now: number; offsetSeconds: number }, running: boolean, json: boolean | undefined, note?: string): void {
  const now = new Date(clock.now * 1000).toISOString();
  if (json) {
    out(`${JSON.stringify({ running, now, nowEpochSeconds: clock.now, offsetSeconds: clock.offsetSeconds })}\n`);
    return;
  }
  const where = clock.offsetSeconds === 0 ? 'real time' : `${formatDuration(clock.offsetSeconds)} ahead of real time`;
  out(`Sandbox clock: ${now.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (${where}).\n${note ? `${note}\n` : ''}`);
}

/** The clock of a stopped sandbox, from its state file. */
async function stoppedClock(): Promise<{ now: number; offsetSeconds: number }> {
  const offset = (await sandboxCounts())?.clockOffsetSeconds ?? 0;
  return { now: Date.now() / 1000 + offset, offsetSeconds: offset };
}

/** `sandbox clock`: the sandbox's now and how far ahead of real time it is. */
export async function clock(opts: { json?: boolean }): Promise<void> {
  const control = await runningControl();
  if (!control) return printClock(await stoppedClock(), false, opts.json);
  const current = await control.call<ClockOutput>('DescribeClock').catch(controlFailure);
  printClock(current, true, opts.json);
}

const CLOCK_NOTE =
  'Image ages for lifecycle rules, login token expiry and new timestamps all follow it. Lifecycle policies run within a minute (or now: ecr-workbook sandbox lifecycle run).';

/** `sandbox clock advance <duration>`: moves the sandbox clock forward (15d, 36h, 90m, 45s, 1d12h). */
export async function clockAdvance(duration: string, opts: { json?: boolean }): Promise<void> {
  const seconds = parseDuration(duration);
  if (seconds === undefined || seconds <= 0) {
    throw new ExitError(`'${duration}' is not a duration: give a number and a unit, s, m, h or d (for example 15d, 36h, 90m, or 1d12h).`, EXIT.unable);
  }
  const control = await runningControl();
  if (control) {
    const moved = await control.call<ClockOutput>('AdvanceClock', { seconds }).catch(controlFailure);
    printClock(moved, true, opts.json, CLOCK_NOTE);
    return;
  }
  const state = await editStoppedState(sandboxHome(), (s) => {
    s.clockOffsetSeconds = (s.clockOffsetSeconds ?? 0) + seconds;
  }).catch(sandboxFailure);
  const offset = state.clockOffsetSeconds ?? 0;
  printClock({ now: Date.now() / 1000 + offset, offsetSeconds: offset }, false, opts.json, 'The sandbox is not running: its clock moves on from here when it starts (ecr-workbook sandbox up).');
}

/** `sandbox clock reset`: back to real time. */
export async function clockReset(opts: { json?: boolean }): Promise<void> {
  const control = await runningControl();
  if (control) {
    printClock(await control.call<ClockOutput>('ResetClock').catch(controlFailure), true, opts.json);
    return;
  }
  await editStoppedState(sandboxHome(), (s) => {
    delete s.clockOffsetSeconds;
  }).catch(sandboxFailure);
  printClock({ now: Date.now() / 1000, offsetSeconds: 0 }, false, opts.json);
}

function sandboxFailure(error: unknown): never {
  if (error instanceof DaemonError) throw new ExitError(error.message, EXIT.failed);
  throw error;
}

/** `sandbox lifecycle run`: applies lifecycle policies now and says what expired. */
export async function lifecycleRun(opts: { repository?: string; region?: string; json?: boolean }): Promise<void> {
  const control = await runningControl();
  if (!control) {
    throw new ExitError(
      'The ECR sandbox is not running, so there is nothing to apply policies to. Start it with `ecr-workbook sandbox up`: it applies lifecycle policies when it starts, then every minute.',
      EXIT.failed,
    );
  }
  const input = opts.repository ? { repositoryName: opts.repository, ...(opts.region ? { region: opts.region } : {}) } : {};
  const { runs } = await control.call<RunLifecycleOutput>('RunLifecycle', input).catch(controlFailure);
  if (opts.json) {
    out(`${JSON.stringify({ runs })}\n`);
    return;
  }
  if (runs.length === 0) {
    out(`No repository${opts.repository ? ` named ${opts.repository}` : ''} has a lifecycle policy, so nothing expires. Put one with: aws ecr put-lifecycle-policy --repository-name <name> --lifecycle-policy-text file://policy.json\n`);
    return;
  }
  for (const run of runs) {
    const bytes = run.expired.reduce((sum, e) => sum + e.imageSizeInBytes, 0);
    out(
      run.expired.length === 0
        ? `${run.repositoryName} (${run.region}): nothing is due.\n`
        : `${run.repositoryName} (${run.region}): expired ${run.expired.length} image${run.expired.length === 1 ? '' : 's'}, ${(bytes / 1e6).toFixed(1)} MB:\n`,
    );
    for (const e of run.expired) {
      const tags = e.imageTags.length > 0 ? e.imageTags.join(', ') : '<untagged>';
      out(`  ${e.imageDigest.slice(0, 19)}…  ${tags.padEnd(20)}  rule ${e.appliedRulePriority}\n`);
    }
    if (run.transitionsSkipped > 0) {
      out(`  ${run.transitionsSkipped} image(s) a transition rule selects stay where they are: the sandbox has no archive storage class.\n`);
    }
  }
}
