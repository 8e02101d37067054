import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { CiBuildRecord } from '../ci/record.js';
import type { STSClient } from '@aws-sdk/client-sts';
import type { ContainerClient } from '../docker/client.js';
import type { SandboxControl } from '../sandbox/control-api/client.js';

/** Everything a check may look at. A check never knows which target (sandbox or AWS) it runs on. */
export interface CheckContext {
  /** The region the lesson works in. */
  region: string;
  /** The registry docker logs in and pushes to: `localhost:5123` or `<acct>.dkr.ecr.<region>.amazonaws.com`. */
  registryHost: string;
  /** The course's repository name (may carry a learner prefix: `alice/demo-app`). */
  repositoryName: string;
  /** `<registryHost>/<repositoryName>`. */
  repositoryUri: string;
  /** The image tag the course uses (`v1`). */
  tag: string;
  /** The local image the build step makes (`demo-app:v1`). */
  localImage: string;
  /** ECR client for the lesson's region, or another region (to find a repository made in the wrong one). */
  ecr(region?: string): Promise<ECRClient>;
  /** STS client with the learner's credentials as the target resolves them. */
  sts(): Promise<STSClient>;
  /** The account the course's repository lives in (the learner's). */
  accountId: string;
  /** IAM client with the credentials ECR is read with (lesson 10's user, the policy simulator). */
  iam(): Promise<IAMClient>;
  /**
   * Clients signed with another named profile of the learner's, as their aws CLI resolves it
   * (`ci-reader`, the second account's `partner`): who it is, and that account's IAM.
   */
  asProfile(profile: string): ProfileClients;
  ecs(): Promise<ECSClient>;
  /** The last build `ecr-workbook ci run` recorded in the learner's state folder (lesson 15). */
  lastCiBuild?: () => Promise<CiBuildRecord | undefined>;
  /** Regions to look in when something is missing from the lesson's region. */
  otherRegions: string[];
  /** The learner's environment for docker or podman (HOME, DOCKER_CONFIG, REGISTRY_AUTH_FILE, PATH). */
  env: NodeJS.ProcessEnv;
  /** The container client the learner types: `docker`, or `podman` (its wording differs in diagnoses). */
  client: ContainerClient;
  /** The AWS CLI profile the lessons use (`ecr-workbook`): every aws command a fix prints carries it. */
  profile: string;
  /**
   * The reference commands of the course step that uses `check`, with the learner's values
   * (lesson 03's full create-repository when a repository is missing), or undefined.
   */
  solutionOf(check: string): string[] | undefined;
  /** The facts the last passing run of `check` recorded (image-pushed: the digest and the pull time it saw). */
  factsOf(check: string): Facts | undefined;
  /** The learner's knowledge-check score for the current lesson, recorded by the runner. */
  quizScore?: { answered: number; correct: number; total: number };
  /**
   * The sandbox's control API, present only where the target is a sandbox: what it recorded
   * beyond ECR's own answers (how a tag arrived, a call it refused, its clock). A check that
   * uses it says what it could not verify when it is absent (real AWS keeps no such record).
   */
  sandboxControl?: SandboxControl;
}

/** STS and IAM as one named profile of the learner's. */
export interface ProfileClients {
  sts(): Promise<STSClient>;
  iam(): Promise<IAMClient>;
}

export interface Diagnosis {
  /** Stable id, used by tests and `--json`: `repository-in-other-region`, `token-expired`, … */
  id: string;
  /** What most likely went wrong, in the learner's terms. */
  mistake: string;
  /** What to do next, in words. */
  fix: string;
  /**
   * The complete command that does it, with the learner's real values (region, profile, registry,
   * repository); following it turns the check green. Written with `docker` and plain `aws`: the
   * runner renders it for the learner's client and aws CLI, as it renders lessons.
   */
  command?: string;
}

/** Machine-readable facts a passing check records in progress, for later checks to compare with. */
export type Facts = Record<string, string | number | boolean | null>;

export interface CheckResult {
  /** pass, fail (the step is not done), or error (could not check: exit 2). */
  status: 'pass' | 'fail' | 'error';
  /** One line: what was found. */
  summary: string;
  /** What the check looked at and saw, one fact per line. */
  evidence: string[];
  diagnosis?: Diagnosis;
  /** Further problems the same check found, each with its own fix: a check reports them all at once. */
  more?: Diagnosis[];
  /** What a pass saw, kept in progress for later checks (see CheckContext.factsOf). */
  facts?: Facts;
}

export type Check = (ctx: CheckContext, params: Record<string, unknown>) => Promise<CheckResult>;

/** A passing result with its evidence (and facts for later checks). */
export function pass(summary: string, evidence: string[] = [], facts?: Facts): CheckResult {
  return { status: 'pass', summary, evidence, ...(facts ? { facts } : {}) };
}

/** A failing result: what was found, and the diagnosis (or every problem found, most important first). */
export function fail(summary: string, diagnosis: Diagnosis | Diagnosis[], evidence: string[] = []): CheckResult {
  const [first, ...more] = Array.isArray(diagnosis) ? diagnosis : [diagnosis];
  return { status: 'fail', summary, evidence, diagnosis: first, ...(more.length ? { more } : {}) };
}

/** Every diagnosis of a result, the main one first. */
export function diagnosesOf(result: Pick<CheckResult, 'diagnosis' | 'more'>): Diagnosis[] {
  return [...(result.diagnosis ? [result.diagnosis] : []), ...(result.more ?? [])];
}

/** Could not check at all (docker down, network, throttling): exit code 2, never "fail". */
export function unable(summary: string, diagnosis: Diagnosis, evidence: string[] = []): CheckResult {
  return { status: 'error', summary, evidence, diagnosis };
}
