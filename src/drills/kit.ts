/**
 * What a drill's setup, check and clean-up work with: its place (folder, repository, the
 * sandbox), the sandbox's own clients (ECR, IAM, the control API) with its administrator's keys,
 * the drill's environment (its own docker config and aws profiles), and the few moves drills
 * share: a repository, a CI user and its profile, an image, a docker login. Everything the
 * drill makes is named after it, so it never meets the learner's course, and is cleaned up by
 * `cleanUp` alone.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import { containerCli, removeRepositoryImages } from '../docker/cli.js';
import type { ClientEnv } from '../docker/client.js';
import { ControlClient } from '../sandbox/control-api/client.js';
import { checkContext, type ResolvedTarget } from '../targets/index.js';
import type { CheckContext } from '../check/types.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { DrillVars } from './vars.js';

/** The CI user every drill's pipeline runs as. */
export const DRILL_USER = 'drill-ci';
/** The drill's profiles: the pipeline's, and the platform team's (the learner's own administrator keys). */
export const CI_PROFILE = 'ci';
export const ADMIN_PROFILE = 'admin';

/** Where a drill lives: its folder, its repository, and the sandbox it runs on. Saved in `drill.json`. */
export interface DrillPlace {
  id: string;
  dir: string;
  endpoint: string;
  registryHost: string;
  region: string;
  account: string;
  /** The drill's repository: `drill/<id>`. */
  repo: string;
}

/** What setup left for the check and the clean-up (keys, image ids, names), saved in `drill.json`. */
export interface DrillFacts {
  ciKey?: { accessKeyId: string; secretAccessKey: string };
  /** Local image references the drill made; clean-up removes exactly these (and its repository's). */
  localImages?: string[];
  /** Values for the drill's own placeholders (`vars:` in its file). */
  vars?: Record<string, string>;
  [key: string]: unknown;
}

export interface DrillRecord extends DrillPlace {
  startedAt: string;
  facts: DrillFacts;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The variables a drill's environment sets, and those it clears (they would override its profile). */
export const DRILL_ENV_CLEARED = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_DEFAULT_PROFILE',
  'AWS_ENDPOINT_URL',
] as const;

/** The drill's repository name for a drill id. */
export function drillRepository(id: string): string {
  return `drill/${id}`;
}

/** A drill's folder under the state directory. */
export function drillDir(stateDir: string, id: string): string {
  return path.join(stateDir, 'drills', id);
}

/** The exports that put a shell in the drill's environment (`drill env`). */
export function drillEnvVars(place: Pick<DrillPlace, 'dir' | 'endpoint'>): Record<string, string> {
  return {
    DOCKER_CONFIG: path.join(place.dir, 'docker'),
    AWS_CONFIG_FILE: path.join(place.dir, 'aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(place.dir, 'aws', 'credentials'),
    AWS_PROFILE: CI_PROFILE,
    // aws CLI v1.29+ / v2.13+ read these (and the profiles' endpoint_url); older ones need --endpoint-url.
    AWS_ENDPOINT_URL_ECR: place.endpoint,
    AWS_ENDPOINT_URL_STS: place.endpoint,
    AWS_ENDPOINT_URL_IAM: place.endpoint,
  };
}

/** The learner's environment as the drill's shell sees it: theirs, with the drill's docker config and profiles instead. */
export function drillEnv(place: Pick<DrillPlace, 'dir' | 'endpoint'>, learnerEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...learnerEnv };
  for (const name of DRILL_ENV_CLEARED) delete env[name];
  return { ...env, ...drillEnvVars(place) };
}

/** A whole-file tar (ustar) holding one file: what `docker import` turns into a one-layer image. */
export function tarOfOneFile(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text.slice(0, length), offset, 'ascii');
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 12);
  put(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  const sum = header.reduce((n, byte) => n + byte, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, padding, Buffer.alloc(1024)]);
}

/** A setup step failed: which one, and docker's or AWS's own words. */
export class DrillSetupError extends Error {
  constructor(
    readonly step: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'DrillSetupError';
  }
}

export class DrillKit {
  readonly facts: DrillFacts;
  private clients: { ecr?: ECRClient; iam?: IAMClient; control?: ControlClient } = {};

  constructor(
    readonly place: DrillPlace,
    /** The sandbox's own (administrator) keys: the `admin` profile, and what setup and checks use. */
    readonly admin: Credentials,
    /** The learner's environment (PATH, HOME, DOCKER_HOST); the drill's own replaces their docker config and profiles. */
    readonly learnerEnv: NodeJS.ProcessEnv,
    facts: DrillFacts = {},
  ) {
    this.facts = facts;
  }

