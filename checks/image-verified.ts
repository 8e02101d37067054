import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { findImageByTag } from '../src/check/images.js';
import { formatSize } from '../src/util/size.js';

/**
 * Lesson 08: the learner can see the pushed image's digest, size and push time, and pulled it
 * back: ECR's lastRecordedPullTime moved after the push was verified (lesson 07's check recorded
 * the pull time ECR showed then), so a pull from before this lesson does not count. (docker's own
 * image metadata does not change on a pull of an image it already has, so the registry's record
 * is the evidence.)
 */
const check: Check = async (ctx) => {
  const target = `${ctx.repositoryUri}:${ctx.tag}`;
  try {
    const client = await ctx.ecr();
    if (!(await findRepository(client, ctx.repositoryName))) return await missingRepositoryResult(ctx);
    const remote = await findImageByTag(client, ctx.repositoryName, ctx.tag);
    if (!remote) return fail(`'${ctx.repositoryName}' has no image tagged ${ctx.tag}`, diagnoses.notPushed(ctx));
    const pushedAt = remote.imagePushedAt?.getTime() ?? 0;
    const pulledAt = remote.lastRecordedPullTime?.getTime();
    // The pull time lesson 07's check saw, when it verified this same image.
    const atPush = ctx.factsOf('image-pushed');
    const seenAt = atPush && atPush.digest === remote.imageDigest ? atPush.lastRecordedPullTime : undefined;
    const seen = typeof seenAt === 'string' ? Date.parse(seenAt) : undefined;
    const since = seen !== undefined ? `lesson 07's check verified the push (ECR then showed a pull at ${new Date(seen).toISOString()})` : `it was pushed (${remote.imagePushedAt?.toISOString()})`;
    const evidence = [
      `Digest: ${remote.imageDigest}`,
      `Size: ${formatSize(remote.imageSizeInBytes ?? 0)} (compressed, as stored)`,
      `Pushed at: ${remote.imagePushedAt?.toISOString()}`,
      `Last pull recorded by ECR: ${remote.lastRecordedPullTime?.toISOString() ?? 'none'}`,
      `Pulls that count: after ${since}`,
    ];
    if (pulledAt !== undefined && pulledAt >= pushedAt && (seen === undefined || pulledAt > seen)) {
      return pass(`you pulled ${ctx.tag} back (${remote.imageDigest})`, evidence);
    }
    // Real ECR refreshes lastRecordedPullTime with some delay; the evidence says so.
    evidence.push('ECR records a pull within moments in the sandbox; on AWS it can take a while to show.');
    return fail(`${ctx.tag} has not been pulled back since ${seen !== undefined ? 'the push was verified' : 'the push'}`, diagnoses.notPulledBack(ctx, since), evidence);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
