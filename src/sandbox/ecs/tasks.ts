import { issueTokenFor } from '../auth/token.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { SandboxStore } from '../backend/store.js';
import type { IamBackend } from '../iam/backend.js';
import type { Identity, SessionRecord } from '../iam/types.js';
import { TASK_ARN_LABEL, TASK_LABEL, type PullAuth, type RunSpec, type TaskContainers } from './containers.js';
import type { EcsRegionState, StopCode, TaskContainerRecord, TaskDefinitionRecord, TaskRecord } from './types.js';

/** A registry the sandbox serves: images under its host are pulled with an ECR login. */
export interface EcsRegistry {
  /** `localhost:PORT` (the learner's account) or `127.0.0.1:PORT` (the second account). */
  host: string;
  accountId: string;
}

/** What the ECS backend gives its task runner: the sandbox's parts tasks need. */
export interface TaskRunnerOptions {
  store: SandboxStore;
  iam: IamBackend;
  authorizer: Authorizer;
  /** The engine that runs tasks' containers (docker or podman). */
  containers: TaskContainers;
  /** The sandbox's registries (host and account): images there are pulled with the execution role's ECR login. */
  registries: () => EcsRegistry[];
  /** The region the sandbox's registry serves (its login tokens are that region's). */
  registryRegion: string;
  tokenTtlSeconds: number;
  /** The value of TASK_LABEL on this sandbox's task containers. */
  label: string;
}

/** Resolves once the request under way has been answered (its handler finished synchronously). */
const afterAnswer = () => new Promise<void>((resolve) => setImmediate(resolve));

/** ECS's default time between SIGTERM and SIGKILL when a task stops. */
const DEFAULT_STOP_TIMEOUT_SECONDS = 30;
const SHUTDOWN_REASON = 'Task stopped because the ECS sandbox stopped (ecr-workbook sandbox down).';
const RECOVERED_REASON = 'Task stopped because the ECS sandbox stopped while it ran (its containers were removed when the sandbox started again).';

/**
 * Runs ECS tasks as real containers, the way the ECS agent does: with the execution role's
 * session it asks ECR for a login (ecr:GetAuthorizationToken, authorized as the role), pulls each
 * image through the sandbox's registry with that login alone (never the learner's docker config),
 * runs the containers with their ports published on 127.0.0.1, and follows them: an essential
 * container that exits stops the task. Each change of state is saved as it happens, so
 * DescribeTasks shows PROVISIONING, PENDING, RUNNING, STOPPING and STOPPED in turn.
 */
