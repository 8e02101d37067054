import { shellQuote } from '../util/shell.js';

/** The environment a shell needs to point the aws CLI and SDKs at the sandbox. */
export interface SandboxEnvInput {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  registryHost: string;
}

export type ShellKind = 'sh' | 'fish' | 'powershell';

/** Variables to set; AWS_SESSION_TOKEN and AWS_PROFILE are cleared so they cannot override the keys. */
export function sandboxEnvVars(input: SandboxEnvInput): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: input.accessKeyId,
    AWS_SECRET_ACCESS_KEY: input.secretAccessKey,
    // CLI v1 reads only AWS_DEFAULT_REGION; v2 and the SDKs read AWS_REGION first.
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_ENDPOINT_URL_ECR: input.endpoint,
    AWS_ENDPOINT_URL_STS: input.endpoint,
    AWS_ENDPOINT_URL_IAM: input.endpoint,
    AWS_ENDPOINT_URL_ECS: input.endpoint,
    ECR_WORKBOOK_REGISTRY: input.registryHost,
  };
}

export const CLEARED_VARS = ['AWS_SESSION_TOKEN', 'AWS_PROFILE'];

/** The second account's registry host: the same port, addressed as 127.0.0.1 (see README, "The second account"). */
export function secondRegistryHost(port: number): string {
  return `127.0.0.1:${port}`;
}

/**
 * `aws configure set` commands that put a sandbox identity in a named profile (keys, region and
 * the sandbox endpoint, which aws CLI v1.29+ / v2.13+ read from a profile), for the learner to run.
 */
export function profileCommands(profile: string, input: { accessKeyId: string; secretAccessKey: string; region: string; endpoint: string }): string[] {
  const set = (key: string, value: string) => `aws configure set ${key} ${shellQuote(value)} --profile ${shellQuote(profile)}`;
  return [
    set('aws_access_key_id', input.accessKeyId),
    set('aws_secret_access_key', input.secretAccessKey),
    set('region', input.region),
    set('endpoint_url', input.endpoint),
  ];
}


/**
 * Shell text that sets the sandbox variables, for `eval "$(ecr-workbook sandbox env)"`; `extra`
 * is what the command's hint line adds after `sandbox env` (`--account second`).
 */
export function renderShellEnv(vars: Record<string, string>, shell: ShellKind, extra = ''): string {
  const lines: string[] = [];
  const command = `ecr-workbook sandbox env${extra ? ` ${extra}` : ''}`;
  if (shell === 'sh') {
    for (const [k, v] of Object.entries(vars)) lines.push(`export ${k}=${shellQuote(v)}`);
    lines.push(`unset ${CLEARED_VARS.join(' ')}`);
    lines.push('# Run this command to configure your shell:');
    lines.push(`# eval "$(${command})"`);
  } else if (shell === 'fish') {
    for (const [k, v] of Object.entries(vars)) lines.push(`set -gx ${k} ${shellQuote(v)};`);
    lines.push(`set -e ${CLEARED_VARS.join(' ')};`);
    lines.push('# Run this command to configure your shell:');
    lines.push(`# ${command} --shell fish | source`);
  } else {
    for (const [k, v] of Object.entries(vars)) lines.push(`$Env:${k} = "${v.replace(/[`"$]/g, '`$&')}"`);
    for (const k of CLEARED_VARS) lines.push(`Remove-Item Env:${k} -ErrorAction SilentlyContinue`);
    lines.push('# Run this command to configure your shell:');
    lines.push(`# ${command} --shell powershell | Invoke-Expression`);
  }
  return `${lines.join('\n')}\n`;
}
