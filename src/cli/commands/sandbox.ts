import { sandboxHome } from '../../paths.js';
import { SECOND_ACCOUNT_ID, SECOND_ACCOUNT_USER_NAME } from '../../sandbox/config.js';
import { findRunningSandbox, sandboxCounts, sandboxCredentials, sandboxDown, sandboxUp, SandboxError, type SandboxAccount } from '../../sandbox/control.js';
import { profileCommands, renderShellEnv, sandboxEnvVars, secondRegistryHost, type ShellKind } from '../../sandbox/env.js';
import type { SandboxRuntime } from '../../sandbox/runtime.js';
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
export async function up(opts: { port?: number; region: string; host?: string; tokenTtl?: number; json?: boolean }): Promise<void> {
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
  const stopped = await sandboxDown();
  if (opts.json) {
    out(`${JSON.stringify({ stopped: !!stopped, port: stopped?.port ?? null })}\n`);
    return;
  }
  if (stopped) spinner.succeed(`stopped the sandbox on port ${stopped.port}; repositories and images are kept for next time`);
  else spinner.succeed('the sandbox was not running');
}

/** `sandbox status`: exit 0 when running, 1 when not. */
export async function status(opts: { json?: boolean }): Promise<void> {
  const runtime = await findRunningSandbox();
  const counts = await sandboxCounts();
  if (opts.json) {
    out(`${JSON.stringify({ running: !!runtime, ...(runtime ?? {}), repositories: counts?.repositories ?? 0, images: counts?.images ?? 0, stateDir: sandboxHome() })}\n`);
  } else if (runtime) {
    const uptime = Math.round((Date.now() - Date.parse(runtime.startedAt)) / 1000);
    out(`${describeRuntime(runtime)}\n  Process:              pid ${runtime.pid}, up ${uptime} s\n  Holds:                ${counts?.repositories ?? 0} repositories, ${counts?.images ?? 0} images\n`);
  } else {
    out(`The ECR sandbox is not running.${counts ? ` It holds ${counts.repositories} repositories and ${counts.images} images from before.` : ''}\nStart it with: ecr-workbook sandbox up\n`);
  }
  if (!runtime) process.exitCode = EXIT.failed;
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
  // stdout is eval'ed; a CLI that ignores the endpoint variables is worth a word on stderr.
  const { awsCliVersion } = await import('../../runner/session.js');
  const { parseAwsCliVersion, readsEndpointEnv } = await import('../../course/render.js');
  const version = await awsCliVersion();
  if (version && !readsEndpointEnv(parseAwsCliVersion(version))) {
    process.stderr.write(
      `note: your aws CLI (${version.split(' ')[0]}) does not read AWS_ENDPOINT_URL_ECR/_STS/_IAM (they need v1.29+ or v2.13+): add --endpoint-url ${runtime.endpoint} to its aws commands. The workbook's lessons show them that way for you.\n`,
    );
  }
}
