/**
 * The container engine that runs the sandbox's ECS tasks, behind one-question functions (one
 * `docker` or `podman` call each): pull an image with a task's own registry credentials, run a
 * container, read its published ports, wait for it to exit, stop and remove it. Every container
 * carries the sandbox's task label, so a sandbox finds (and removes) its own and nothing else.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { detectClient, isContainerClient, type ContainerClient } from '../../docker/client.js';
import { containerCli, inspectImage, type DockerResult } from '../../docker/cli.js';

export type { ContainerClient };

/** The label every task container of a sandbox carries (value: containerLabel of the sandbox's folder). */
export const TASK_LABEL = 'io.ecr-workbook.task';
/** The task a container belongs to (its ARN), for a person reading `docker ps`. */
export const TASK_ARN_LABEL = 'io.ecr-workbook.task-arn';

/** Registry credentials for one pull: docker's `auths` entry for the host, never the learner's own config. */
export interface PullAuth {
  registry: string;
  username: string;
  password: string;
}

export interface PortBinding {
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
}

export interface RunSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  /** Container port → host port (0: any free one), always on 127.0.0.1. */
  ports: Array<{ containerPort: number; hostPort: number; protocol: 'tcp' | 'udp' }>;
  env: Array<{ name: string; value: string }>;
  entryPoint?: string[];
  command?: string[];
  workingDirectory?: string;
  user?: string;
  /** No network at all (networkMode none). */
  noNetwork?: boolean;
}

/** What an ECS task needs of a container engine; ContainerCli is the real one. */
export interface TaskContainers {
  readonly client: ContainerClient;
  /** Pulls an image; the error is the engine's own words (the registry's denial or not-found text). */
  pull(image: string, auth?: PullAuth): Promise<{ ok: true; digest?: string } | { ok: false; message: string }>;
  run(spec: RunSpec): Promise<{ ok: true; id: string; bindings: PortBinding[] } | { ok: false; message: string }>;
  /** Resolves with the exit code when the container stops (however it stops). */
  wait(id: string): Promise<number>;
  stop(id: string, timeoutSeconds: number): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /** Ids of every container (running or not) with this label value. */
  listLabelled(label: string, value: string): Promise<string[]>;
}

/**
 * The engine to run tasks with: ECR_WORKBOOK_CONTAINER_CLIENT when set, else the client the
 * workbook detects for the learner (podman when docker is podman's shim or missing, else docker).
 */
export async function taskEngine(env: NodeJS.ProcessEnv = process.env): Promise<ContainerClient> {
  const chosen = env.ECR_WORKBOOK_CONTAINER_CLIENT?.trim() ?? '';
  return isContainerClient(chosen) ? chosen : detectClient(env);
}

/** The engine's error in one line: its last words, as `docker pull` prints them ("Error response from daemon: …"). */
function errorLine(result: DockerResult): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.filter((line) => /^(Error|error)/.test(line)).pop() ?? lines.pop() ?? `exit status ${result.code}`;
}

/** A registry host on this machine, which podman reaches over plain http only when told to. */
const isLoopbackRegistry = (image: string) => /^(localhost|127\.0\.0\.1)(:\d+)?\//.test(image);

/** The repository part of an image reference (`localhost:5123/demo-app` of `localhost:5123/demo-app:v1`). */
export function repositoryOf(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(0, at);
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(0, colon) : image;
}

