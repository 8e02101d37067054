import { sandboxHome } from '../../paths.js';
import { findRunningSandbox, sandboxCounts, sandboxCredentials, sandboxDown, sandboxUp, SandboxError, type RunningSandboxInfo } from '../../sandbox/control.js';
import { renderShellEnv, sandboxEnvVars, type ShellKind } from '../../sandbox/env.js';
import type { SandboxRuntime } from '../../sandbox/runtime.js';
import { startSpinner } from '../../util/spinner.js';
import { EXIT, ExitError } from '../errors.js';

const out = (text: string) => process.stdout.write(text);

function describeRuntime(runtime: SandboxRuntime): string {
  return [
    `ECR sandbox running on ${runtime.endpoint} (region ${runtime.region}, account ${runtime.accountId})`,
    `  ECR and STS endpoint: ${runtime.endpoint}`,
    `  Registry for docker:  ${runtime.registryHost}`,
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
    if (error instanceof SandboxError) throw new ExitError(error.message, EXIT.unable);
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
    case 'starting':
      return 'starting';
    case 'none':
      return 'none (API only)';
    default:
      return 'up';
  }
}

/** `sandbox status`: exit 0 when running with its registry up, 1 when not running or the registry is down. */
export async function status(opts: { json?: boolean }): Promise<void> {
  const runtime = await findRunningSandbox();
  const counts = await sandboxCounts();
  if (opts.json) {
    out(`${JSON.stringify({ running: !!runtime, ...(runtime ?? {}), repositories: counts?.repositories ?? 0, images: counts?.images ?? 0, stateDir: sandboxHome() })}\n`);
  } else if (runtime) {
    const uptime = Math.round((Date.now() - Date.parse(runtime.startedAt)) / 1000);
    out(
      `${describeRuntime(runtime)}\n  Process:              pid ${runtime.pid}, up ${uptime} s\n  Registry container:   ${describeRegistry(runtime)}\n  Holds:                ${counts?.repositories ?? 0} repositories, ${counts?.images ?? 0} images\n`,
    );
  } else {
    out(`The ECR sandbox is not running.${counts ? ` It holds ${counts.repositories} repositories and ${counts.images} images from before.` : ''}\nStart it with: ecr-workbook sandbox up\n`);
  }
  if (!runtime || runtime.registry === 'down') process.exitCode = EXIT.failed;
}

/** `sandbox env`: shell exports for the running sandbox. */
export async function env(opts: { shell: ShellKind; json?: boolean }): Promise<void> {
  const runtime = await findRunningSandbox();
  if (!runtime) {
    throw new ExitError('The ECR sandbox is not running, so there is no endpoint to point at. Start it with: ecr-workbook sandbox up', EXIT.failed);
  }
  const credentials = await sandboxCredentials();
  if (!credentials) throw new ExitError(`The sandbox's state file in ${sandboxHome()} has no credentials. Run \`ecr-workbook sandbox down\` and \`sandbox up\` again.`, EXIT.unable);
  const vars = sandboxEnvVars({ ...credentials, endpoint: runtime.endpoint, region: runtime.region, registryHost: runtime.registryHost });
  if (opts.json) {
    out(`${JSON.stringify(vars)}\n`);
    return;
  }
  out(renderShellEnv(vars, opts.shell));
  // stdout is eval'ed; a CLI that ignores the endpoint variables is worth a word on stderr.
  const { awsCliVersion } = await import('../../runner/session.js');
  const { parseAwsCliVersion, readsEndpointEnv } = await import('../../course/render.js');
  const version = await awsCliVersion();
  if (version && !readsEndpointEnv(parseAwsCliVersion(version))) {
    process.stderr.write(
      `note: your aws CLI (${version.split(' ')[0]}) does not read AWS_ENDPOINT_URL_ECR/_STS (they need v1.29+ or v2.13+): add --endpoint-url ${runtime.endpoint} to its aws commands. The workbook's lessons show them that way for you.\n`,
    );
  }
}
