import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { listImageDetails } from '../src/check/images.js';
import { imageName, intentOf, judgedImages, judgePolicy, neededImageGone, refusedPolicyResult, targetNow } from '../src/check/lifecycle.js';
import { fail, pass, type Check } from '../src/check/types.js';

/**
 * Lesson 12, second step: the learner previewed a policy that does what the lesson asks. The
 * previewed policy is evaluated against the repository's images with the sandbox's own evaluator;
 * ECR's preview results are shown beside it (on AWS they are ECR's own evaluation).
 */
const check: Check = async (ctx, params) => {
  const intent = intentOf(params, ctx.tag);
  try {
    const client = await ctx.ecr();
    if (!(await findRepository(client, ctx.repositoryName))) return await missingRepositoryResult(ctx);
    const { GetLifecyclePolicyPreviewCommand } = await import('@aws-sdk/client-ecr');
    let preview;
    try {
      preview = await client.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: ctx.repositoryName, maxResults: 100 }));
    } catch (error) {
      if ((error as Error).name !== 'LifecyclePolicyPreviewNotFoundException') throw error;
      const refused = await refusedPolicyResult(ctx, ['StartLifecyclePolicyPreview', 'PutLifecyclePolicy'], 'ECR refused the policy');
      if (refused) return refused;
      return fail('no lifecycle policy preview yet', diagnoses.lifecycleNotPreviewed(ctx.repositoryName), ['GetLifecyclePolicyPreview: LifecyclePolicyPreviewNotFoundException']);
    }
    if (preview.status === 'IN_PROGRESS') return fail('the preview is still running', diagnoses.lifecyclePreviewRunning(), [`Preview status: ${preview.status}`]);
    // A candidate refused after the last good preview is the learner's latest attempt.
    const refused = await refusedPolicyResult(ctx, ['StartLifecyclePolicyPreview'], 'ECR refused the last policy you previewed');
    if (refused) return refused;
    const images = judgedImages(await listImageDetails(client, ctx.repositoryName));
    const gone = neededImageGone(ctx, images, intent, [`Images: ${images.map(imageName).join('; ')}`]);
    if (gone) return gone;
    const previewed = (preview.previewResults ?? []).map((r) => `${r.imageTags?.join(', ') || `<untagged ${r.imageDigest?.slice(0, 19)}…>`} (rule ${r.appliedRulePriority})`);
    const evidence = [`ECR's preview (${preview.status}): ${previewed.join('; ') || 'nothing expires'}`];
    const judgement = judgePolicy(preview.lifecyclePolicyText ?? '', images, intent, await targetNow(ctx), { everyRuleSelects: true });
    evidence.push(...judgement.evidence);
    if (!judgement.ok) return fail('the previewed policy does not do what the lesson asks', judgement.diagnosis, evidence);
    return pass(`the policy keeps the ${intent.keepVersions} newest versions and ${intent.protect}, and expires untagged images after ${intent.untaggedDays} day(s)`, evidence);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
