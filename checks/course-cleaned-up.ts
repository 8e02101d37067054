import { findRepository, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { clusterActive, familyTasks, latestTaskDefinition } from '../src/check/ecs.js';
import { findRole } from '../src/check/roles.js';
import { fail, pass, type Check } from '../src/check/types.js';

/**
 * Lesson 15's end: nothing lessons 14-15 made is left: no task running, no active task
 * definition revision in the family, no cluster, no roles, no repository (and so no image).
 */
const check: Check = async (ctx, params) => {
  const family = String(params.family);
  const cluster = String(params.cluster);
  const roles = (params.roles as string[]).map(String);
  try {
    const left: string[] = [];
    const commands: string[] = [];
    if (await clusterActive(ctx, cluster)) {
      const running = await familyTasks(ctx, cluster, family, 'RUNNING');
      if (running.length > 0) {
        left.push(`${running.length} running task(s) of ${family}`);
        commands.push(...running.map((t) => `aws ecs stop-task --cluster ${cluster} --task ${t.taskArn}`));
      }
      left.push(`the cluster ${cluster}`);
      commands.push(`aws ecs delete-cluster --cluster ${cluster}`);
    }
    const def = await latestTaskDefinition(ctx, family);
    if (def) {
      left.push(`the task definition ${def.taskDefinitionArn?.split('/').pop()} (and any older active revision)`);
      commands.push(`aws ecs deregister-task-definition --task-definition ${def.taskDefinitionArn?.split('/').pop()}`);
    }
    for (const name of roles) {
      if (await findRole(ctx, name)) {
        left.push(`the role ${name}`);
        commands.push(`detach or delete its policies (aws iam list-attached-role-policies / list-role-policies --role-name ${name}), then aws iam delete-role --role-name ${name}`);
      }
    }
    if (await findRepository(await ctx.ecr(), ctx.repositoryName)) {
      left.push(`the repository ${ctx.repositoryName}`);
      commands.push(`aws ecr delete-repository --repository-name ${ctx.repositoryName} --force`);
    }
    if (left.length > 0) return fail(`${left.length} thing(s) the course made are still there`, diagnoses.courseLeftovers(left, commands), left);
    return pass('nothing lessons 14 and 15 made is left', [`No cluster ${cluster}, no active ${family} revision, no role ${roles.join(' or ')}, no repository ${ctx.repositoryName}`]);
  } catch (error) {
    return resultForError(error, 'AWS', ctx);
  }
};
export default check;
