import type { Task } from '@aws-sdk/client-ecs';
import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { boundAddress, clusterActive, familyTasks, httpGet, imageInRegistry, imageProblem, latestTaskDefinition, mainContainer } from '../src/check/ecs.js';
import { findImageByTag } from '../src/check/images.js';
import { checkExecutionRole, findRole, trustsService } from '../src/check/roles.js';
import { fail, pass, type Check, type CheckContext, type CheckResult } from '../src/check/types.js';

/** Why the family's last task stopped, as the diagnosis that explains it. */
async function stoppedResult(ctx: CheckContext, task: Task, evidence: string[]): Promise<CheckResult> {
  const reason = task.stoppedReason ?? 'no reason given';
  const image = task.containers?.[0]?.image ?? '';
  evidence.push(`Last task ${task.taskArn}: STOPPED (${task.stopCode ?? 'no stop code'}): ${reason}`);
  const summary = 'the task stopped';
  if (/^(CannotPullContainerError|CannotPullECRContainerError|ResourceInitializationError)/.test(reason)) {
    if (/not authorized|AccessDenied|denied:/i.test(reason)) {
      const role = task.containers?.length ? (await latestTaskDefinition(ctx, task.taskDefinitionArn!))?.executionRoleArn : undefined;
      return fail('the task could not pull its image', diagnoses.executionRoleCannotPull(role?.split('/').pop() ?? 'the execution role', reason), evidence);
    }
    const problem = await imageProblem(ctx, image);
    if (problem) return { ...problem, evidence: [...evidence, ...problem.evidence] };
    return fail('the task could not pull its image', diagnoses.taskStopped(reason), evidence);
  }
  if (/^CannotStartContainerError/.test(reason)) return fail('the container could not start', diagnoses.taskImageNotRunnable(reason), evidence);
  const exit = task.containers?.find((c) => c.exitCode !== undefined);
  if (task.stopCode === 'EssentialContainerExited' && exit) {
    const why = `${reason} (container ${exit.name} exited with code ${exit.exitCode})`;
    return fail(summary, exit.exitCode === 127 || exit.exitCode === 126 ? diagnoses.taskImageNotRunnable(why) : diagnoses.taskStopped(why), evidence);
  }
  return fail(summary, diagnoses.taskStopped(reason), evidence);
}

/**
 * Lesson 14: a task of the family runs in the cluster, its image is the digest the repository
 * holds for the tag, and it answers HTTP where ECS says its port is bound. When none runs, the
 * last stopped task's reason (CannotPullContainerError, …) or the task definition says why.
 */
const check: Check = async (ctx, params) => {
  const family = String(params.family);
  const cluster = String(params.cluster);
  const port = Number(params.containerPort);
  try {
    const repo = await findRepository(await ctx.ecr(), ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    if (!(await clusterActive(ctx, cluster))) return fail(`no cluster ${cluster}`, diagnoses.clusterMissing(cluster), [`DescribeClusters ${cluster}: MISSING`]);
    const running = await familyTasks(ctx, cluster, family, 'RUNNING');
    const evidence: string[] = [];
    const task = running[0];
    if (!task) {
      const [last] = await familyTasks(ctx, cluster, family, 'STOPPED');
      if (last) return await stoppedResult(ctx, last, evidence);
      // No task at all: a role ECS cannot assume makes run-task itself refuse, so look there.
      const def = await latestTaskDefinition(ctx, family);
      if (def?.executionRoleArn) {
        const role = await findRole(ctx, def.executionRoleArn);
        const trust = role ? trustsService(role.trustPolicy, 'ecs-tasks.amazonaws.com') : undefined;
        if (role && trust && !trust.trusted) return fail(`ECS may not assume ${role.name}`, diagnoses.executionRoleNotTrusted(role.name, trust.principals), [`Role: ${role.arn}`]);
      }
      return fail(`no task of ${family} runs in ${cluster}`, diagnoses.taskNotRunning(family, cluster), [`ListTasks ${cluster} (family ${family}): none running, none stopped recently`]);
    }
    evidence.push(`Task ${task.taskArn}: ${task.lastStatus} (${task.launchType ?? 'no launch type'})`);
    if (task.lastStatus !== 'RUNNING') return fail(`the task is ${task.lastStatus}`, diagnoses.taskStarting(task.lastStatus ?? 'starting', cluster), evidence);
    const def = await latestTaskDefinition(ctx, task.taskDefinitionArn!);
    const containerDef = def ? mainContainer(def, ctx.registryHost) : undefined;
    const container = task.containers?.find((c) => c.name === containerDef?.name) ?? task.containers?.[0];
    const ref = container?.image ? imageInRegistry(container.image, ctx.registryHost) : undefined;
    const pushed = ref?.tag ? await findImageByTag(await ctx.ecr(), ctx.repositoryName, ref.tag) : undefined;
    const expected = ref?.digest ?? pushed?.imageDigest;
    evidence.push(`Image: ${container?.image} = ${container?.imageDigest ?? 'digest not reported'}; the repository holds ${expected ?? 'no such image'}`);
    if (container?.imageDigest && expected && container.imageDigest !== expected) return fail('the task runs another image', diagnoses.taskImageDiffers(container.imageDigest, expected), evidence);
    if (!(containerDef?.portMappings ?? []).some((p) => p.containerPort === port)) return fail(`port ${port} is not mapped`, diagnoses.portNotMapped(family, port), evidence);
    if (def?.executionRoleArn) {
      const role = await checkExecutionRole(ctx, def.executionRoleArn, repo.repositoryArn!);
      if ('evidence' in role) evidence.push(...role.evidence);
    }
    const address = boundAddress(task, port);
    if (!address) {
      // Fargate (awsvpc) reports no host binding: the port is on the task's own network interface.
      evidence.push(`ECS reports no host binding for port ${port}: an awsvpc task serves on its own network interface (its ENI's address), which this check does not reach.`);
      return pass(`${family} runs ${container?.image} (${container?.imageDigest ?? 'digest not reported'})`, evidence);
    }
    const url = `http://${address.host}:${address.port}/`;
    const answer = await httpGet(address.host, address.port);
    if ('error' in answer) return fail(`${url} does not answer`, diagnoses.taskNotAnswering(url, answer.error), evidence);
    evidence.push(`GET ${url}: HTTP ${answer.status}${/<title>([^<]*)<\/title>/i.exec(answer.body)?.[1] ? `, "${/<title>([^<]*)<\/title>/i.exec(answer.body)![1]}"` : ''}`);
    if (answer.status !== 200) return fail(`${url} answers HTTP ${answer.status}`, diagnoses.taskNotAnswering(url, `HTTP ${answer.status}`), evidence);
    return pass(`${family} runs the pushed image and serves its page at ${url}`, evidence);
  } catch (error) {
    return resultForError(error, 'ECS', ctx);
  }
};
export default check;
