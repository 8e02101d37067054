import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { findImageByTag, listImageDetails } from '../src/check/images.js';
import { latestRefusal } from '../src/check/lifecycle.js';
import { fail, pass, type Check } from '../src/check/types.js';
import type { TagArrivalsOutput } from '../src/sandbox/control-api/operations.js';

/**
 * Lesson 13: `to` (prod) names the same image as `from` (v1), put there with the API rather than
 * pulled and pushed. The sandbox records how each tag arrived; real AWS does not (CloudTrail
 * would), so there the check verifies the digest only and says so.
 */
const check: Check = async (ctx, params) => {
  const from = typeof params.from === 'string' ? params.from : ctx.tag;
  const to = typeof params.to === 'string' ? params.to : 'prod';
  try {
    const client = await ctx.ecr();
    const repo = await findRepository(client, ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    const [source, promoted] = await Promise.all([findImageByTag(client, ctx.repositoryName, from), findImageByTag(client, ctx.repositoryName, to)]);
    if (!source) return fail(`no image tagged ${from}`, diagnoses.promotionSourceMissing(ctx.repositoryName, from, ctx.repositoryUri));
    const evidence = [`${from}: ${source.imageDigest}`, `${to}: ${promoted?.imageDigest ?? 'none'}`];
    if (!promoted) {
      const refused = await latestRefusal(ctx, ['PutImage']);
      if (refused) {
        evidence.push(`PutImage: ${refused.code}: ${refused.message}`);
        if (refused.code === 'ImageTagAlreadyExistsException') return fail(`${to} was refused`, diagnoses.promotedTagImmutable(ctx.repositoryName, to, from), evidence);
        if (/Invalid JSON syntax|media ?type/i.test(refused.message)) return fail('ECR refused the put-image', diagnoses.putImageMediaType(refused.message), evidence);
      }
      return fail(`no image tagged ${to}`, diagnoses.notPromoted(ctx.repositoryName, from, to), evidence);
    }
    if (promoted.imageDigest !== source.imageDigest) {
      if (repo.imageTagMutability?.startsWith('IMMUTABLE')) return fail(`${to} is another image`, diagnoses.promotedTagImmutable(ctx.repositoryName, to, from), evidence);
      const others = (promoted.imageTags ?? []).filter((tag) => tag !== to);
      return fail(`${to} is another image`, diagnoses.promotedOtherImage(to, from, others[0]), evidence);
    }
    evidence.push(`Last pull of ${from} ECR recorded: ${source.lastRecordedPullTime?.toISOString() ?? 'none'}`);
    if (!ctx.sandboxControl) {
      evidence.push(`Real ECR keeps no record of how a tag arrived (CloudTrail's PutImage events would show it), so on AWS this check verified the digest only.`);
      return pass(`${to} and ${from} are one image (${source.imageDigest})`, evidence);
    }
    const { tags } = await ctx.sandboxControl.call<TagArrivalsOutput>('DescribeTagArrivals', { repositoryName: ctx.repositoryName, region: ctx.region });
    const arrival = tags.find((t) => t.imageTag === to);
    evidence.push(`How ${to} arrived: ${arrival?.via === 'put-image' ? 'the PutImage API' : arrival?.via === 'registry' ? 'docker push' : 'not recorded'}`);
    if (arrival?.via === 'registry') return fail(`${to} was pushed from your machine`, diagnoses.promotedByPush(to, from), evidence);
    return pass(`${to} and ${from} are one image, promoted without a pull or a push`, evidence);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
