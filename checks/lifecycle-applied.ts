import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { listImageDetails } from '../src/check/images.js';
import { imageName, intendedExpiry, intentOf, judgedImages, judgePolicy, neededImageGone, refusedPolicyResult, targetNow } from '../src/check/lifecycle.js';
import { fail, pass, type Check } from '../src/check/types.js';

/**
 * Lesson 12, last step: the policy is saved and does what the lesson asks, and, on the sandbox,
 * the images it expires are gone once the clock has moved past a day. Real AWS applies a policy
 * within 24 hours, so there the check verifies the saved policy (the preview showed the rest).
 */
const check: Check = async (ctx, params) => {
  const intent = intentOf(params, ctx.tag);
  try {
    const client = await ctx.ecr();
    if (!(await findRepository(client, ctx.repositoryName))) return await missingRepositoryResult(ctx);
    const { GetLifecyclePolicyCommand } = await import('@aws-sdk/client-ecr');
    let policy;
    try {
      policy = await client.send(new GetLifecyclePolicyCommand({ repositoryName: ctx.repositoryName }));
    } catch (error) {
      if ((error as Error).name !== 'LifecyclePolicyNotFoundException') throw error;
      const refused = await refusedPolicyResult(ctx, ['PutLifecyclePolicy'], 'ECR refused the policy');
      if (refused) return refused;
      return fail(`'${ctx.repositoryName}' has no lifecycle policy`, diagnoses.lifecycleNotApplied(ctx.repositoryName), ['GetLifecyclePolicy: LifecyclePolicyNotFoundException']);
    }
    const images = judgedImages(await listImageDetails(client, ctx.repositoryName));
    const evidence = [`Policy last evaluated: ${policy.lastEvaluatedAt?.toISOString() ?? 'not yet'}`, `Images now: ${images.map(imageName).join('; ') || 'none'}`];
    const gone = neededImageGone(ctx, images, intent, evidence);
    if (gone) return gone;
    const now = await targetNow(ctx);
    // What is left is judged; after an expiry an untagged rule may have nothing left to select.
    const judgement = judgePolicy(policy.lifecyclePolicyText ?? '', images, intent, now, { everyRuleSelects: false });
    evidence.push(...judgement.evidence);
    if (!judgement.ok) return fail('the saved policy does not do what the lesson asks', judgement.diagnosis, evidence);
    if (!ctx.sandboxControl) {
      evidence.push('AWS applies a lifecycle policy within 24 hours of saving it, so this check verified the saved policy; the preview showed which images will go.');
      return pass('the saved policy does what the lesson asks (AWS expires the images within 24 hours)', evidence);
    }
    const due = images.filter((image) => intendedExpiry(images, intent, now).has(image.digest) || image.tags.length === 0);
    if (due.length > 0) return fail(`${due.length} image(s) the policy expires are still there`, diagnoses.lifecycleNotYetExpired(due.map(imageName)), evidence);
    return pass(`the policy is saved, and the images it expires are gone: ${images.length} remain`, evidence);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
