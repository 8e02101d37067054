import { paginate } from '../../api/pagination.js';
import type { TaskDefinitionInput } from '../backend.js';
import type { EcsHandler } from '../context.js';
import {
  optionalBoolean,
  optionalEnumOf,
  optionalInt,
  optionalString,
  requiredText,
  stringsOf,
  structuresOf,
  tagsOf,
  type Input,
} from '../input.js';
import type { NetworkMode } from '../types.js';

const NETWORK_MODES = ['bridge', 'host', 'awsvpc', 'none'] as const satisfies readonly NetworkMode[];
const COMPATIBILITIES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] as const;
const PROTOCOLS = ['tcp', 'udp'] as const;
/** Container definition members the sandbox reads; any other is stored and echoed as sent. */
const READ_MEMBERS = new Set([
  'name', 'image', 'cpu', 'memory', 'memoryReservation', 'portMappings', 'essential', 'entryPoint', 'command',
  'environment', 'workingDirectory', 'user', 'stopTimeout', 'mountPoints', 'volumesFrom', 'systemControls',
]);

/** A string that may arrive as a JSON number too (task cpu and memory are strings in the model; "256" and 256 both reach ECS). */
function unitsOf(input: Input, member: string): string | undefined {
  const value = input[member];
  return typeof value === 'number' ? String(value) : optionalString(input, member);
}

function containerDefinition(c: Input): TaskDefinitionInput['containerDefinitions'][number] {
  const extra = Object.fromEntries(Object.entries(c).filter(([key]) => !READ_MEMBERS.has(key)));
  const entryPoint = c.entryPoint === undefined ? undefined : stringsOf(c, 'entryPoint');
  const command = c.command === undefined ? undefined : stringsOf(c, 'command');
  const cpu = optionalInt(c, 'cpu');
  const memory = optionalInt(c, 'memory');
  const memoryReservation = optionalInt(c, 'memoryReservation');
  const essential = optionalBoolean(c, 'essential');
  const workingDirectory = optionalString(c, 'workingDirectory');
  const user = optionalString(c, 'user');
  const stopTimeout = optionalInt(c, 'stopTimeout');
  return {
    name: optionalString(c, 'name') ?? '',
    image: optionalString(c, 'image') ?? '',
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    ...(memoryReservation !== undefined ? { memoryReservation } : {}),
    ...(essential !== undefined ? { essential } : {}),
    ...(entryPoint ? { entryPoint } : {}),
    ...(command ? { command } : {}),
    environment: structuresOf(c, 'environment').map((e) => ({ name: requiredText(e, 'name'), value: optionalString(e, 'value') ?? '' })),
    ...(workingDirectory ? { workingDirectory } : {}),
    ...(user ? { user } : {}),
    ...(stopTimeout !== undefined ? { stopTimeout } : {}),
    portMappings: structuresOf(c, 'portMappings').map((p) => {
      const containerPort = optionalInt(p, 'containerPort');
      const hostPort = optionalInt(p, 'hostPort');
      const protocol = optionalEnumOf(p, 'protocol', PROTOCOLS);
      const name = optionalString(p, 'name');
      const appProtocol = optionalString(p, 'appProtocol');
      return {
        ...(containerPort !== undefined ? { containerPort } : {}),
        ...(hostPort !== undefined ? { hostPort } : {}),
        ...(protocol ? { protocol } : {}),
        ...(name ? { name } : {}),
        ...(appProtocol ? { appProtocol } : {}),
      };
    }),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

/** RegisterTaskDefinition (volumes, placement and proxy settings are accepted and not applied). */
export const RegisterTaskDefinition: EcsHandler = async (api, input) => {
  const requiresCompatibilities = input.requiresCompatibilities === undefined ? undefined : stringsOf(input, 'requiresCompatibilities');
  for (const value of requiresCompatibilities ?? []) optionalEnumOf({ requiresCompatibilities: value }, 'requiresCompatibilities', COMPATIBILITIES);
  const networkMode = optionalEnumOf(input, 'networkMode', NETWORK_MODES);
  const executionRoleArn = optionalString(input, 'executionRoleArn');
  const taskRoleArn = optionalString(input, 'taskRoleArn');
  const cpu = unitsOf(input, 'cpu');
  const memory = unitsOf(input, 'memory');
  const def = await api.ecs.registerTaskDefinition(api, {
    family: requiredText(input, 'family'),
    containerDefinitions: structuresOf(input, 'containerDefinitions').map(containerDefinition),
    ...(networkMode ? { networkMode } : {}),
    ...(executionRoleArn ? { executionRoleArn } : {}),
    ...(taskRoleArn ? { taskRoleArn } : {}),
    ...(requiresCompatibilities ? { requiresCompatibilities } : {}),
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    tags: tagsOf(input),
  });
  return { taskDefinition: api.ecs.taskDefinitionView(api, def), tags: def.tags };
};

/** DescribeTaskDefinition: a family's latest ACTIVE revision, `family:revision` or an ARN; tags with include TAGS. */
export const DescribeTaskDefinition: EcsHandler = async (api, input) => {
  const def = api.ecs.requireTaskDefinition(api, requiredText(input, 'taskDefinition'));
  const withTags = stringsOf(input, 'include').includes('TAGS');
  return { taskDefinition: api.ecs.taskDefinitionView(api, def), ...(withTags ? { tags: def.tags } : {}) };
};

/** DeregisterTaskDefinition. */
export const DeregisterTaskDefinition: EcsHandler = async (api, input) => {
  const def = await api.ecs.deregisterTaskDefinition(api, requiredText(input, 'taskDefinition'));
  return { taskDefinition: api.ecs.taskDefinitionView(api, def) };
};

/** ListTaskDefinitions, paged (at most 100 a page). */
export const ListTaskDefinitions: EcsHandler = async (api, input) => {
  const familyPrefix = optionalString(input, 'familyPrefix');
  const status = optionalEnumOf(input, 'status', ['ACTIVE', 'INACTIVE'] as const);
  const sort = optionalEnumOf(input, 'sort', ['ASC', 'DESC'] as const);
  const arns = api.ecs.listTaskDefinitions(api, { ...(familyPrefix ? { familyPrefix } : {}), ...(status ? { status } : {}), ...(sort ? { sort } : {}) });
  const { page, nextToken } = paginate(arns, input, 100, 100);
  return { taskDefinitionArns: page, ...(nextToken ? { nextToken } : {}) };
};