  get uri(): string {
    return `${this.place.registryHost}/${this.place.repo}`;
  }

  get repositoryArn(): string {
    return `arn:aws:ecr:${this.place.region}:${this.place.account}:repository/${this.place.repo}`;
  }

  get userArn(): string {
    return `arn:aws:iam::${this.place.account}:user/${DRILL_USER}`;
  }

  /** The drill's environment: what its symptom runs in, and what `drill env` exports. */
  get env(): NodeJS.ProcessEnv {
    return drillEnv(this.place, this.learnerEnv);
  }

  /** The docker CLI in the drill's environment (drills are written for docker). */
  get dockerClient(): ClientEnv {
    return { env: this.env, client: 'docker' };
  }

  /** A file in the drill's folder. */
  file(name: string): string {
    return path.join(this.place.dir, name);
  }

  /** The values of the drill's placeholders. */
  vars(): DrillVars {
    return {
      registry: this.place.registryHost,
      region: this.place.region,
      account: this.place.account,
      repo: this.place.repo,
      uri: this.uri,
      user: DRILL_USER,
      userArn: this.userArn,
      profile: CI_PROFILE,
      adminProfile: ADMIN_PROFILE,
      dir: this.place.dir,
      ...this.facts.vars,
    };
  }

  private clientConfig(credentials: Credentials = this.admin, region = this.place.region) {
    return { endpoint: this.place.endpoint, region, credentials, maxAttempts: 2 };
  }

  /** ECR with the administrator's keys (or others: the CI user's, to see what it sees). */
  async ecr(credentials?: Credentials): Promise<ECRClient> {
    const { ECRClient } = await import('@aws-sdk/client-ecr');
    if (credentials) return new ECRClient(this.clientConfig(credentials));
    return (this.clients.ecr ??= new ECRClient(this.clientConfig()));
  }

  async iam(): Promise<IAMClient> {
    const { IAMClient } = await import('@aws-sdk/client-iam');
    return (this.clients.iam ??= new IAMClient(this.clientConfig()));
  }

  /** The sandbox control API (short-lived tokens, running lifecycle policies now). */
  control(): ControlClient {
    return (this.clients.control ??= new ControlClient({ endpoint: this.place.endpoint, region: this.place.region, credentials: this.admin }));
  }

  /** A check context on the drill: its repository, its docker config; the course's checks run on it unchanged. */
  checkContext(extra: Partial<CheckContext> = {}): CheckContext {
    const resolved: ResolvedTarget = {
      target: 'sandbox',
      region: this.place.region,
      accountId: this.place.account,
      registryHost: this.place.registryHost,
      repositoryName: this.place.repo,
      endpoint: this.place.endpoint,
      credentials: this.admin,
      learnerCredentials: async () => this.facts.ciKey ?? this.admin,
    };
    return checkContext(resolved, this.env, { client: 'docker', profile: CI_PROFILE, ...extra });
  }

  // ------------------------------------------------------------------ setup

  /** Runs docker in the drill's environment; a failure is a DrillSetupError naming `step`. */
  async docker(step: string, args: string[], input?: string): Promise<string> {
    const result = await containerCli(this.dockerClient, args, input);
    if (result.code !== 0) throw new DrillSetupError(step, `docker ${args[0]}: ${(result.stderr || result.stdout).trim()}`);
    return result.stdout;
  }

  /** The drill's repository (created fresh: clean-up ran before setup). */
  async createRepository(options: { mutability?: 'MUTABLE' | 'IMMUTABLE' } = {}): Promise<void> {
    const { CreateRepositoryCommand } = await import('@aws-sdk/client-ecr');
    await (await this.ecr()).send(new CreateRepositoryCommand({ repositoryName: this.place.repo, imageTagMutability: options.mutability ?? 'MUTABLE' }));
  }

  /**
   * The pipeline's IAM user with its permissions (a managed policy, or an inline one also saved
   * as a file in the drill's folder for the learner to edit), an access key, and the drill's two
   * profiles: `ci` (those keys; `region` as given, the sandbox's by default) and `admin`.
   */
  async createCiUser(permissions: { managed: string } | { inline: { name: string; file: string; document: object } }, options: { region?: string } = {}): Promise<void> {
    const iam = await import('@aws-sdk/client-iam');
    const client = await this.iam();
    await client.send(new iam.CreateUserCommand({ UserName: DRILL_USER }));
    if ('managed' in permissions) {
      await client.send(new iam.AttachUserPolicyCommand({ UserName: DRILL_USER, PolicyArn: `arn:aws:iam::aws:policy/${permissions.managed}` }));
    } else {
      const text = `${JSON.stringify(permissions.inline.document, null, 2)}\n`;
      await this.writeFile(permissions.inline.file, text);
      await client.send(new iam.PutUserPolicyCommand({ UserName: DRILL_USER, PolicyName: permissions.inline.name, PolicyDocument: text }));
    }
    const { AccessKey } = await client.send(new iam.CreateAccessKeyCommand({ UserName: DRILL_USER }));
    this.facts.ciKey = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await this.writeProfiles(options.region ?? this.place.region);
  }

