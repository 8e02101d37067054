import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { checkExecutionRole } from '../src/check/roles.js';
import { pass, type Check } from '../src/check/types.js';

/** Lesson 14: the task execution role exists, ECS (ecs-tasks.amazonaws.com) may assume it, and it may pull from the repository. */
const check: Check = async (ctx, params) => {
  const roleName = String(params.roleName);
  try {
    const repo = await findRepository(await ctx.ecr(), ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    const role = await checkExecutionRole(ctx, roleName, repo.repositoryArn!);
    if ('failed' in role) return role.failed;
    return pass(`${roleName} trusts ecs-tasks.amazonaws.com and may pull from '${ctx.repositoryName}'`, role.evidence);
  } catch (error) {
    return resultForError(error, 'IAM', ctx);
  }
};
export default check;
