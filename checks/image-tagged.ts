import { resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { inspectImage, listImages } from '../src/docker/cli.js';

/** Lesson 06: `<repositoryUri>:<tag>` exists locally and is the same image as the build. */
const check: Check = async (ctx) => {
  const source = ctx.localImage;
  const target = `${ctx.repositoryUri}:${ctx.tag}`;
  try {
    const [tagged, built] = await Promise.all([inspectImage(target, ctx.env), inspectImage(source, ctx.env)]);
    if (!tagged) {
      const repoName = ctx.repositoryName.split('/').pop()!;
      const elsewhere = (await listImages(ctx.env))
        .filter((e) => e.repository.includes('/') && e.repository.endsWith(`/${repoName}`) && e.repository !== ctx.repositoryUri)
        .map((e) => `${e.repository}:${e.tag}`);
      if (elsewhere.length > 0) return fail(`no local tag '${target}'`, diagnoses.taggedOtherHost(target, elsewhere), [`Found: ${elsewhere.join(', ')}`]);
      return fail(`no local tag '${target}'`, diagnoses.tagMissing(target, source), [`docker image inspect ${target}: no such image`]);
    }
    const evidence = [`${target}: ${tagged.id}`, `${source}: ${built?.id ?? 'not present'}`];
    if (built && built.id !== tagged.id) return fail(`'${target}' is another image than '${source}'`, diagnoses.tagPointsElsewhere(target, source), evidence);
    return pass(`'${target}' points at your build`, evidence);
  } catch (error) {
    return resultForError(error, 'docker');
  }
};
export default check;
