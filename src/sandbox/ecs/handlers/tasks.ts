import { paginate } from '../../api/pagination.js';
import { ecsErrors } from '../errors.js';
import type { EcsHandler } from '../context.js';
import { optionalEnumOf, optionalInt, optionalString, optionalStructure, requiredText, stringsOf, structuresOf, tagsOf } from '../input.js';

/** RunTask (placement, capacity provider weights and ECS-managed tags are accepted and not applied). */
export const RunTask: EcsHandler = async (api, input) => {
  const network = optionalStructure(input, 'networkConfiguration');
  const awsvpc = network ? optionalStructure(network, 'awsvpcConfiguration') : undefined;
  const overrides = optionalStructure(input, 'overrides') ?? {};
  const cluster = optionalString(input, 'cluster');
  const launchType = optionalString(input, 'launchType');
  const count = optionalInt(input, 'count');
  const startedBy = optionalString(input, 'startedBy');
  const group = optionalString(input, 'group');
  const executionRoleArn = optionalString(overrides, 'executionRoleArn');
  const taskRoleArn = optionalString(overrides, 'taskRoleArn');
  const cpu = optionalString(overrides, 'cpu');
  const memory = optionalString(overrides, 'memory');
  const tasks = await api.ecs.runTask(api, {
    taskDefinition: requiredText(input, 'taskDefinition'),
    ...(cluster ? { cluster } : {}),
    ...(launchType ? { launchType } : {}),
    capacityProviders: structuresOf(input, 'capacityProviderStrategy').map((s) => requiredText(s, 'capacityProvider')),
    ...(count !== undefined ? { count } : {}),
    networkConfigurationGiven: awsvpc !== undefined,
    ...(awsvpc ? { subnets: stringsOf(awsvpc, 'subnets') } : {}),
    ...(startedBy ? { startedBy } : {}),
    ...(group ? { group } : {}),
    overrides: {
      containerOverrides: structuresOf(overrides, 'containerOverrides').map((o) => ({
        name: requiredText(o, 'name'),
        ...(o.command !== undefined ? { command: stringsOf(o, 'command') } : {}),
        ...(o.environment !== undefined ? { environment: structuresOf(o, 'environment').map((e) => ({ name: requiredText(e, 'name'), value: optionalString(e, 'value') ?? '' })) } : {}),
      })),
      ...(executionRoleArn ? { executionRoleArn } : {}),
      ...(taskRoleArn ? { taskRoleArn } : {}),
      ...(cpu ? { cpu } : {}),
      ...(memory ? { memory } : {}),
    },
    tags: tagsOf(input),
  });
  return { tasks: tasks.map((t) => api.ecs.taskView(api, t)), failures: [] };
};

/** DescribeTasks: up to 100 tasks by id or ARN; unknown ones come back as failures, MISSING. */
export const DescribeTasks: EcsHandler = async (api, input) => {
  const refs = stringsOf(input, 'tasks');
  if (refs.length === 0) throw ecsErrors.missing('tasks');
  if (refs.length > 100) throw ecsErrors.invalid('Tasks cannot be longer than 100.');
  const { tasks, missing } = api.ecs.describeTasks(api, optionalString(input, 'cluster'), refs);
  return { tasks: tasks.map((t) => api.ecs.taskView(api, t)), failures: missing.map((arn) => ({ arn, reason: 'MISSING' })) };
};

/** ListTasks: the cluster's tasks whose desired status is RUNNING (default) or STOPPED, paged (at most 100). */
export const ListTasks: EcsHandler = async (api, input) => {
  const cluster = optionalString(input, 'cluster');
  const family = optionalString(input, 'family');
  const desiredStatus = optionalEnumOf(input, 'desiredStatus', ['RUNNING', 'PENDING', 'STOPPED'] as const);
  const launchType = optionalEnumOf(input, 'launchType', ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] as const);
  const startedBy = optionalString(input, 'startedBy');
  const arns = api.ecs.listTasks(api, {
    ...(cluster ? { cluster } : {}),
    ...(family ? { family } : {}),
    ...(desiredStatus ? { desiredStatus } : {}),
    ...(launchType ? { launchType } : {}),
    ...(startedBy ? { startedBy } : {}),
  });
  const { page, nextToken } = paginate(arns, input, 100, 100);
  return { taskArns: page, ...(nextToken ? { nextToken } : {}) };
};

/** StopTask. */
export const StopTask: EcsHandler = async (api, input) => {
  const cluster = optionalString(input, 'cluster');
  const reason = optionalString(input, 'reason');
  const task = await api.ecs.stopTask(api, { task: requiredText(input, 'task'), ...(cluster ? { cluster } : {}), ...(reason ? { reason } : {}) });
  return { task: api.ecs.taskView(api, task) };
};