/** The docker or podman CLI, with the environment of the process that runs the sandbox. */
export class ContainerCli implements TaskContainers {
  constructor(
    readonly client: ContainerClient,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The engine's CLI; five minutes at most (a pull of a large image on a slow network). */
  private cli(args: string[], env: NodeJS.ProcessEnv = this.env, timeoutMs = 300_000): Promise<DockerResult> {
    return containerCli({ client: this.client, env }, args, undefined, { timeoutMs });
  }

  async pull(image: string, auth?: PullAuth): Promise<{ ok: true; digest?: string } | { ok: false; message: string }> {
    // A folder of its own for this pull's credentials: docker reads DOCKER_CONFIG, podman --authfile.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ecrwb-task-auth-'));
    try {
      const config = path.join(dir, 'config.json');
      const auths = auth ? { [auth.registry]: { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') } } : {};
      await fs.writeFile(config, JSON.stringify({ auths }), { mode: 0o600 });
      const args = ['pull'];
      if (this.client === 'podman') {
        args.push('--authfile', config);
        if (isLoopbackRegistry(image)) args.push('--tls-verify=false');
      }
      args.push(image);
      const result = await this.cli(args, this.client === 'docker' ? { ...this.env, DOCKER_CONFIG: dir } : this.env);
      if (result.code !== 0) return { ok: false, message: errorLine(result) };
      return { ok: true, digest: await this.repoDigest(image) };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /** The manifest digest the local image has for its repository (RepoDigests), after a pull. */
  private async repoDigest(image: string): Promise<string | undefined> {
    const local = await inspectImage(image, { client: this.client, env: this.env }).catch(() => undefined);
    const repository = repositoryOf(image);
    const mine = local?.repoDigests.find((d) => repositoryOf(d) === repository || repositoryOf(d) === `localhost/${repository}`);
    return mine?.slice(mine.indexOf('@') + 1);
  }

  async run(spec: RunSpec): Promise<{ ok: true; id: string; bindings: PortBinding[] } | { ok: false; message: string }> {
    const args = ['run', '-d', '--name', spec.name];
    for (const [key, value] of Object.entries(spec.labels)) args.push('--label', `${key}=${value}`);
    if (spec.noNetwork) args.push('--network', 'none');
    // Published on the loopback interface only: the task is the learner's, not the network's.
    for (const p of spec.ports) args.push('-p', `127.0.0.1:${p.hostPort === 0 ? '' : p.hostPort}:${p.containerPort}/${p.protocol}`);
    for (const e of spec.env) args.push('-e', `${e.name}=${e.value}`);
    if (spec.workingDirectory) args.push('-w', spec.workingDirectory);
    if (spec.user) args.push('-u', spec.user);
    const [entry, ...entryArgs] = spec.entryPoint ?? [];
    if (entry !== undefined) args.push('--entrypoint', entry);
    args.push(spec.image, ...entryArgs, ...(spec.command ?? []));
    const result = await this.cli(args);
    if (result.code !== 0) {
      // A container that was created and could not start (a port taken) is removed, not left behind.
      await this.cli(['rm', '-f', spec.name]);
      return { ok: false, message: errorLine(result) };
    }
    const id = result.stdout.trim().split('\n').pop()!;
    return { ok: true, id, bindings: await this.bindings(id) };
  }

  /** The ports a container published, as `docker inspect` reports them. */
  private async bindings(id: string): Promise<PortBinding[]> {
    const result = await this.cli(['inspect', '--format', '{{json .NetworkSettings.Ports}}', id]);
    if (result.code !== 0) return [];
    let ports: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> = {};
    try {
      ports = (JSON.parse(result.stdout.trim()) ?? {}) as typeof ports;
    } catch {
      return [];
    }
    return Object.entries(ports).flatMap(([key, hosts]) => {
      const [port, protocol] = key.split('/');
      return (hosts ?? []).map((h) => ({
        containerPort: Number(port),
        hostPort: Number(h.HostPort),
        protocol: protocol === 'udp' ? ('udp' as const) : ('tcp' as const),
        hostIp: h.HostIp || '127.0.0.1',
      }));
    });
  }

  wait(id: string): Promise<number> {
    return new Promise((resolve) => {
      const child = spawn(this.client, ['wait', id], { env: this.env, stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', () => resolve(-1));
      child.on('close', () => {
        const code = Number.parseInt(out.trim().split('\n').pop() ?? '', 10);
        resolve(Number.isFinite(code) ? code : -1);
      });
    });
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    await this.cli(['stop', '-t', String(Math.max(0, Math.round(timeoutSeconds))), id]);
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.cli(['rm', '-f', ...ids]);
  }

  async listLabelled(label: string, value: string): Promise<string[]> {
    const result = await this.cli(['ps', '-aq', '--filter', `label=${label}=${value}`]);
    return result.code === 0 ? result.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : [];
  }
}
