import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { imageProblem, latestTaskDefinition, mainContainer } from '../src/check/ecs.js';
import { checkExecutionRole } from '../src/check/roles.js';
import { fail, pass, type Check } from '../src/check/types.js';

/**
 * Lesson 14: the family's latest revision runs on Fargate, names the pushed image by its
 * repository URI, maps the container's port, and has an execution role ECS can assume and pull with.
 */
const check: Check = async (ctx, params) => {
  const family = String(params.family);
  const port = Number(params.containerPort);
  try {
    const repo = await findRepository(await ctx.ecr(), ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    const def = await latestTaskDefinition(ctx, family);
    if (!def) return fail(`no task definition ${family}`, diagnoses.taskDefinitionMissing(family), [`DescribeTaskDefinition ${family}: Unable to describe task definition.`]);
    const evidence = [`Task definition: ${def.taskDefinitionArn}`];
    if (!(def.requiresCompatibilities ?? []).includes('FARGATE')) return fail(`${family} is not for Fargate`, diagnoses.taskDefinitionNotFargate(family), evidence);
    const container = mainContainer(def, ctx.registryHost);
    const image = container?.image ?? '';
    evidence.push(`Container ${container?.name}: ${image}`);
    const problem = await imageProblem(ctx, image);
    if (problem) return { ...problem, evidence: [...evidence, ...problem.evidence.slice(1)] };
    if (!def.executionRoleArn) return fail(`${family} has no execution role`, diagnoses.executionRoleNotSet(family, String(params.roleName)), evidence);
    const role = await checkExecutionRole(ctx, def.executionRoleArn, repo.repositoryArn!);
    if ('failed' in role) return { ...role.failed, evidence: [...evidence, ...role.failed.evidence] };
    evidence.push(...role.evidence);
    const mapped = (container?.portMappings ?? []).some((p) => p.containerPort === port);
    evidence.push(`Port mappings: ${(container?.portMappings ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'tcp'}`).join(', ') || 'none'}`);
    if (!mapped) return fail(`${family} maps no port ${port}`, diagnoses.portNotMapped(family, port), evidence);
    return pass(`${def.taskDefinitionArn?.split('/').pop()} runs ${image} on Fargate, port ${port}, as ${def.executionRoleArn.split('/').pop()}`, evidence);
  } catch (error) {
    return resultForError(error, 'ECS', ctx);
  }
};
export default check;
