import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { pipelineRoleScope } from '../src/check/roles.js';
import { pass, type Check } from '../src/check/types.js';

/**
 * Lesson 15: the build's service role exists, CodeBuild (codebuild.amazonaws.com) may assume it,
 * it may push to the course's repository, and nowhere else (IAM's simulator decides both).
 */
const check: Check = async (ctx, params) => {
  const roleName = String(params.roleName);
  try {
    const repo = await findRepository(await ctx.ecr(), ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    const scope = await pipelineRoleScope(ctx, roleName, repo.repositoryArn!);
    if ('failed' in scope) return scope.failed;
    return pass(`${roleName} may push to '${ctx.repositoryName}' and nowhere else`, scope.evidence);
  } catch (error) {
    return resultForError(error, 'IAM', ctx);
  }
};
export default check;