  private async writeProfiles(ciRegion: string): Promise<void> {
    const key = this.facts.ciKey!;
    const profile = (name: string, region: string) => [`[${name === 'default' ? name : `profile ${name}`}]`, `region = ${region}`, `endpoint_url = ${this.place.endpoint}`, ''];
    const keys = (name: string, c: Credentials) => [`[${name}]`, `aws_access_key_id = ${c.accessKeyId}`, `aws_secret_access_key = ${c.secretAccessKey}`, ''];
    await this.writeFile(path.join('aws', 'config'), [...profile(CI_PROFILE, ciRegion), ...profile(ADMIN_PROFILE, this.place.region)].join('\n'));
    await this.writeFile(path.join('aws', 'credentials'), [...keys(CI_PROFILE, key), ...keys(ADMIN_PROFILE, this.admin)].join('\n'));
  }

  /** Writes a file in the drill's folder (owner-only: some hold keys). */
  async writeFile(name: string, text: string): Promise<void> {
    await writeFileAtomic(this.file(name), text);
  }

  /**
   * A one-layer image made with `docker import` (no build, no network), remembered for clean-up;
   * its image id. `content` is ASCII, so the tar goes through docker's stdin as text unchanged.
   */
  async importImage(ref: string, content: string): Promise<string> {
    if (!/^[\x00-\x7f]*$/.test(content)) throw new DrillSetupError(`making the image ${ref}`, 'the file content of a drill image must be ASCII');
    const id = (await this.docker(`making the image ${ref}`, ['import', '-', ref], tarOfOneFile('app.txt', content).toString('latin1'))).trim();
    this.facts.localImages = [...new Set([...(this.facts.localImages ?? []), ref])];
    return id;
  }

  /** `docker login` to the sandbox's registry in the drill's docker config, as the CI user, with a token lasting `validForSeconds` (default: ECR's 12 hours). */
  async dockerLogin(validForSeconds?: number): Promise<{ expiresAt: number }> {
    const { password, expiresAt } = await this.control().call<{ password: string; expiresAt: number }>('IssueAuthorizationToken', {
      accessKeyId: this.facts.ciKey!.accessKeyId,
      ...(validForSeconds ? { validForSeconds } : {}),
    });
    await this.docker('logging docker in', ['login', '--username', 'AWS', '--password-stdin', this.place.registryHost], password);
    return { expiresAt };
  }

  // ------------------------------------------------------------------ clean-up

  /** Removes everything the drill made: its repository, the CI user, its local images, its folder. Says what went. */
  async cleanUp(): Promise<string[]> {
    const gone: string[] = [];
    const ecr = await import('@aws-sdk/client-ecr');
    try {
      await (await this.ecr()).send(new ecr.DeleteRepositoryCommand({ repositoryName: this.place.repo, force: true }));
      gone.push(`repository ${this.place.repo}`);
    } catch (error) {
      if ((error as Error).name !== 'RepositoryNotFoundException') throw error;
    }
    if (await this.deleteCiUser()) gone.push(`IAM user ${DRILL_USER}`);
    // With docker down, the local tags stay (they cost nothing, and the next start removes them).
    const images = await this.removeLocalImages().catch(() => []);
    if (images.length) gone.push(`${images.length} local image reference${images.length === 1 ? '' : 's'}`);
    if (fs.existsSync(this.place.dir)) {
      await fsp.rm(this.place.dir, { recursive: true, force: true });
      gone.push(`the drill's folder`);
    }
    return gone;
  }

  /**
   * Removes the local images the drill made, and every reference to its repository: the
   * learner's tags, and the digest references a moved tag leaves behind. Returns what went.
   */
  private async removeLocalImages(): Promise<string[]> {
    const made = (this.facts.localImages ?? []).filter((ref) => !ref.startsWith(`${this.uri}:`));
    const removed = await removeRepositoryImages(this.uri, this.dockerClient);
    for (const ref of made) if ((await containerCli(this.dockerClient, ['rmi', '--force', ref])).code === 0) removed.push(ref);
    return removed;
  }

  private async deleteCiUser(): Promise<boolean> {
    const { deleteIamUser } = await import('../check/iam.js');
    return deleteIamUser(await this.iam(), DRILL_USER);
  }
}
