import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { findImageByTag } from '../src/check/images.js';
import { inspectImage } from '../src/docker/cli.js';

/** Lesson 07: the repository holds the tag, with the same digest as the local image. */
const check: Check = async (ctx) => {
  const source = ctx.localImage;
  const target = `${ctx.repositoryUri}:${ctx.tag}`;
  try {
    const client = await ctx.ecr();
    if (!(await findRepository(client, ctx.repositoryName))) return await missingRepositoryResult(ctx);
    const [remote, local] = await Promise.all([findImageByTag(client, ctx.repositoryName, ctx.tag), inspectImage(target, ctx.env)]);
    if (!remote) {
      if (!local && (await inspectImage(source, ctx.env))) return fail(`'${ctx.repositoryName}' has no image tagged ${ctx.tag}`, diagnoses.pushedToDockerHub(source, target));
      return fail(`'${ctx.repositoryName}' has no image tagged ${ctx.tag}`, diagnoses.notPushed(target), [`DescribeImages ${ctx.repositoryName}:${ctx.tag}: ImageNotFoundException`]);
    }
    const evidence = [
      `In ECR: ${ctx.repositoryName}:${ctx.tag} = ${remote.imageDigest}`,
      `Pushed at: ${remote.imagePushedAt?.toISOString()}`,
      `Size: ${((remote.imageSizeInBytes ?? 0) / 1e6).toFixed(1)} MB (compressed)`,
    ];
    if (!local) return pass(`${ctx.tag} is in '${ctx.repositoryName}' (no local copy to compare)`, evidence);
    const localDigests = local.repoDigests.filter((d) => d.startsWith(`${ctx.repositoryUri}@`)).map((d) => d.slice(d.indexOf('@') + 1));
    evidence.push(`Local ${target}: ${localDigests.length ? localDigests.join(', ') : `image ${local.id}, never pushed to or pulled from this repository`}`);
    if (localDigests.includes(remote.imageDigest!)) return pass(`${ctx.tag} is in '${ctx.repositoryName}' with your local image's digest`, evidence);
    return fail('the registry holds a different image', diagnoses.digestMismatch(target, remote.imageDigest!, localDigests[0] ?? local.id), evidence);
  } catch (error) {
    return resultForError(error, 'ECR');
  }
};
export default check;
