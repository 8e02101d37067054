/** ECS's persisted state in the sandbox state file (plain JSON): clusters, task definitions, tasks. */

export interface KeyValuePair {
  name: string;
  value: string;
}

export interface EcsTag {
  key: string;
  value: string;
}

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
  name?: string;
  appProtocol?: string;
}

/** A container definition as registered: ECS's defaults filled in, unknown members kept as sent. */
export interface ContainerDefinition {
  name: string;
  image: string;
  cpu: number;
  memory?: number;
  memoryReservation?: number;
  portMappings: PortMapping[];
  essential: boolean;
  entryPoint?: string[];
  command?: string[];
  environment: KeyValuePair[];
  mountPoints: unknown[];
  volumesFrom: unknown[];
  systemControls: unknown[];
  workingDirectory?: string;
  user?: string;
  stopTimeout?: number;
  /** Members the sandbox stores and echoes but does not act on (logConfiguration, healthCheck…). */
  extra?: Record<string, unknown>;
}

export type NetworkMode = 'bridge' | 'host' | 'awsvpc' | 'none';
export type LaunchType = 'EC2' | 'FARGATE';

export interface TaskDefinitionRecord {
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  containerDefinitions: ContainerDefinition[];
  /** Absent: ECS's default for the launch type (bridge on EC2). */
  networkMode?: NetworkMode;
  executionRoleArn?: string;
  taskRoleArn?: string;
  requiresCompatibilities?: string[];
  /** Which launch types it can run on, as ECS works them out. */
  compatibilities: string[];
  cpu?: string;
  memory?: string;
  tags: EcsTag[];
  registeredAt: number;
  registeredBy: string;
  deregisteredAt?: number;
}

export interface ClusterRecord {
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
  tags: EcsTag[];
  createdAt: number;
}

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

export interface NetworkBinding {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

export interface TaskContainerRecord {
  containerId: string;
  name: string;
  image: string;
  essential: boolean;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  /** Set once pulled: the manifest digest the image resolved to. */
  imageDigest?: string;
  /** The container's id in docker (or podman), once created. */
  runtimeId?: string;
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
}

export type StopCode = 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated';

export interface TaskRecord {
  /** 32 hex characters; the ARN's last part. */
  taskId: string;
  clusterName: string;
  taskDefinitionArn: string;
  family: string;
  revision: number;
  launchType: LaunchType;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  containers: TaskContainerRecord[];
  cpu?: string;
  memory?: string;
  startedBy?: string;
  group: string;
  /** awsvpc tasks: the elastic network interface the sandbox pretends to attach (its address is loopback). */
  eni?: { attachmentId: string; subnetId: string; networkInterfaceId: string; macAddress: string; privateIPv4Address: string };
  overrides: { containerOverrides: Array<{ name: string; command?: string[]; environment?: KeyValuePair[] }> };
  executionRoleArn?: string;
  tags: EcsTag[];
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: StopCode;
  stoppedReason?: string;
  /** Bumped at every change of state (Task.version). */
  version: number;
}

/** One account's ECS in one region. */
export interface EcsRegionState {
  clusters: Record<string, ClusterRecord>;
  /** By family: every revision, oldest first. */
  taskDefinitions: Record<string, TaskDefinitionRecord[]>;
  tasks: Record<string, TaskRecord>;
}

/** By account id, then region. */
export interface EcsState {
  accounts: Record<string, Record<string, EcsRegionState>>;
}
