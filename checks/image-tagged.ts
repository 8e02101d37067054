import { resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { inspectImage, listImages } from '../src/docker/cli.js';

/** Lesson 06: `<repositoryUri>:<tag>` exists locally and is the same image as the build. */
const check: Check = async (ctx) => {
  const source = ctx.localImage;
  const target = `${ctx.repositoryUri}:${ctx.tag}`;
  try {
    const [tagged, built] = await Promise.all([inspectImage(target, ctx), inspectImage(source, ctx)]);
    if (!tagged) {
      const repoName = ctx.repositoryName.split('/').pop()!;
      const elsewhere = (await listImages(ctx))
        .filter((e) => e.repository.includes('/') && e.repository.endsWith(`/${repoName}`) && e.repository !== ctx.repositoryUri && !e.repository.startsWith('localhost/'))
        .map((e) => `${e.repository}:${e.tag}`);
      if (elsewhere.length > 0) return fail(`no local tag '${target}'`, diagnoses.taggedOtherHost(ctx, elsewhere), [`Found: ${elsewhere.join(', ')}`]);
      return fail(`no local tag '${target}'`, diagnoses.tagMissing(ctx), [`${ctx.client} image inspect ${target}: no such image`]);
    }
    const evidence = [`${target}: image id ${tagged.id}`, `${source}: ${built ? `image id ${built.id}` : 'not present'}`];
    // Without the build there is nothing to compare with: say so rather than pass on half the evidence.
    if (!built) return fail(`'${source}' is gone, so the tag cannot be compared with your build`, diagnoses.buildGone(ctx), evidence);
    if (built.id !== tagged.id) return fail(`'${target}' is another image than '${source}'`, diagnoses.tagPointsElsewhere(ctx), evidence);
    return pass(`'${target}' points at your build (image id ${built.id.slice(0, 19)}…)`, evidence);
  } catch (error) {
    return resultForError(error, ctx.client, ctx);
  }
};
export default check;
