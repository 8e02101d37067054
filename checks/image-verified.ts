import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { findImageByTag } from '../src/check/images.js';

/**
 * Lesson 08: the learner can see the pushed image's digest, size and push time, and pulled it
 * back: ECR's lastRecordedPullTime is at or after the push. (docker's own image metadata does
 * not change on a pull of an image it already has, so the registry's record is the evidence.)
 */
const check: Check = async (ctx) => {
  const target = `${ctx.repositoryUri}:${ctx.tag}`;
  try {
    const client = await ctx.ecr();
    if (!(await findRepository(client, ctx.repositoryName))) return await missingRepositoryResult(ctx);
    const remote = await findImageByTag(client, ctx.repositoryName, ctx.tag);
    if (!remote) return fail(`'${ctx.repositoryName}' has no image tagged ${ctx.tag}`, diagnoses.notPushed(target));
    const pushedAt = remote.imagePushedAt?.getTime() ?? 0;
    const evidence = [
      `Digest: ${remote.imageDigest}`,
      `Size: ${((remote.imageSizeInBytes ?? 0) / 1e6).toFixed(1)} MB (compressed, as stored)`,
      `Pushed at: ${remote.imagePushedAt?.toISOString()}`,
      `Last pull recorded by ECR: ${remote.lastRecordedPullTime?.toISOString() ?? 'none'}`,
    ];
    if ((remote.lastRecordedPullTime?.getTime() ?? 0) >= pushedAt && remote.lastRecordedPullTime) {
      return pass(`you pulled ${ctx.tag} back (${remote.imageDigest})`, evidence);
    }
    // Real ECR refreshes lastRecordedPullTime with some delay; the evidence says so.
    evidence.push('ECR records a pull within moments in the sandbox; on AWS it can take a while to show.');
    return fail(`${ctx.tag} has not been pulled back since the push`, diagnoses.notPulledBack(target), evidence);
  } catch (error) {
    return resultForError(error, 'ECR');
  }
};
export default check;
