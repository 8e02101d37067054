import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { CiBuildRecord } from '../ci/record.js';
import type { STSClient } from '@aws-sdk/client-sts';
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
  /** IAM and ECS clients, with the credentials the checks read ECR with. */
  iam(): Promise<IAMClient>;
  ecs(): Promise<ECSClient>;
  /** The last build `ecr-workbook ci run` recorded in the learner's state folder (lesson 15). */
  lastCiBuild?: () => Promise<CiBuildRecord | undefined>;
  /** Regions to look in when something is missing from the lesson's region. */
  otherRegions: string[];
  /** The learner's environment for docker (HOME, DOCKER_CONFIG, PATH). */
  env: NodeJS.ProcessEnv;
  /** The learner's knowledge-check score for the current lesson, recorded by the runner. */
  quizScore?: { answered: number; correct: number; total: number };
  /**
   * The sandbox's control API, present only where the target is a sandbox: what it recorded
   * beyond ECR's own answers (how a tag arrived, a call it refused, its clock). A check that
   * uses it says what it could not verify when it is absent (real AWS keeps no such record).
   */
  sandboxControl?: SandboxControl;
}

export interface Diagnosis {
  /** Stable id, used by tests and `--json`: `repository-in-other-region`, `token-expired`, … */
  id: string;
  /** What most likely went wrong, in the learner's terms. */
  mistake: string;
  /** What to do next, with the command where there is one. */
  fix: string;
}

export interface CheckResult {
  /** pass, fail (the step is not done), or error (could not check: exit 2). */
  status: 'pass' | 'fail' | 'error';
  /** One line: what was found. */
  summary: string;
  /** What the check looked at and saw, one fact per line. */
  evidence: string[];
  diagnosis?: Diagnosis;
}

export type Check = (ctx: CheckContext, params: Record<string, unknown>) => Promise<CheckResult>;

/** A passing result with its evidence. */
export function pass(summary: string, evidence: string[] = []): CheckResult {
  return { status: 'pass', summary, evidence };
}

/** A failing result: what was found, and the diagnosis. */
export function fail(summary: string, diagnosis: Diagnosis, evidence: string[] = []): CheckResult {
  return { status: 'fail', summary, evidence, diagnosis };
}

/** Could not check at all (docker down, network, throttling): exit code 2, never "fail". */
export function unable(summary: string, diagnosis: Diagnosis, evidence: string[] = []): CheckResult {
  return { status: 'error', summary, evidence, diagnosis };
}
