import crypto from 'node:crypto';
import type { SandboxStore } from '../backend/store.js';
import type { Identity, SessionRecord } from '../iam/types.js';
import { assumeRole } from '../sts/assume-role.js';
import { ecsErrors } from './errors.js';
import { TaskRunner, type TaskRunnerOptions } from './tasks.js';
import type {
  ClusterRecord,
  ContainerDefinition,
  EcsRegionState,
  EcsTag,
  KeyValuePair,
  LaunchType,
  NetworkMode,
  PortMapping,
  TaskDefinitionRecord,
  TaskRecord,
} from './types.js';

/** Who asks and where: the account and region the request was signed for. */
export interface EcsRequestContext {
  region: string;
  identity: Identity;
}

/** RegisterTaskDefinition's input, read by the handler (types checked, ECS's rules not yet). */
export interface TaskDefinitionInput {
  family: string;
  containerDefinitions: Array<Omit<ContainerDefinition, 'portMappings' | 'cpu' | 'essential' | 'environment' | 'mountPoints' | 'volumesFrom' | 'systemControls'> & {
    cpu?: number;
    essential?: boolean;
    environment?: KeyValuePair[];
    portMappings: Array<{ containerPort?: number; hostPort?: number; protocol?: 'tcp' | 'udp'; name?: string; appProtocol?: string }>;
  }>;
  networkMode?: NetworkMode;
  executionRoleArn?: string;
  taskRoleArn?: string;
  requiresCompatibilities?: string[];
  cpu?: string;
  memory?: string;
  tags: EcsTag[];
}

/** RunTask's input, read by the handler. */
export interface RunTaskInput {
  cluster?: string;
  taskDefinition: string;
  launchType?: string;
  capacityProviders?: string[];
  count?: number;
  subnets?: string[];
  networkConfigurationGiven: boolean;
  startedBy?: string;
  group?: string;
  overrides: {
    containerOverrides: Array<{ name: string; command?: string[]; environment?: KeyValuePair[] }>;
    executionRoleArn?: string;
    taskRoleArn?: string;
    cpu?: string;
    memory?: string;
  };
  tags: EcsTag[];
}

/** The sandbox's parts ECS needs: the same its task runner needs. */
export type EcsBackendOptions = TaskRunnerOptions;

const FAMILY_RE = /^[A-Za-z0-9_-]{1,255}$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const SUBNET_RE = /^subnet-[0-9a-f]{8,17}$/;
/** ECS keeps a stopped task describable for at least an hour. */
const STOPPED_TASK_RETENTION_SECONDS = 3600;
/** An image in ECR (or in the sandbox's registry), which Fargate pulls with the execution role. */
const ECR_IMAGE_RE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/** Fargate's task sizes: memory (MiB) allowed for each cpu (units), from the ECS developer guide's table. */
function fargateSizeAllowed(cpu: number, memory: number): boolean {
  const gib = (n: number) => n * 1024;
  const steps = (min: number, max: number, step: number) => memory >= min && memory <= max && (memory - min) % step === 0;
  switch (cpu) {
    case 256:
      return [512, 1024, 2048].includes(memory);
    case 512:
      return steps(gib(1), gib(4), gib(1));
    case 1024:
      return steps(gib(2), gib(8), gib(1));
    case 2048:
      return steps(gib(4), gib(16), gib(1));
    case 4096:
      return steps(gib(8), gib(30), gib(1));
    case 8192:
      return steps(gib(16), gib(60), gib(4));
    case 16384:
      return steps(gib(32), gib(120), gib(8));
    default:
      return false;
  }
}

/** Task-level cpu as ECS reads it: units (`256`), or vCPU (`0.25 vCPU`); undefined when it is neither. */
export function parseTaskCpu(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpus?)?\s*$/i.exec(text);
  if (!m) return undefined;
  const units = Number(m[1]) * (m[2] ? 1024 : 1);
  return Number.isInteger(units) && units > 0 ? units : undefined;
}

