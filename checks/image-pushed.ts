import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, unable, type Check } from '../src/check/types.js';
import { findImageByTag, pushedImageId } from '../src/check/images.js';
import { inspectImage } from '../src/docker/cli.js';
import { formatSize } from '../src/util/size.js';

/**
 * Lesson 07: the repository holds the tag, and it is the learner's local image. Compared by what
 * names an image on both sides: the pushed manifest's config digest is the local image id (docker
 * and podman alike), or the local image records that very manifest digest for this repository.
 */
const check: Check = async (ctx) => {
  const source = ctx.localImage;
  const target = `${ctx.repositoryUri}:${ctx.tag}`;
  try {
    const client = await ctx.ecr();
    const repo = await findRepository(client, ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    const [remote, tagged, built] = await Promise.all([findImageByTag(client, ctx.repositoryName, ctx.tag), inspectImage(target, ctx), inspectImage(source, ctx)]);
    if (!remote) {
      if (!tagged && built) return fail(`'${ctx.repositoryName}' has no image tagged ${ctx.tag}`, diagnoses.pushedToDockerHub(ctx), [`DescribeImages ${ctx.repositoryName}:${ctx.tag}: ImageNotFoundException`, `No local ${target}; ${source} exists`]);
      return fail(`'${ctx.repositoryName}' has no image tagged ${ctx.tag}`, diagnoses.notPushed(ctx), [`DescribeImages ${ctx.repositoryName}:${ctx.tag}: ImageNotFoundException`]);
    }
    const digest = remote.imageDigest!;
    const remoteId = await pushedImageId(client, ctx.repositoryName, digest);
    const evidence = [
      `In ECR: ${ctx.repositoryName}:${ctx.tag} = ${digest}${remoteId ? ` (image id ${remoteId})` : ''}`,
      `Pushed at: ${remote.imagePushedAt?.toISOString()}`,
      `Size: ${formatSize(remote.imageSizeInBytes ?? 0)} (compressed)`,
    ];
    const local = tagged ?? built;
    const localName = tagged ? target : source;
    if (!local) return unable(`${ctx.tag} is in '${ctx.repositoryName}', but there is no local image to compare it with`, diagnoses.noLocalImage(ctx), [...evidence, `No local ${target} or ${source}: not compared`]);
    const byId = remoteId !== undefined && local.id === remoteId;
    const byDigest = local.id === digest || local.repoDigests.includes(`${ctx.repositoryUri}@${digest}`);
    evidence.push(`Local ${localName}: image id ${local.id}${byId ? ' (the same image id)' : byDigest ? ' (it records this manifest digest)' : ''}`);
    if (byId || byDigest) {
      // Facts for lesson 08: pulls are counted from what ECR had recorded when this push was verified.
      const facts = { digest, lastRecordedPullTime: remote.lastRecordedPullTime?.toISOString() ?? null };
      return pass(`${ctx.tag} is in '${ctx.repositoryName}', and it is your local ${localName}`, evidence, facts);
    }
    return fail('the registry holds a different image', diagnoses.digestMismatch(ctx, { digest, imageId: remoteId }, local.id, repo.imageTagMutability === 'MUTABLE'), evidence);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
