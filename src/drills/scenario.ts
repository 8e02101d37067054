/**
 * A drill's mechanics: `setup` breaks something real on the sandbox (with the kit's moves: a
 * repository, a CI user, images, a login), and `check` looks at the real state and fails with the
 * drill's own diagnosis until it is fixed. The words live in lessons/drills/<id>.md. Checks are
 * built from the course's own checks where they fit (docker-logged-in, image-pushed), run on the
 * drill's repository and docker config.
 */
import fsp from 'node:fs/promises';
import { diagnoses } from '../check/diagnoses.js';
import { runCheck } from '../check/registry.js';
import { fail, pass, type CheckResult } from '../check/types.js';
import { ADMIN_PROFILE, CI_PROFILE, DRILL_USER, type DrillKit } from './kit.js';

export interface Scenario {
  setup(kit: DrillKit): Promise<void>;
  check(kit: DrillKit): Promise<CheckResult>;
}

/** The first result that is not a pass, else a pass that carries every step's evidence. */
export async function allOf(summary: string, ...steps: Array<() => Promise<CheckResult>>): Promise<CheckResult> {
  const evidence: string[] = [];
  for (const step of steps) {
    const result = await step();
    if (result.status !== 'pass') return { ...result, evidence: [...evidence, ...result.evidence] };
    evidence.push(...result.evidence);
  }
  return pass(summary, evidence);
}

/** Lesson 04's check on the drill's docker config: a login for the registry, as AWS, accepted now. */
export function loggedIn(kit: DrillKit): Promise<CheckResult> {
  return runCheck('docker-logged-in', kit.checkContext());
}

/** Lesson 07's check on the drill's repository: `tag` is there, the same image as the local one. */
export function pushed(kit: DrillKit, tag: string, localImage = `${kit.uri}:${tag}`): Promise<CheckResult> {
  return runCheck('image-pushed', kit.checkContext({ tag, localImage }));
}

/** Where the pipeline's hand-written inline policy is kept for the learner to edit. */
export const CI_POLICY_FILE = 'ci-push-policy.json';

/**
 * The pipeline user's permissions as a hand-written inline policy, `ci-push`: the statements
 * given, and one for the drill's repository with `repositoryActions`.
 */
export function ciPushPolicy(kit: DrillKit, statements: object[], repositoryActions: string[]): { inline: { name: string; file: string; document: object } } {
  return {
    inline: {
      name: 'ci-push',
      file: CI_POLICY_FILE,
      document: { Version: '2012-10-17', Statement: [...statements, { Sid: 'PushToOurRepository', Effect: 'Allow', Action: repositoryActions, Resource: kit.repositoryArn }] },
    },
  };
}

/** The image actions `docker push` needs on a repository (ECR User Guide, "Required IAM permissions for pushing an image"). */
export const PUSH_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage'];

export interface Simulated {
  action: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
}

/**
 * IAM's policy simulator for the CI user on the drill's repository, with the repository's own
 * policy weighed in, as `aws iam simulate-principal-policy --resource-policy` does.
 */
export async function simulateCi(kit: DrillKit, actions: readonly string[]): Promise<Simulated[]> {
  const [{ SimulatePrincipalPolicyCommand }, { GetRepositoryPolicyCommand }] = await Promise.all([import('@aws-sdk/client-iam'), import('@aws-sdk/client-ecr')]);
  let policy: string | undefined;
  try {
    policy = (await (await kit.ecr()).send(new GetRepositoryPolicyCommand({ repositoryName: kit.place.repo }))).policyText;
  } catch (error) {
    if ((error as Error).name !== 'RepositoryPolicyNotFoundException') throw error;
  }
  const out = await (await kit.iam()).send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: kit.userArn,
      ActionNames: [...actions],
      ResourceArns: [kit.repositoryArn],
      ...(policy ? { ResourcePolicy: policy } : {}),
    }),
  );
  return (out.EvaluationResults ?? []).map((r) => ({ action: r.EvalActionName!, decision: r.EvalDecision as Simulated['decision'] }));
}

/** One line of evidence per simulated action. */
export function simulatedEvidence(results: readonly Simulated[]): string[] {
  return results.map((r) => `simulate-principal-policy ${r.action}: ${r.decision}`);
}

/**
 * Whether the CI user may push to the drill's repository, by IAM's simulator: an explicit Deny
 * (a repository policy) is told apart from an action no policy allows.
 */
export async function mayPush(kit: DrillKit): Promise<CheckResult> {
  const results = await simulateCi(kit, PUSH_ACTIONS);
  const evidence = simulatedEvidence(results);
  const denied = results.filter((r) => r.decision === 'explicitDeny').map((r) => r.action);
  if (denied.length) return fail(`a policy denies ${DRILL_USER} ${denied.join(', ')}`, diagnoses.repositoryPolicyDeny(DRILL_USER, kit.place.repo, denied), evidence);
  const missing = results.filter((r) => r.decision !== 'allowed').map((r) => r.action);
  if (missing.length) return fail(`${DRILL_USER} may not ${missing.join(', ')}`, diagnoses.pushPermissionMissing(DRILL_USER, missing), evidence);
  return pass(`${DRILL_USER} may push`, evidence);
}

/** The region a profile of the drill's aws config names (`aws configure set region` writes it there). */
export async function profileRegion(kit: DrillKit, profile: string = CI_PROFILE): Promise<string | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(kit.file('aws/config'), 'utf8');
  } catch {
    return undefined;
  }
  const wanted = profile === 'default' ? ['default'] : [`profile ${profile}`, profile];
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) inSection = wanted.includes(section[1]!.replace(/\s+/g, ' '));
    else if (inSection) {
      const entry = /^region\s*=\s*(\S+)/.exec(line);
      if (entry) return entry[1];
    }
  }
  return undefined;
}

export { ADMIN_PROFILE, CI_PROFILE };
