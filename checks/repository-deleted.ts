import { findRepository, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { listImageDetails } from '../src/check/images.js';
import { formatSize } from '../src/util/size.js';

/** Lesson 09: nothing the course created is left: the repository is gone. */
const check: Check = async (ctx) => {
  try {
    const client = await ctx.ecr();
    const repo = await findRepository(client, ctx.repositoryName);
    if (!repo) return pass(`'${ctx.repositoryName}' is deleted`, [`DescribeRepositories in ${ctx.region}: RepositoryNotFoundException`]);
    const images = await listImageDetails(client, ctx.repositoryName);
    const bytes = images.reduce((sum, i) => sum + (i.imageSizeInBytes ?? 0), 0);
    return fail(`'${ctx.repositoryName}' still exists`, diagnoses.repositoryStillThere(ctx, images.length, bytes), [
      `Repository: ${repo.repositoryUri}`,
      `Images: ${images.length}, ${formatSize(bytes)}`,
    ]);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
