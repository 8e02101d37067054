import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { listImageDetails } from '../src/check/images.js';
import { fail, pass, type Check } from '../src/check/types.js';

/** Lesson 12, first step: the repository is back with versions v1 to vN and some untagged images. */
const check: Check = async (ctx, params) => {
  const versions = typeof params.versions === 'number' ? params.versions : 6;
  const untaggedNeeded = typeof params.untagged === 'number' ? params.untagged : 2;
  try {
    const client = await ctx.ecr();
    if (!(await findRepository(client, ctx.repositoryName))) return await missingRepositoryResult(ctx);
    const images = await listImageDetails(client, ctx.repositoryName);
    const tags = new Set(images.flatMap((image) => image.imageTags ?? []));
    const untagged = images.filter((image) => !image.imageTags?.length).length;
    const evidence = [`Images in '${ctx.repositoryName}': ${images.length}`, `Tags: ${[...tags].sort().join(', ') || 'none'}`, `Untagged images: ${untagged}`];
    const missing = Array.from({ length: versions }, (_, i) => `v${i + 1}`).filter((tag) => !tags.has(tag));
    if (missing.length > 0) return fail(`no image tagged ${missing.join(', ')}`, diagnoses.lifecycleVersionsMissing(ctx.repositoryName, missing, ctx.repositoryUri), evidence);
    if (untagged < untaggedNeeded) return fail(`${untagged} untagged image(s)`, diagnoses.lifecycleNoUntagged(ctx.repositoryName, untagged, untaggedNeeded, ctx.repositoryUri), evidence);
    return pass(`'${ctx.repositoryName}' holds v1 to v${versions} and ${untagged} untagged images`, evidence);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