/** Task-level memory as ECS reads it: MiB (`512`), or GB (`1 GB`, `2GB`); undefined when it is neither. */
export function parseTaskMemory(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)?\s*$/i.exec(text);
  if (!m) return undefined;
  const mib = Number(m[1]) * (m[2] && /^g/i.test(m[2]) ? 1024 : 1);
  return Number.isInteger(mib) && mib > 0 ? mib : undefined;
}

/** `family`, `family:revision` or a task definition ARN, taken apart. */
function parseTaskDefinitionRef(ref: string): { family: string; revision?: number } {
  const arn = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/(.+)$/.exec(ref);
  const text = arn ? arn[1]! : ref;
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { family: text };
  const revision = Number(text.slice(colon + 1));
  return { family: text.slice(0, colon), revision: Number.isInteger(revision) && revision > 0 ? revision : -1 };
}

/** A cluster's name from its name or ARN. */
function clusterNameOf(ref: string | undefined): string {
  if (!ref) return 'default';
  const arn = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/(.+)$/.exec(ref);
  return arn ? arn[1]! : ref;
}

/** A task's id from its id or ARN (`…:task/<cluster>/<id>`, or the old `…:task/<id>`). */
function taskIdOf(ref: string): string {
  const arn = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/(.+)$/.exec(ref);
  return arn ? arn[1]!.split('/').pop()! : ref;
}

const timestamps = <K extends string>(record: Partial<Record<K, number>>, keys: readonly K[]) =>
  Object.fromEntries(keys.filter((k) => record[k] !== undefined).map((k) => [k, record[k]]));

/**
 * ECS's state and every rule, with no HTTP inside: clusters, task definitions (revisions, ECS's
 * validation, Fargate's sizes and network mode), and tasks, which run as real containers through
 * the TaskRunner. State is kept per account and region in the sandbox state file; methods check
 * everything before they change anything, then await the store's save.
 */
export class EcsBackend {
  readonly runner: TaskRunner;

  constructor(private readonly options: EcsBackendOptions) {
    this.runner = new TaskRunner({
      ...options,
      taskArn: (task, accountId, region) => this.taskArn(accountId, region, task),
      regions: () => this.allRegions(),
    });
  }

  private get store(): SandboxStore {
    return this.options.store;
  }

  /** One account's ECS in one region, created empty on first use. */
  private region(accountId: string, region: string): EcsRegionState {
    const state = (this.store.state.ecs ??= { accounts: {} });
    const account = (state.accounts[accountId] ??= {});
    return (account[region] ??= { clusters: {}, taskDefinitions: {}, tasks: {} });
  }

  /** Every (account, region) that has ECS state. */
  private allRegions(): Array<{ accountId: string; region: string; state: EcsRegionState }> {
    return Object.entries(this.store.state.ecs?.accounts ?? {}).flatMap(([accountId, regions]) =>
      Object.entries(regions).map(([region, state]) => ({ accountId, region, state })),
    );
  }

  private stateOf(ctx: EcsRequestContext): EcsRegionState {
    return this.region(ctx.identity.accountId, ctx.region);
  }

  // ---------------------------------------------------------------- ARNs

  clusterArn(ctx: EcsRequestContext, name: string): string {
    return `arn:aws:ecs:${ctx.region}:${ctx.identity.accountId}:cluster/${name}`;
  }

  taskDefinitionArn(ctx: EcsRequestContext, def: Pick<TaskDefinitionRecord, 'family' | 'revision'>): string {
    return `arn:aws:ecs:${ctx.region}:${ctx.identity.accountId}:task-definition/${def.family}:${def.revision}`;
  }

  private taskArn(accountId: string, region: string, task: Pick<TaskRecord, 'clusterName' | 'taskId'>): string {
    return `arn:aws:ecs:${region}:${accountId}:task/${task.clusterName}/${task.taskId}`;
  }

  // ---------------------------------------------------------------- clusters

