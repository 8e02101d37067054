import fs from 'node:fs';
import path from 'node:path';
import { resolveAws, type AwsTargetOptions } from '../../src/targets/aws.js';
import type { ResolvedTarget } from '../../src/targets/index.js';
import { cliWith, startTestSandbox, tempDir, type CliResult, type TestSandbox } from '../helpers/sandbox.js';
import type { SandboxOptions } from '../../src/sandbox/index.js';

export type Sandbox = TestSandbox;

/** Variables a test sets in this process; restored by `restoreEnv`. */
const ISOLATED = [
  'HOME',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_EC2_METADATA_DISABLED',
  'ECR_WORKBOOK_HOME',
  'ECR_WORKBOOK_AWS_ENDPOINT',
  'NO_COLOR',
] as const;

/**
 * The aws target pointed at a sandbox: the learner's profile `ecr-workbook` holds the sandbox's
 * key in a temp HOME (never the real ~/.aws), the endpoint override sends every ECR and STS
 * call to the sandbox, and the workbook's state lives in a temp folder.
 */
export interface AwsOnSandbox {
  sandbox: Sandbox;
  home: string;
  state: string;
  /** resolveAws as the runner calls it, plus test overrides. */
  resolve(options?: Partial<AwsTargetOptions>): Promise<ResolvedTarget>;
  /** A fresh state folder (a new learner on this machine). */
  freshState(): string;
  stop(): Promise<void>;
}

/** Starts a sandbox (no registry unless asked) and points this process's aws target at it. */
export async function awsOnSandbox(options: Partial<SandboxOptions> = {}): Promise<AwsOnSandbox> {
  const sandbox = await startTestSandbox({ withoutRegistry: true, ...options });
  const home = tempDir('ecrwb-aws-home-');
  fs.writeFileSync(
    path.join(home, 'aws-credentials'),
    `[ecr-workbook]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`,
  );
  fs.writeFileSync(path.join(home, 'aws-config'), `[profile ecr-workbook]\nregion = ${sandbox.region}\n`);
  const saved = Object.fromEntries(ISOLATED.map((k) => [k, process.env[k]]));
  for (const k of ISOLATED) delete process.env[k];
  let state = tempDir('ecrwb-aws-state-');
  Object.assign(process.env, {
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ECR_WORKBOOK_HOME: state,
    ECR_WORKBOOK_AWS_ENDPOINT: sandbox.endpoint,
    NO_COLOR: '1',
  });
  return {
    sandbox,
    home,
    get state() {
      return state;
    },
    resolve: (o = {}) => resolveAws({ profile: 'ecr-workbook', ...o }),
    freshState() {
      state = tempDir('ecrwb-aws-state-');
      process.env.ECR_WORKBOOK_HOME = state;
      return state;
    },
    async stop() {
      for (const k of ISOLATED) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      await sandbox.stop();
    },
  };
}


/**
 * Runs the built CLI (as a learner does) with this process's isolated environment, without a
 * terminal. Asynchronous: the sandbox it talks to serves from this same process.
 */
export function cli(...args: string[]): Promise<CliResult> {
  return cliWith({ ...process.env }, ...args);
}
