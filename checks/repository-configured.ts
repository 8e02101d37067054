import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';

/** Lesson 03: the repository exists in the lesson's region with exactly the settings asked for. */
const check: Check = async (ctx, params) => {
  const wantScan = typeof params.scanOnPush === 'boolean' ? params.scanOnPush : undefined;
  const wantMutability = typeof params.imageTagMutability === 'string' ? params.imageTagMutability : undefined;
  try {
    const repo = await findRepository(await ctx.ecr(), ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    const scan = repo.imageScanningConfiguration?.scanOnPush ?? false;
    const mutability = repo.imageTagMutability ?? 'MUTABLE';
    const evidence = [`Repository: ${repo.repositoryUri}`, `Created: ${repo.createdAt?.toISOString()}`, `Scan on push: ${scan}`, `Tag mutability: ${mutability}`];
    if (wantScan !== undefined && scan !== wantScan) return fail(`scan on push is ${scan}`, diagnoses.scanOnPushWrong(ctx.repositoryName, wantScan), evidence);
    if (wantMutability && mutability !== wantMutability) {
      return fail(`tag mutability is ${mutability}`, diagnoses.tagMutabilityWrong(ctx.repositoryName, mutability, wantMutability), evidence);
    }
    return pass(`'${ctx.repositoryName}' exists in ${ctx.region} as the lesson asked`, evidence);
  } catch (error) {
    return resultForError(error, 'ECR');
  }
};
export default check;
