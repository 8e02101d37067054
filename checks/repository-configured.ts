import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import type { Diagnosis } from '../src/check/types.js';

/** Lesson 03: the repository exists in the lesson's region with exactly the settings asked for (every difference reported at once). */
const check: Check = async (ctx, params) => {
  const wantScan = typeof params.scanOnPush === 'boolean' ? params.scanOnPush : undefined;
  const wantMutability = typeof params.imageTagMutability === 'string' ? params.imageTagMutability : undefined;
  try {
    const repo = await findRepository(await ctx.ecr(), ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    const scan = repo.imageScanningConfiguration?.scanOnPush ?? false;
    const mutability = repo.imageTagMutability ?? 'MUTABLE';
    const evidence = [`Repository: ${repo.repositoryUri}`, `Created: ${repo.createdAt?.toISOString()}`, `Scan on push: ${scan}`, `Tag mutability: ${mutability}`];
    const problems: { summary: string; diagnosis: Diagnosis }[] = [];
    if (wantScan !== undefined && scan !== wantScan) problems.push({ summary: `scan on push is ${scan}`, diagnosis: diagnoses.scanOnPushWrong(ctx, wantScan) });
    if (wantMutability && mutability !== wantMutability) {
      problems.push({ summary: `tag mutability is ${mutability}`, diagnosis: diagnoses.tagMutabilityWrong(ctx, mutability, wantMutability) });
    }
    if (problems.length > 0) return fail(problems.map((p) => p.summary).join('; '), problems.map((p) => p.diagnosis), evidence);
    return pass(`'${ctx.repositoryName}' exists in ${ctx.region} as the lesson asked`, evidence);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