export class TaskRunner {
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: TaskRunnerOptions & {
      taskArn: (task: TaskRecord, accountId: string, region: string) => string;
      regions: () => Array<{ accountId: string; region: string; state: EcsRegionState }>;
    },
  ) {}

  private now(): number {
    return this.options.store.now();
  }

  private async changed(task: TaskRecord): Promise<void> {
    task.version++;
    await this.options.store.save().catch((error: unknown) => console.error(`[sandbox] saving ECS task ${task.taskId} failed: ${(error as Error).message}`));
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch((error: unknown) => console.error(`[sandbox] ECS task work failed: ${(error as Error)?.stack ?? error}`))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Starts a task that RunTask recorded (PROVISIONING): in the background. */
  launch(accountId: string, region: string, task: TaskRecord, def: TaskDefinitionRecord, session: SessionRecord | undefined): void {
    this.track(
      this.start(accountId, region, task, def, session).catch(async (error: unknown) => {
        await this.finish(task, 'TaskFailedToStart', `CannotStartContainerError: ${(error as Error)?.message ?? String(error)}`);
      }),
    );
  }

  private async start(accountId: string, region: string, task: TaskRecord, def: TaskDefinitionRecord, session: SessionRecord | undefined): Promise<void> {
    // RunTask answers first, with the task PROVISIONING, as ECS does.
    await afterAnswer();
    if (this.closed) return;
    task.lastStatus = 'PENDING';
    task.pullStartedAt = this.now();
    await this.changed(task);
    const identity = session ? this.options.iam.identityForKey(session.accessKeyId) : undefined;
    for (const container of task.containers) {
      if (task.desiredStatus === 'STOPPED' || this.closed) return this.finish(task);
      const login = this.registryLogin(task, container.image, identity);
      if ('refused' in login) return this.finish(task, 'TaskFailedToStart', login.refused);
      const pulled = await this.options.containers.pull(container.image, login.auth);
      if (!pulled.ok) {
        // ECS's words, then the engine's: the registry's denial or not-found text as docker printed it.
        container.reason = `CannotPullContainerError: ${pulled.message}`;
        return this.finish(task, 'TaskFailedToStart', container.reason);
      }
      if (pulled.digest) container.imageDigest = pulled.digest;
    }
    task.pullStoppedAt = this.now();
    await this.changed(task);
    for (const container of task.containers) {
      if (task.desiredStatus === 'STOPPED' || this.closed) break;
      const started = await this.options.containers.run(this.runSpec(accountId, region, task, def, container));
      if (!started.ok) {
        container.reason = `CannotStartContainerError: ${started.message}`;
        await this.stopContainers(task, def);
        return this.finish(task, 'TaskFailedToStart', container.reason);
      }
      container.runtimeId = started.id;
      container.lastStatus = 'RUNNING';
      container.networkBindings = started.bindings.map((b) => ({ bindIP: b.hostIp, containerPort: b.containerPort, hostPort: b.hostPort, protocol: b.protocol }));
      this.track(this.options.containers.wait(started.id).then((code) => this.exited(task, container, code, def)));
    }
    if (task.desiredStatus === 'STOPPED' || this.closed) {
      // StopTask arrived while the task started: what did start stops now.
      await this.stopContainers(task, def);
      return;
    }
    task.lastStatus = 'RUNNING';
    task.startedAt = this.now();
    await this.changed(task);
  }

  /**
   * The login a container's image needs: none for a registry other than the sandbox's (a public
   * image), none without an execution role (the registry then says "no basic auth credentials"),
   * else a token from GetAuthorizationToken as the role's session, which ECS asks for first.
   */
  private registryLogin(task: TaskRecord, image: string, identity: Identity | undefined): { auth?: PullAuth } | { refused: string } {
    const registry = this.options.registries().find((r) => image.startsWith(`${r.host}/`));
    if (!registry || !identity) return {};
    const denial = this.options.authorizer.check(identity, { action: 'ecr:GetAuthorizationToken', resource: '*' });
    if (denial) {
      // The Fargate agent's and the EC2 agent's words for the same refusal.
      return {
        refused:
          task.launchType === 'FARGATE'
            ? `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time(s): AccessDeniedException: ${denial.message}`
            : `CannotPullECRContainerError: AccessDeniedException: ${denial.message}`,
      };
    }
    const now = this.now();
    const token = issueTokenFor(this.options.store.state.tokenSecret, identity, this.options.registryRegion, this.options.tokenTtlSeconds, now);
    return { auth: { registry: registry.host, username: 'AWS', password: token.password } };
  }

  private runSpec(accountId: string, region: string, task: TaskRecord, def: TaskDefinitionRecord, container: TaskContainerRecord): RunSpec {
    const definition = def.containerDefinitions.find((c) => c.name === container.name)!;
    const override = task.overrides.containerOverrides.find((o) => o.name === container.name);
    const env = new Map(definition.environment.map((e) => [e.name, e.value]));
    for (const e of override?.environment ?? []) env.set(e.name, e.value);
    const mode = def.networkMode ?? 'bridge';
    return {
      name: `ecs-${def.family}-${def.revision}-${container.name}-${task.taskId.slice(0, 12)}`,
      image: container.image,
      labels: {
        [TASK_LABEL]: this.options.label,
        [TASK_ARN_LABEL]: this.options.taskArn(task, accountId, region),
        // The labels the ECS agent puts on a task's containers.
        'com.amazonaws.ecs.cluster': task.clusterName,
        'com.amazonaws.ecs.container-name': container.name,
        'com.amazonaws.ecs.task-definition-family': def.family,
        'com.amazonaws.ecs.task-definition-version': String(def.revision),
      },
      // Tasks share this machine's loopback: an awsvpc (or host) task's own port is published on
      // a free one instead, and DescribeTasks reports it as a network binding.
      ports:
        mode === 'none'
          ? []
          : definition.portMappings.map((p) => ({ containerPort: p.containerPort, hostPort: mode === 'bridge' ? p.hostPort : 0, protocol: p.protocol })),
      env: [...env].map(([name, value]) => ({ name, value })),
      ...(definition.entryPoint ? { entryPoint: definition.entryPoint } : {}),
      ...(override?.command ?? definition.command ? { command: override?.command ?? definition.command } : {}),
      ...(definition.workingDirectory ? { workingDirectory: definition.workingDirectory } : {}),
      ...(definition.user ? { user: definition.user } : {}),
      ...(mode === 'none' ? { noNetwork: true } : {}),
    };
  }

  /** A container exited: an essential one stops the task; the last one out marks it STOPPED. */
  private async exited(task: TaskRecord, container: TaskContainerRecord, code: number, def: TaskDefinitionRecord): Promise<void> {
    if (this.closed || container.lastStatus === 'STOPPED') return;
    container.lastStatus = 'STOPPED';
    if (code >= 0) container.exitCode = code;
    if (container.runtimeId) await this.options.containers.remove([container.runtimeId]);
    if (task.desiredStatus !== 'STOPPED' && container.essential) {
      task.desiredStatus = 'STOPPED';
      task.stopCode = 'EssentialContainerExited';
      task.stoppedReason = 'Essential container in task exited';
      task.stoppingAt = this.now();
      await this.changed(task);
      await this.stopContainers(task, def);
    }
    if (task.containers.every((c) => c.lastStatus !== 'RUNNING')) await this.finish(task);
    else await this.changed(task);
  }

  /** Sends the task's running containers SIGTERM (SIGKILL after their stopTimeout); their watchers record the exits. */
  private async stopContainers(task: TaskRecord, def: TaskDefinitionRecord | undefined): Promise<void> {
    const running = task.containers.filter((c) => c.lastStatus === 'RUNNING' && c.runtimeId);
    if (running.length === 0) return;
    if (task.lastStatus === 'RUNNING') {
      task.lastStatus = 'STOPPING';
      await this.changed(task);
    }
    await Promise.all(
      running.map((c) =>
        this.options.containers.stop(c.runtimeId!, def?.containerDefinitions.find((d) => d.name === c.name)?.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS),
      ),
    );
  }

  /**
   * StopTask: the desired status is STOPPED at once and the answer shows it; the containers stop
   * in the background (a task still starting stops as soon as its start reaches them).
   */
  async stop(task: TaskRecord, why: { stopCode: StopCode; reason: string }, def: TaskDefinitionRecord | undefined): Promise<void> {
    if (task.desiredStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stopCode = why.stopCode;
    task.stoppedReason = why.reason;
    task.stoppingAt = this.now();
    await this.changed(task);
    // StopTask answers first (lastStatus still RUNNING, desiredStatus STOPPED), as ECS does.
    if (task.containers.some((c) => c.lastStatus === 'RUNNING')) this.track(afterAnswer().then(() => this.stopContainers(task, def)));
  }

  /** The task is over: STOPPED with its stop code and reason (a failure to start sets them). */
  private async finish(task: TaskRecord, stopCode?: StopCode, reason?: string): Promise<void> {
    if (task.lastStatus === 'STOPPED') return;
    if (task.desiredStatus !== 'STOPPED' || !task.stopCode) {
      task.stopCode = stopCode ?? task.stopCode;
      task.stoppedReason = reason ?? task.stoppedReason;
    }
    task.desiredStatus = 'STOPPED';
    task.stoppingAt ??= this.now();
    for (const c of task.containers) if (c.lastStatus !== 'STOPPED') c.lastStatus = 'STOPPED';
    task.lastStatus = 'STOPPED';
    task.stoppedAt = this.now();
    await this.changed(task);
  }

  /** Every task that is not yet STOPPED, across accounts and regions. */
  private activeTasks(): TaskRecord[] {
    return this.options.regions().flatMap((r) => Object.values(r.state.tasks).filter((t) => t.lastStatus !== 'STOPPED'));
  }

  /** Removes every container this sandbox labelled (running or not). */
  private async removeContainers(): Promise<void> {
    const ids = await this.options.containers.listLabelled(TASK_LABEL, this.options.label).catch(() => []);
    await this.options.containers.remove(ids).catch(() => undefined);
  }

  /** Removes every container this sandbox labelled and marks its tasks STOPPED, for a reason of the sandbox's own. */
  private async removeAll(reason: string): Promise<void> {
    await this.removeContainers();
    const now = this.now();
    for (const task of this.activeTasks()) {
      if (task.desiredStatus !== 'STOPPED') {
        task.stopCode = 'UserInitiated';
        task.stoppedReason = reason;
      }
      task.desiredStatus = 'STOPPED';
      task.stoppingAt ??= now;
      task.stoppedAt = now;
      task.lastStatus = 'STOPPED';
      for (const c of task.containers) c.lastStatus = 'STOPPED';
      task.version++;
    }
    await this.options.store.save();
  }

  /** `sandbox down`: no new containers start, work under way settles, then every task container goes. */
  async shutdown(): Promise<void> {
    this.closed = true;
    // Removing the containers ends their watchers; a start under way then sees `closed` and stops.
    await this.removeContainers();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.removeAll(SHUTDOWN_REASON);
  }

  /** At start: containers a killed sandbox left behind go, and their tasks are STOPPED (nothing to do when no task was running). */
  async recover(): Promise<void> {
    if (this.activeTasks().length > 0) await this.removeAll(RECOVERED_REASON);
  }
}
