/**
 * Targets turn the learner's choices (sandbox or aws, region, profile, learner prefix) into a
 * CheckContext: the same checks then run against either. SDK clients are built lazily.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DEFAULT_PROFILE, DEFAULT_REPO, DEFAULT_TAG, repoForLearner } from '../course/vars.js';
import { sandboxHome } from '../paths.js';
import type { CheckContext, ProfileClients } from '../check/types.js';
import type { SandboxControl } from '../sandbox/control-api/client.js';
import type { ContainerClient } from '../docker/client.js';

export type TargetName = 'sandbox' | 'aws';

/** Commercial regions a repository made in the wrong region is looked for in. */
export const COMMON_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1',
];


export interface TargetOptions {
  target: TargetName;
  region?: string;
  profile?: string;
  /** Prefix for a shared account: `alice` gives `alice/demo-app`. */
  learner?: string;
  repo?: string;
  env?: NodeJS.ProcessEnv;
  /** The sandbox's folder (tests); defaults to the state directory's. */
  sandboxDir?: string;
  /** The port to start the sandbox on when it is not running (the sandbox's last port otherwise). */
  port?: number;
  /** The engine a sandbox started here runs ECS tasks with (the learner's chosen client; detected otherwise). */
  containerClient?: ContainerClient;
}

/** What a target resolved to, for rendering lessons and building contexts. */
export interface ResolvedTarget {
  target: TargetName;
  region: string;
  accountId: string;
  registryHost: string;
  repositoryName: string;
  /** The ECR/STS endpoint override: the sandbox's, or a test's for the aws target. */
  endpoint?: string;
  profile?: string;
  /** aws only: the caller's ARN from STS, shown before the course goes on. */
  callerArn?: string;
  /** aws only: why STS could not say who the learner is (no credentials yet, SSO expired). */
  identityProblem?: string;
  /** Things the learner should know before going on (a region the running sandbox does not serve). */
  warnings?: string[];
  /** Credentials the checks read ECR state with. */
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * The learner's own credentials, as their aws CLI resolves them (profile, environment, SSO):
   * what STS checks. In the sandbox these differ from `credentials` until lesson 02 is done.
   */
  learnerCredentials: AwsCredentialIdentityProvider;
}

/**
 * The learner's credentials as their aws CLI resolves them with the environment `env` (the
 * profile files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name). With a profile, as the
 * lessons' `--profile` does: that profile alone (keys, a role, a credential_process, SSO), never
 * exported keys, and its own error when it fails ("returned expired credentials", "run aws sso
 * login"), which the SDK's default chain would bury under "Could not load credentials from any
 * providers" (and preface with a "Multiple credential sources detected" warning when keys are
 * exported, as `ecr-workbook sandbox env` does). Without one, the SDK's default chain.
 */