  /** CreateCluster: a name that exists (and is active) gives the same cluster back, as ECS does. */
  async createCluster(ctx: EcsRequestContext, input: { clusterName?: string; tags: EcsTag[] }): Promise<ClusterRecord> {
    const name = input.clusterName ?? 'default';
    if (!FAMILY_RE.test(name)) throw ecsErrors.invalidClusterName();
    const state = this.stateOf(ctx);
    const existing = state.clusters[name];
    if (existing?.status === 'ACTIVE') return existing;
    const cluster: ClusterRecord = { name, status: 'ACTIVE', tags: input.tags, createdAt: this.store.now() };
    state.clusters[name] = cluster;
    await this.store.save();
    return cluster;
  }

  /** The active cluster a name or ARN names, or ClusterNotFoundException. */
  requireCluster(ctx: EcsRequestContext, ref: string | undefined): ClusterRecord {
    const cluster = this.stateOf(ctx).clusters[clusterNameOf(ref)];
    if (!cluster || cluster.status !== 'ACTIVE') throw ecsErrors.clusterNotFound();
    return cluster;
  }

  listClusters(ctx: EcsRequestContext): ClusterRecord[] {
    return Object.values(this.stateOf(ctx).clusters)
      .filter((c) => c.status === 'ACTIVE')
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** DescribeClusters: the ones it knows (INACTIVE ones too, as ECS shows them a while), MISSING for the rest. */
  describeClusters(ctx: EcsRequestContext, refs: string[]): { clusters: ClusterRecord[]; missing: string[] } {
    const state = this.stateOf(ctx);
    const clusters: ClusterRecord[] = [];
    const missing: string[] = [];
    for (const ref of refs.length > 0 ? refs : ['default']) {
      const cluster = state.clusters[clusterNameOf(ref)];
      if (cluster) clusters.push(cluster);
      else missing.push(ref.startsWith('arn:') ? ref : this.clusterArn(ctx, ref));
    }
    return { clusters, missing };
  }

  /** DeleteCluster: refused while a task is not yet STOPPED; the cluster stays describable as INACTIVE. */
  async deleteCluster(ctx: EcsRequestContext, ref: string): Promise<ClusterRecord> {
    const cluster = this.requireCluster(ctx, ref);
    const active = Object.values(this.stateOf(ctx).tasks).some((t) => t.clusterName === cluster.name && t.lastStatus !== 'STOPPED');
    if (active) throw ecsErrors.clusterContainsTasks();
    cluster.status = 'INACTIVE';
    await this.store.save();
    return cluster;
  }

  /** A cluster as DescribeClusters and CreateCluster answer it, with its task counts. */
  clusterView(ctx: EcsRequestContext, cluster: ClusterRecord): Record<string, unknown> {
    const tasks = Object.values(this.stateOf(ctx).tasks).filter((t) => t.clusterName === cluster.name);
    return {
      clusterArn: this.clusterArn(ctx, cluster.name),
      clusterName: cluster.name,
      status: cluster.status,
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter((t) => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING').length,
      activeServicesCount: 0,
      statistics: [],
      tags: cluster.tags,
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    };
  }

  // ---------------------------------------------------------------- task definitions

  /** Whether an image is in ECR (AWS's registry host, or one of the sandbox's), so needs ECR credentials. */
  private isEcrImage(image: string): boolean {
    return ECR_IMAGE_RE.test(image) || this.options.registries().some((r) => image.startsWith(`${r.host}/`));
  }

  /**
   * RegisterTaskDefinition with ECS's rules: container names and images, memory, port mappings
   * (awsvpc and host mode publish the container's own port), and for FARGATE the awsvpc network
   * mode, task-level cpu and memory in one of Fargate's sizes, and an execution role for ECR
   * images. The revision is the family's next, even after revisions were deregistered.
   */
  async registerTaskDefinition(ctx: EcsRequestContext, input: TaskDefinitionInput): Promise<TaskDefinitionRecord> {
    if (!FAMILY_RE.test(input.family)) throw ecsErrors.invalidFamily();
    if (input.containerDefinitions.length === 0) throw ecsErrors.containerListEmpty();
    for (const member of ['executionRoleArn', 'taskRoleArn'] as const) {
      const arn = input[member];
      if (arn !== undefined && !ROLE_ARN_RE.test(arn)) throw ecsErrors.invalidRoleArn(member, arn);
    }
    const fargate = (input.requiresCompatibilities ?? []).includes('FARGATE');
    const mode = input.networkMode;
    const cpu = input.cpu === undefined ? undefined : parseTaskCpu(input.cpu);
    if (input.cpu !== undefined && cpu === undefined) throw ecsErrors.invalidTaskCpu();
    const memory = input.memory === undefined ? undefined : parseTaskMemory(input.memory);
    if (input.memory !== undefined && memory === undefined) throw ecsErrors.invalidTaskMemory();
    if (fargate) {
      if (mode !== 'awsvpc') throw ecsErrors.fargateNetworkMode();
      if (cpu === undefined) throw ecsErrors.fargateCpuMissing();
      if (memory === undefined) throw ecsErrors.fargateMemoryMissing();
      if (!fargateSizeAllowed(cpu, memory)) throw ecsErrors.fargateSize(String(cpu), String(memory));
    }
    const names = new Set<string>();
    const containers = input.containerDefinitions.map((c): ContainerDefinition => {
      if (!c.name) throw ecsErrors.containerNameMissing();
      if (names.has(c.name)) throw ecsErrors.containerNamesNotUnique(c.name);
      names.add(c.name);
      if (!c.image) throw ecsErrors.containerImageMissing();
      if (memory === undefined && c.memory === undefined && c.memoryReservation === undefined) throw ecsErrors.memoryMissing(c.name);
      if (fargate && !input.executionRoleArn && this.isEcrImage(c.image)) throw ecsErrors.fargateEcrNeedsExecutionRole();
      const portMappings = c.portMappings.map((p): PortMapping => {
        const containerPort = p.containerPort ?? 0;
        if (containerPort < 1 || containerPort > 65535) throw ecsErrors.portOutOfRange('containerPort', containerPort);
        // awsvpc and host mode: the container's port is the host's (the task's own address).
        const samePort = mode === 'awsvpc' || mode === 'host';
        const hostPort = p.hostPort ?? (samePort ? containerPort : 0);
        if (hostPort < 0 || hostPort > 65535) throw ecsErrors.portOutOfRange('hostPort', hostPort);
        if (samePort && hostPort !== containerPort) throw ecsErrors.hostPortMismatch(mode!);
        return { containerPort, hostPort, protocol: p.protocol ?? 'tcp', ...(p.name ? { name: p.name } : {}), ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
      });
      return {
        ...c,
        cpu: c.cpu ?? 0,
        essential: c.essential ?? true,
        environment: c.environment ?? [],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
        portMappings,
      };
    });
    if (!containers.some((c) => c.essential)) throw ecsErrors.invalid("Task definition doesn't have any essential container.");
    const state = this.stateOf(ctx);
    const revisions = (state.taskDefinitions[input.family] ??= []);
    const fargateFits = mode === 'awsvpc' && cpu !== undefined && memory !== undefined && fargateSizeAllowed(cpu, memory);
    const record: TaskDefinitionRecord = {
      family: input.family,
      revision: (revisions.at(-1)?.revision ?? 0) + 1,
      status: 'ACTIVE',
      containerDefinitions: containers,
      ...(mode ? { networkMode: mode } : {}),
      ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
      ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
      ...(input.requiresCompatibilities ? { requiresCompatibilities: input.requiresCompatibilities } : {}),
      compatibilities: fargateFits ? ['EC2', 'FARGATE'] : ['EC2'],
      ...(cpu !== undefined ? { cpu: String(cpu) } : {}),
      ...(memory !== undefined ? { memory: String(memory) } : {}),
      tags: input.tags,
      registeredAt: this.store.now(),
      registeredBy: ctx.identity.arn,
    };
    revisions.push(record);
    await this.store.save();
    return record;
  }

  /** The task definition a family (its latest ACTIVE revision), `family:revision` or an ARN names. */
  findTaskDefinition(ctx: EcsRequestContext, ref: string): TaskDefinitionRecord | undefined {
    const { family, revision } = parseTaskDefinitionRef(ref);
    const revisions = this.stateOf(ctx).taskDefinitions[family] ?? [];
    if (revision === undefined) return revisions.filter((r) => r.status === 'ACTIVE').at(-1);
    return revisions.find((r) => r.revision === revision);
  }

  requireTaskDefinition(ctx: EcsRequestContext, ref: string): TaskDefinitionRecord {
    const found = this.findTaskDefinition(ctx, ref);
    if (!found) throw ecsErrors.taskDefinitionNotFound();
    return found;
  }

  /** DeregisterTaskDefinition: the revision becomes INACTIVE (still describable; new tasks refuse it). */
  async deregisterTaskDefinition(ctx: EcsRequestContext, ref: string): Promise<TaskDefinitionRecord> {
    if (parseTaskDefinitionRef(ref).revision === undefined) {
      throw ecsErrors.invalid(`Invalid revision number. Number: ${ref.split(':').pop()} (name the revision: family:revision or the task definition's ARN).`);
    }
    const def = this.requireTaskDefinition(ctx, ref);
    if (def.status === 'ACTIVE') {
      def.status = 'INACTIVE';
      def.deregisteredAt = this.store.now();
      await this.store.save();
    }
    return def;
  }

  /** ListTaskDefinitions: ARNs by family then revision (DESC reverses), of one status (ACTIVE by default). */
  listTaskDefinitions(ctx: EcsRequestContext, input: { familyPrefix?: string; status?: 'ACTIVE' | 'INACTIVE'; sort?: 'ASC' | 'DESC' }): string[] {
    const status = input.status ?? 'ACTIVE';
    const defs = Object.values(this.stateOf(ctx).taskDefinitions)
      .flat()
      .filter((d) => d.status === status && (input.familyPrefix === undefined || d.family.startsWith(input.familyPrefix)))
      .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
    if (input.sort === 'DESC') defs.reverse();
    return defs.map((d) => this.taskDefinitionArn(ctx, d));
  }

  /** A task definition as the API answers it. */
  taskDefinitionView(ctx: EcsRequestContext, def: TaskDefinitionRecord): Record<string, unknown> {
    const requiresAttributes: Array<{ name: string }> = [];
    if (def.networkMode === 'awsvpc') requiresAttributes.push({ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }, { name: 'ecs.capability.task-eni' });
    if (def.executionRoleArn && def.containerDefinitions.some((c) => this.isEcrImage(c.image))) {
      requiresAttributes.push({ name: 'ecs.capability.execution-role-ecr-pull' }, { name: 'com.amazonaws.ecs.capability.ecr-auth' });
    }
    return {
      taskDefinitionArn: this.taskDefinitionArn(ctx, def),
      containerDefinitions: def.containerDefinitions.map(containerDefinitionView),
      family: def.family,
      ...(def.taskRoleArn ? { taskRoleArn: def.taskRoleArn } : {}),
      ...(def.executionRoleArn ? { executionRoleArn: def.executionRoleArn } : {}),
      ...(def.networkMode ? { networkMode: def.networkMode } : {}),
      revision: def.revision,
      volumes: [],
      status: def.status,
      requiresAttributes,
      placementConstraints: [],
      compatibilities: def.compatibilities,
      ...(def.requiresCompatibilities ? { requiresCompatibilities: def.requiresCompatibilities } : {}),
      ...(def.cpu ? { cpu: def.cpu } : {}),
      ...(def.memory ? { memory: def.memory } : {}),
      ...timestamps(def, ['registeredAt', 'deregisteredAt'] as const),
      registeredBy: def.registeredBy,
    };
  }

  // ---------------------------------------------------------------- tasks

  /**
   * RunTask: checks the cluster, the task definition (ACTIVE, compatible with the launch type),
   * the network configuration awsvpc needs, that the caller may pass the task's roles
   * (iam:PassRole) and that ECS may assume its execution role (its trust policy must trust
   * ecs-tasks.amazonaws.com); then starts `count` tasks (PROVISIONING), which pull and run on
   * their own. A task that cannot pull stops as ECS stops it, with ECS's reason.
   */
  async runTask(ctx: EcsRequestContext, input: RunTaskInput): Promise<TaskRecord[]> {
    const cluster = this.requireCluster(ctx, input.cluster);
    const def = this.requireTaskDefinition(ctx, input.taskDefinition);
    if (def.status !== 'ACTIVE') throw ecsErrors.inactiveTaskDefinition(this.taskDefinitionArn(ctx, def));
    const launchType = this.launchTypeOf(input);
    if (launchType === 'FARGATE' && !def.compatibilities.includes('FARGATE')) throw ecsErrors.launchTypeUnsupported('FARGATE');
    const mode: NetworkMode = def.networkMode ?? 'bridge';
    if (mode === 'awsvpc') {
      if (!input.networkConfigurationGiven) throw ecsErrors.networkConfigurationMissing();
      if (!input.subnets || input.subnets.length === 0) throw ecsErrors.subnetsMissing();
      const bad = input.subnets.find((s) => !SUBNET_RE.test(s));
      if (bad !== undefined) throw ecsErrors.badSubnet(bad);
    } else if (input.networkConfigurationGiven) {
      throw ecsErrors.networkConfigurationNotValid();
    }
    const count = input.count ?? 1;
    if (count < 1 || count > 10) throw ecsErrors.countOutOfRange();
    for (const override of input.overrides.containerOverrides) {
      if (!def.containerDefinitions.some((c) => c.name === override.name)) throw ecsErrors.overrideUnknownContainer(override.name);
    }
    const executionRoleArn = input.overrides.executionRoleArn ?? def.executionRoleArn;
    const taskRoleArn = input.overrides.taskRoleArn ?? def.taskRoleArn;
    for (const roleArn of [executionRoleArn, taskRoleArn]) {
      if (roleArn === undefined) continue;
      const denial = this.options.authorizer.check(ctx.identity, { action: 'iam:PassRole', resource: roleArn, resourceAccount: ctx.identity.accountId });
      if (denial) throw ecsErrors.accessDenied(denial.message);
    }
    const tasks: TaskRecord[] = [];
    const sessions: Array<SessionRecord | undefined> = [];
    for (let i = 0; i < count; i++) {
      const taskId = crypto.randomBytes(16).toString('hex');
      // ECS assumes the execution role for each task, the task's id as the session name.
      let session: SessionRecord | undefined;
      if (executionRoleArn) {
        const outcome = await assumeRole(this.options.iam, this.options.authorizer, { kind: 'service', service: 'ecs-tasks.amazonaws.com' }, {
          roleArn: executionRoleArn,
          sessionName: taskId,
          durationSeconds: 3600,
        });
        if (!outcome.ok) throw ecsErrors.unableToAssumeRole(executionRoleArn);
        session = outcome.session;
      }
      tasks.push(this.newTask(ctx, { taskId, cluster, def, launchType, input, executionRoleArn, subnet: input.subnets?.[0] }));
      sessions.push(session);
    }
    const state = this.stateOf(ctx);
    for (const task of tasks) state.tasks[task.taskId] = task;
    await this.store.save();
    tasks.forEach((task, i) => this.runner.launch(ctx.identity.accountId, ctx.region, task, def, sessions[i]));
    return tasks;
  }

  /** The launch type a RunTask asks for: its launchType, a FARGATE capacity provider, else EC2 (no default strategy here). */
  private launchTypeOf(input: RunTaskInput): LaunchType {
    if (input.launchType !== undefined) {
      if (input.launchType !== 'EC2' && input.launchType !== 'FARGATE') throw ecsErrors.unsupportedLaunchType(input.launchType);
      return input.launchType;
    }
    const providers = input.capacityProviders ?? [];
    if (providers.length === 0) return 'EC2';
    if (providers.every((p) => p === 'FARGATE' || p === 'FARGATE_SPOT')) return 'FARGATE';
    throw ecsErrors.unsupportedLaunchType(`capacity provider ${providers.find((p) => !p.startsWith('FARGATE'))}`);
  }

  private newTask(
    ctx: EcsRequestContext,
    args: { taskId: string; cluster: ClusterRecord; def: TaskDefinitionRecord; launchType: LaunchType; input: RunTaskInput; executionRoleArn?: string; subnet?: string },
  ): TaskRecord {
    const { taskId, cluster, def, input } = args;
    const overrides = input.overrides.containerOverrides;
    return {
      taskId,
      clusterName: cluster.name,
      taskDefinitionArn: this.taskDefinitionArn(ctx, def),
      family: def.family,
      revision: def.revision,
      launchType: args.launchType,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      containers: def.containerDefinitions.map((c) => ({
        containerId: crypto.randomUUID(),
        name: c.name,
        image: c.image,
        essential: c.essential,
        lastStatus: 'PENDING',
        networkBindings: [],
      })),
      ...(input.overrides.cpu ?? def.cpu ? { cpu: input.overrides.cpu ?? def.cpu } : {}),
      ...(input.overrides.memory ?? def.memory ? { memory: input.overrides.memory ?? def.memory } : {}),
      ...(input.startedBy ? { startedBy: input.startedBy } : {}),
      group: input.group ?? `family:${def.family}`,
      ...(args.subnet
        ? {
            eni: {
              attachmentId: crypto.randomUUID(),
              subnetId: args.subnet,
              networkInterfaceId: `eni-${crypto.randomBytes(8).toString('hex').slice(0, 17)}`,
              macAddress: crypto.randomBytes(6).toString('hex').replace(/(..)(?!$)/g, '$1:'),
              // The sandbox's tasks share this machine's loopback interface: that is their address.
              privateIPv4Address: '127.0.0.1',
            },
          }
        : {}),
      overrides: { containerOverrides: def.containerDefinitions.map((c) => ({ name: c.name, ...overrides.find((o) => o.name === c.name) })) },
      ...(args.executionRoleArn ? { executionRoleArn: args.executionRoleArn } : {}),
      tags: input.tags,
      createdAt: this.store.now(),
      version: 1,
    };
  }

  /** Forgets tasks stopped more than an hour ago (by the sandbox clock), as ECS does. */
  private visibleTasks(ctx: EcsRequestContext): TaskRecord[] {
    const now = this.store.now();
    return Object.values(this.stateOf(ctx).tasks).filter((t) => t.lastStatus !== 'STOPPED' || now - (t.stoppedAt ?? now) < STOPPED_TASK_RETENTION_SECONDS);
  }

  /** DescribeTasks: the tasks of the cluster, MISSING for an id it does not know. */
  describeTasks(ctx: EcsRequestContext, clusterRef: string | undefined, refs: string[]): { tasks: TaskRecord[]; missing: string[] } {
    const cluster = this.requireCluster(ctx, clusterRef);
    const visible = this.visibleTasks(ctx);
    const tasks: TaskRecord[] = [];
    const missing: string[] = [];
    for (const ref of refs) {
      const task = visible.find((t) => t.taskId === taskIdOf(ref) && t.clusterName === cluster.name);
      if (task) tasks.push(task);
      else missing.push(ref.startsWith('arn:') ? ref : this.taskArn(ctx.identity.accountId, ctx.region, { clusterName: cluster.name, taskId: ref }));
    }
    return { tasks, missing };
  }

  /** ListTasks: task ARNs of a cluster whose desired status is RUNNING (the default) or the one asked for. */
  listTasks(ctx: EcsRequestContext, input: { cluster?: string; family?: string; desiredStatus?: string; launchType?: string; startedBy?: string }): string[] {
    const cluster = this.requireCluster(ctx, input.cluster);
    const desired = input.desiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING';
    return this.visibleTasks(ctx)
      .filter(
        (t) =>
          t.clusterName === cluster.name &&
          t.desiredStatus === desired &&
          (input.family === undefined || t.family === input.family) &&
          (input.launchType === undefined || t.launchType === input.launchType) &&
          (input.startedBy === undefined || t.startedBy === input.startedBy),
      )
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((t) => this.taskArn(ctx.identity.accountId, ctx.region, t));
  }

  /** StopTask: desired STOPPED at once; the containers get SIGTERM, then SIGKILL after their stopTimeout. */
  async stopTask(ctx: EcsRequestContext, input: { cluster?: string; task: string; reason?: string }): Promise<TaskRecord> {
    const cluster = this.requireCluster(ctx, input.cluster);
    const task = this.visibleTasks(ctx).find((t) => t.taskId === taskIdOf(input.task) && t.clusterName === cluster.name);
    if (!task) throw ecsErrors.taskNotFound();
    const def = this.findTaskDefinition(ctx, task.taskDefinitionArn);
    await this.runner.stop(task, { stopCode: 'UserInitiated', reason: input.reason ?? 'Task stopped by user' }, def);
    return task;
  }

  /** A task as DescribeTasks, RunTask and StopTask answer it. */
  taskView(ctx: EcsRequestContext, task: TaskRecord): Record<string, unknown> {
    const accountId = ctx.identity.accountId;
    const taskArn = this.taskArn(accountId, ctx.region, task);
    const fargate = task.launchType === 'FARGATE';
    const eni = task.eni;
    return {
      attachments: eni
        ? [
            {
              id: eni.attachmentId,
              type: 'ElasticNetworkInterface',
              status: task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
              details: [
                { name: 'subnetId', value: eni.subnetId },
                { name: 'networkInterfaceId', value: eni.networkInterfaceId },
                { name: 'macAddress', value: eni.macAddress },
                { name: 'privateIPv4Address', value: eni.privateIPv4Address },
              ],
            },
          ]
        : [],
      attributes: [{ name: 'ecs.cpu-architecture', value: process.arch === 'arm64' ? 'arm64' : 'x86_64' }],
      availabilityZone: `${ctx.region}a`,
      clusterArn: this.clusterArn(ctx, task.clusterName),
      connectivity: 'CONNECTED',
      connectivityAt: task.createdAt,
      containers: task.containers.map((c) => ({
        containerArn: `arn:aws:ecs:${ctx.region}:${accountId}:container/${task.clusterName}/${task.taskId}/${c.containerId}`,
        taskArn,
        name: c.name,
        image: c.image,
        ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}),
        ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
        lastStatus: c.lastStatus,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
        networkBindings: c.networkBindings,
        networkInterfaces: eni ? [{ attachmentId: eni.attachmentId, privateIpv4Address: eni.privateIPv4Address }] : [],
        healthStatus: 'UNKNOWN',
        cpu: '0',
      })),
      ...(task.cpu ? { cpu: task.cpu } : {}),
      createdAt: task.createdAt,
      desiredStatus: task.desiredStatus,
      enableExecuteCommand: false,
      group: task.group,
      healthStatus: 'UNKNOWN',
      lastStatus: task.lastStatus,
      launchType: task.launchType,
      ...(task.memory ? { memory: task.memory } : {}),
      overrides: { containerOverrides: task.overrides.containerOverrides, inferenceAcceleratorOverrides: [] },
      ...(fargate ? { platformVersion: '1.4.0', platformFamily: 'Linux', ephemeralStorage: { sizeInGiB: 20 } } : {}),
      ...timestamps(task, ['pullStartedAt', 'pullStoppedAt', 'startedAt', 'stoppingAt', 'stoppedAt'] as const),
      ...(task.stoppedAt !== undefined ? { executionStoppedAt: task.stoppedAt } : {}),
      ...(task.startedBy ? { startedBy: task.startedBy } : {}),
      ...(task.stopCode ? { stopCode: task.stopCode } : {}),
      ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
      tags: task.tags,
      taskArn,
      taskDefinitionArn: task.taskDefinitionArn,
      version: task.version,
    };
  }

  /** Stops every task (`sandbox down`): their containers are removed, nothing is left running. */
  stopAll(): Promise<void> {
    return this.runner.shutdown();
  }

  /** At start: a sandbox killed while tasks ran left containers behind; they go, and their tasks are STOPPED. */
  recover(): Promise<void> {
    return this.runner.recover();
  }
}

/** A container definition as the API answers it: ECS's defaults, then whatever else was registered. */
function containerDefinitionView(c: ContainerDefinition): Record<string, unknown> {
  const { extra, ...known } = c;
  return { ...known, ...extra };
}
