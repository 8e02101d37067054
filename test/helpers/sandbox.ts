import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

/** The workbook's command, as `npm link` installs it. */
export const BIN = path.resolve(import.meta.dirname, '../../bin/ecr-workbook.js');

/**
 * A learner's files all under `home`, never the real ~/.aws or ~/.docker: HOME, the workbook's
 * state (`home/state`), DOCKER_CONFIG and the AWS profile files. Spread it over an environment.
 */
export function learnerHome(home: string): NodeJS.ProcessEnv {
  return {
    HOME: home,
    ECR_WORKBOOK_HOME: path.join(home, 'state'),
    DOCKER_CONFIG: path.join(home, 'docker'),
    AWS_CONFIG_FILE: path.join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials'),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI with exactly `env`, without a terminal. Asynchronous, so a sandbox or a
 * classroom this same process serves can answer it.
 */
export function cliWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  return cliIn(env, undefined, ...args);
}

/** cliWith, run in a folder (`ci run` builds the folder it is run in). */
export function cliIn(env: NodeJS.ProcessEnv, cwd: string | undefined, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** A fresh temp folder under the OS temp dir. */
export function tempDir(prefix = 'ecrwb-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A sandbox a test started, with its state folder. */
export type TestSandbox = RunningSandbox & { dir: string };

/** What the SDK clients and CLI env need of a sandbox (a child process's ready line has it too). */
type SandboxAddress = Pick<RunningSandbox, 'endpoint' | 'region' | 'credentials'>;

/** Starts a sandbox on a free port in a temp folder. Call `stop()` (e.g. in afterAll). */
export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dir = options.dir ?? tempDir('ecrwb-sandbox-');
  const sandbox = await startSandbox({ region: 'us-east-1', ...options, dir });
  return Object.assign(sandbox, { dir });
}

/** Credentials to call the sandbox with instead of its learner's: another user's keys, or a role session's. */
export interface CredentialOverrides {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** The SDK client options for the sandbox: its endpoint and region, the learner's keys unless others are given. */
export function clientConfig(sandbox: SandboxAddress, overrides: CredentialOverrides) {
  return {
    endpoint: sandbox.endpoint,
    region: overrides.region ?? sandbox.region,
    credentials: {
      accessKeyId: overrides.accessKeyId ?? sandbox.credentials.accessKeyId,
      secretAccessKey: overrides.secretAccessKey ?? sandbox.credentials.secretAccessKey,
      ...(overrides.sessionToken ? { sessionToken: overrides.sessionToken } : {}),
    },
    maxAttempts: 1,
  };
}

/** SDK v3 ECR client for the sandbox, with its issued credentials (or others, to test failures). */
export function ecrClient(sandbox: SandboxAddress, overrides: CredentialOverrides = {}): ECRClient {
  return new ECRClient(clientConfig(sandbox, overrides));
}

export function stsClient(sandbox: SandboxAddress, overrides: CredentialOverrides = {}): STSClient {
  return new STSClient(clientConfig(sandbox, overrides));
}

/** SDK v3 IAM client for the sandbox (IAM is served on the same endpoint, told apart by the signing name). */
export function iamClient(sandbox: SandboxAddress, overrides: CredentialOverrides = {}): IAMClient {
  return new IAMClient(clientConfig(sandbox, overrides));
}

/**
 * An environment for running the real `aws` and `docker` CLIs against the sandbox that never
 * touches the real ~/.aws or ~/.docker: HOME, DOCKER_CONFIG and the AWS files point into `dir`.
 */
export function isolatedCliEnv(sandbox: Pick<RunningSandbox, 'region' | 'credentials'>, dir: string = tempDir('ecrwb-home-')): NodeJS.ProcessEnv {
  fs.mkdirSync(path.join(dir, 'docker'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: dir,
    DOCKER_CONFIG: path.join(dir, 'docker'),
    AWS_CONFIG_FILE: path.join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'aws-credentials'),
    AWS_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sandbox.credentials.secretAccessKey,
    AWS_REGION: sandbox.region,
    AWS_DEFAULT_REGION: sandbox.region,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  if (process.env.DOCKER_HOST) env.DOCKER_HOST = process.env.DOCKER_HOST;
  if (process.env.PYENV_ROOT) env.PYENV_ROOT = process.env.PYENV_ROOT;
  return env;
}

export interface AwsCli {
  /** Absolute path of the executable. */
  path: string;
  /** `aws-cli/2.9.19 …` */
  version: string;
  major: 1 | 2;
  /** Whether it reads AWS_ENDPOINT_URL_ECR / _STS (v1 ≥ 1.29, v2 ≥ 2.13). */
  readsEndpointEnv: boolean;
}

function readsEndpointEnv(version: string): boolean {
  const m = /aws-cli\/(\d+)\.(\d+)\./.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major === 1 ? minor >= 29 : major === 2 ? minor >= 13 : major > 2;
}

/** Every distinct `aws` CLI on PATH (and Debian's /usr/bin/aws), v1 and v2 alike. */
export function installedAwsClis(): AwsCli[] {
  const candidates = new Set<string>();
  try {
    for (const line of execFileSync('bash', ['-c', 'type -ap aws'], { encoding: 'utf8' }).split('\n')) {
      if (line.trim()) candidates.add(line.trim());
    }
  } catch {
    /* none on PATH */
  }
  if (fs.existsSync('/usr/bin/aws')) candidates.add('/usr/bin/aws');
  const clis: AwsCli[] = [];
  const seen = new Set<string>();
  for (const found of candidates) {
    const candidate = withoutVersionManagerShim(found);
    let version: string;
    try {
      version = execFileSync(candidate, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch {
      continue;
    }
    if (seen.has(version)) continue;
    seen.add(version);
    const major = version.startsWith('aws-cli/1.') ? 1 : 2;
    clis.push({ path: candidate, version, major, readsEndpointEnv: readsEndpointEnv(version) });
  }
  return clis;
}

/**
 * The program a pyenv shim runs, when `aws` is one: the shim is a bash script that runs pyenv
 * before the CLI (about 140 ms a call here, over the thousand-odd calls a suite makes). The
 * same CLI, called directly.
 */
function withoutVersionManagerShim(aws: string): string {
  const shim = /^(.*)\/shims\/aws$/.exec(aws);
  const pyenv = shim && path.join(shim[1]!, 'libexec', 'pyenv');
  if (!pyenv || !fs.existsSync(pyenv)) return aws;
  try {
    const real = execFileSync(pyenv, ['which', 'aws'], { encoding: 'utf8', env: { ...process.env, PYENV_ROOT: shim[1] }, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return real && fs.existsSync(real) ? real : aws;
  } catch {
    return aws;
  }
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Writes a build context that needs no network (FROM scratch plus a small text file), so `docker build` works offline. */
export function scratchBuildContext(dir: string, content = 'hello from ecr-workbook\n'): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'payload.txt'), content);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY payload.txt /payload.txt\n');
  return dir;
}