export async function learnerChain(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<AwsCredentialIdentityProvider> {
  const files = {
    ...(env.AWS_SHARED_CREDENTIALS_FILE ? { filepath: env.AWS_SHARED_CREDENTIALS_FILE } : {}),
    ...(env.AWS_CONFIG_FILE ? { configFilepath: env.AWS_CONFIG_FILE } : {}),
    // The learner edits ~/.aws while the workbook runs (watch), so re-read the files.
    ignoreCache: true,
  };
  if (profile) {
    const { fromIni } = await import('@aws-sdk/credential-provider-ini');
    return fromIni({ profile, ...files });
  }
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider(files);
}

export function repositoryNameFor(options: Pick<TargetOptions, 'learner' | 'repo'>): string {
  return repoForLearner(options.repo ?? DEFAULT_REPO, options.learner);
}

/** The SDK clients of a resolved target. */
export interface TargetClients {
  ecr(region?: string): Promise<ECRClient>;
  sts(): Promise<STSClient>;
  iam(): Promise<IAMClient>;
  ecs(): Promise<ECSClient>;
  asProfile(profile: string): ProfileClients;
}

/** Builds SDK clients for a resolved target (each built once, on first use). */
export function clientFactory(resolved: ResolvedTarget, env: NodeJS.ProcessEnv = process.env): TargetClients {
  const ecrClients = new Map<string, ECRClient>();
  let sts: STSClient | undefined;
  let iam: IAMClient | undefined;
  let ecs: ECSClient | undefined;
  const profiles = new Map<string, ProfileClients>();
  const where = { ...(resolved.endpoint ? { endpoint: resolved.endpoint } : {}), maxAttempts: 3 };
  const common = { credentials: resolved.credentials, ...where };
  // IAM is global: the SDK sends it to the partition's one endpoint, signed for us-east-1 (or its kin).
  const iamWith = async (credentials: ResolvedTarget['credentials']) => {
    const { IAMClient } = await import('@aws-sdk/client-iam');
    return new IAMClient({ ...where, credentials, region: resolved.region });
  };
  return {
    async ecr(region = resolved.region) {
      let client = ecrClients.get(region);
      if (!client) {
        const { ECRClient } = await import('@aws-sdk/client-ecr');
        client = new ECRClient({ ...common, region });
        ecrClients.set(region, client);
      }
      return client;
    },
    async sts() {
      if (!sts) {
        const { STSClient } = await import('@aws-sdk/client-sts');
        sts = new STSClient({ ...common, credentials: resolved.learnerCredentials, region: resolved.region });
      }
      return sts;
    },
    async iam() {
      iam ??= await iamWith(resolved.credentials);
      return iam;
    },
    asProfile(profile) {
      let clients = profiles.get(profile);
      if (!clients) {
        let profileSts: STSClient | undefined;
        let profileIam: IAMClient | undefined;
        const credentials = learnerChain(profile, env);
        clients = {
          async sts() {
            const { STSClient } = await import('@aws-sdk/client-sts');
            profileSts ??= new STSClient({ ...where, credentials: await credentials, region: resolved.region });
            return profileSts;
          },
          async iam() {
            profileIam ??= await iamWith(await credentials);
            return profileIam;
          },
        };
        profiles.set(profile, clients);
      }
      return clients;
    },
    async ecs() {
      if (!ecs) {
        const { ECSClient } = await import('@aws-sdk/client-ecs');
        ecs = new ECSClient({ ...common, region: resolved.region });
      }
      return ecs;
    },
  };
}

/** The sandbox's control API, with the keys the checks read ECR with (the sandbox's own). */
function sandboxControlFor(resolved: ResolvedTarget): SandboxControl | undefined {
  const { credentials, endpoint } = resolved;
  if (resolved.target !== 'sandbox' || !endpoint || typeof credentials === 'function') return undefined;
  let client: SandboxControl | undefined;
  return {
    async call(operation, input) {
      const { ControlClient } = await import('../sandbox/control-api/client.js');
      client ??= new ControlClient({ endpoint, region: resolved.region, credentials });
      return client.call(operation, input);
    },
  };
}

/** The check context for a resolved target. */
export function checkContext(resolved: ResolvedTarget, env: NodeJS.ProcessEnv = process.env, extra: Partial<CheckContext> = {}): CheckContext {
  const clients = clientFactory(resolved, env);
  const sandboxControl = sandboxControlFor(resolved);
  return {
    ...(sandboxControl ? { sandboxControl } : {}),
    region: resolved.region,
    registryHost: resolved.registryHost,
    repositoryName: resolved.repositoryName,
    repositoryUri: `${resolved.registryHost}/${resolved.repositoryName}`,
    tag: DEFAULT_TAG,
    localImage: `${DEFAULT_REPO}:${DEFAULT_TAG}`,
    ecr: clients.ecr,
    sts: clients.sts,
    accountId: resolved.accountId,
    iam: clients.iam,
    asProfile: clients.asProfile,
    ecs: clients.ecs,
    otherRegions: COMMON_REGIONS.filter((r) => r !== resolved.region),
    env,
    client: 'docker',
    profile: resolved.profile ?? DEFAULT_PROFILE,
    solutionOf: () => undefined,
    factsOf: () => undefined,
    ...extra,
  };
}

/** Resolves the sandbox target: starts the sandbox when it is not running. */
export async function resolveSandbox(options: TargetOptions, onProgress?: (m: string) => void): Promise<ResolvedTarget> {
  const { sandboxUp, sandboxCredentials } = await import('../sandbox/control.js');
  const { regionDiffersFromSandbox } = await import('../course/messages.js');
  const dir = options.sandboxDir ?? sandboxHome();
  // Started here, it serves the learner's region (and port); already running, it is what it is.
  const { runtime } = await sandboxUp({ dir, onProgress, ...(options.region ? { region: options.region } : {}), ...(options.port !== undefined ? { port: options.port } : {}), ...(options.containerClient ? { containerClient: options.containerClient } : {}) });
  const credentials = await sandboxCredentials(dir);
  if (!credentials) throw new Error(`The sandbox in ${dir} has no credentials in its state file.`);
  const region = options.region ?? runtime.region;
  return {
    target: 'sandbox',
    region,
    ...(region !== runtime.region ? { warnings: [regionDiffersFromSandbox(region, runtime.region, runtime.registryHost)] } : {}),
    accountId: runtime.accountId,
    registryHost: runtime.registryHost,
    repositoryName: repositoryNameFor(options),
    endpoint: runtime.endpoint,
    profile: options.profile,
    credentials,
    learnerCredentials: await learnerChain(options.profile ?? options.env?.AWS_PROFILE ?? DEFAULT_PROFILE, options.env),
  };
}

/** Thrown when the AWS target cannot be resolved (no region, no credentials): says what to do. */
export class TargetError extends Error {}

export { resolveAws, AWS_ENDPOINT_ENV, type AwsTargetOptions } from './aws.js';
