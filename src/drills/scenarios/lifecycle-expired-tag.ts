import type { ImageDetail } from '@aws-sdk/client-ecr';
import { diagnoses } from '../../check/diagnoses.js';
import { resultForError } from '../../check/common.js';
import { findImageByTag, listImageDetails } from '../../check/images.js';
import { judgedImages } from '../../check/lifecycle.js';
import { fail, pass, type CheckResult } from '../../check/types.js';
import { evaluateLifecyclePolicy, type LifecycleImage } from '../../sandbox/backend/lifecycle.js';
import { parseLifecyclePolicy } from '../../sandbox/backend/lifecycle-policy.js';
import type { ClockOutput, RunLifecycleOutput } from '../../sandbox/control-api/operations.js';
import { DrillSetupError, type DrillKit } from '../kit.js';
import type { Scenario } from '../scenario.js';

export const POLICY_FILE = 'lifecycle-policy.json';
/** The release production still runs. */
const DEPLOYED = 'v1';
/** How far ahead the check looks: this many more pushes (tagged and untagged), and a year. */
const FUTURE_PUSHES = 100;
const YEAR = 365 * 86_400;

const KEEP_THREE = {
  rules: [{ rulePriority: 1, description: 'Keep the 3 newest images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } }],
};

/** The repository's images, and as many newer ones again as CI will push in the months ahead. */
function withFuturePushes(details: ImageDetail[], now: number): LifecycleImage[] {
  const future: LifecycleImage[] = [];
  for (let i = 1; i <= FUTURE_PUSHES; i++) {
    future.push({ digest: `sha256:future-tagged-${i}`, tags: [`build-${i}`], pushedAt: now + i * 3600 });
    future.push({ digest: `sha256:future-untagged-${i}`, tags: [], pushedAt: now + i * 3600 + 1 });
  }
  return [...judgedImages(details), ...future];
}

/** Whether the repository's lifecycle policy can ever expire the deployed tag again. */
async function policyKeepsDeployed(kit: DrillKit): Promise<CheckResult> {
  const { GetLifecyclePolicyCommand } = await import('@aws-sdk/client-ecr');
  let text: string | undefined;
  try {
    text = (await (await kit.ecr()).send(new GetLifecyclePolicyCommand({ repositoryName: kit.place.repo }))).lifecyclePolicyText;
  } catch (error) {
    if ((error as Error).name !== 'LifecyclePolicyNotFoundException') throw error;
  }
  if (!text) return pass('the repository has no lifecycle policy', ['GetLifecyclePolicy: LifecyclePolicyNotFoundException (nothing expires; untagged images pile up and cost money)']);
  const { now } = await kit.control().call<ClockOutput>('DescribeClock');
  const images = withFuturePushes(await listImageDetails(await kit.ecr(), kit.place.repo), now);
  const { verdicts } = evaluateLifecyclePolicy(parseLifecyclePolicy(text), images, now + YEAR);
  const evidence = [`The policy, evaluated with ${FUTURE_PUSHES} more tagged and ${FUTURE_PUSHES} more untagged pushes, a year from now: expires ${verdicts.length} image(s)`];
  const hit = verdicts.find((v) => v.image.tags.includes(DEPLOYED));
  if (hit) return fail(`the policy would expire ${DEPLOYED} again (rule ${hit.rule.rulePriority})`, diagnoses.lifecycleWouldExpireAgain(DEPLOYED, hit.rule.rulePriority, kit.place.repo), evidence);
  return pass(`the policy never expires ${DEPLOYED}`, [...evidence, `${DEPLOYED}: kept`]);
}

const scenario: Scenario = {
  async setup(kit) {
    await kit.createRepository();
    await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryPowerUser' });
    await kit.dockerLogin();
    // Four releases, pushed in order; v1 is what production still runs. The local copies stay: CI's cache.
    for (const version of ['v1', 'v2', 'v3', 'v4']) {
      await kit.importImage(`${kit.uri}:${version}`, `release ${version}\n`);
      await kit.docker(`pushing ${version}`, ['push', `${kit.uri}:${version}`]);
    }
    const text = `${JSON.stringify(KEEP_THREE, null, 2)}\n`;
    await kit.writeFile(POLICY_FILE, text);
    const { PutLifecyclePolicyCommand } = await import('@aws-sdk/client-ecr');
    await (await kit.ecr()).send(new PutLifecyclePolicyCommand({ repositoryName: kit.place.repo, lifecyclePolicyText: text }));
    // What ECR does within a day, the sandbox does now.
    const { runs } = await kit.control().call<RunLifecycleOutput>('RunLifecycle', { repositoryName: kit.place.repo, region: kit.place.region });
    if (await findImageByTag(await kit.ecr(), kit.place.repo, DEPLOYED)) throw new DrillSetupError('applying the lifecycle policy', `${DEPLOYED} was not expired: ${JSON.stringify(runs)}`);
  },
  async check(kit) {
    try {
      const deployed = await findImageByTag(await kit.ecr(), kit.place.repo, DEPLOYED);
      if (!deployed) {
        return fail(`${DEPLOYED} is not in the repository`, diagnoses.lifecycleExpiredDeployedTag(DEPLOYED, kit.uri), [`DescribeImages ${kit.place.repo}:${DEPLOYED}: ImageNotFoundException`]);
      }
      const policy = await policyKeepsDeployed(kit);
      const evidence = [`In ECR: ${kit.place.repo}:${DEPLOYED} = ${deployed.imageDigest}`, ...policy.evidence];
      return policy.status === 'pass' ? pass(`${DEPLOYED} is back, and the lifecycle policy keeps it`, evidence) : { ...policy, evidence };
    } catch (error) {
      return resultForError(error, 'ECR', kit.checkContext());
    }
  },
};
export default scenario;
