/**
 * The learner's container client (`docker` or `podman`) behind one-question functions (one call
 * each), so checks read as questions and tests can use the real tool.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { ClientEnv, ContainerClient } from './client.js';

export class DockerUnavailableError extends Error {
  constructor(
    readonly reason: string,
    /** The command that brings the client back, when one is known (`unset DOCKER_HOST`). */
    readonly command?: string,
  ) {
    super(reason);
    this.name = 'DockerUnavailableError';
  }
}

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

const NOT_INSTALLED: Record<ContainerClient, string> = {
  docker: 'The docker command is not installed (or not on PATH). Install Docker Desktop, or the docker CLI and engine.',
  podman: 'The podman command is not installed (or not on PATH). Install Podman (`sudo apt-get install podman`, `sudo dnf install podman`, or Podman Desktop).',
};

/**
 * Runs `<client> <args>` with `env`; never throws for a non-zero exit, only when the client is
 * missing. Stopped after `timeoutMs` (a minute by default; a pull may need more).
 */
export function containerCli(on: ClientEnv, args: string[], input?: string, options: { timeoutMs?: number } = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(on.client, args, { env: on.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new DockerUnavailableError(NOT_INSTALLED[on.client]));
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/**
 * What docker's legacy builder prints when a `FROM scratch` build loses a race on a shared
 * daemon: its cache lookup lists every image without a parent, then reads each, and one that
 * another process deleted in between fails the whole build (moby's GetCachedImage). Nothing is
 * wrong with the build; run again, it passes.
 */
export const BUILD_CACHE_RACE = /unable to find image "sha256:[0-9a-f]{64}"/;

/**
 * Runs a build (or a command line or script with builds) again, twice at most, while it loses
 * that race (BUILD_CACHE_RACE): found in what it printed, or in the message it threw. Any other
 * failure is the attempt's own. `onRetry` hears of each retry before it runs.
 */
export async function retryBuildRace<R>(attempt: () => Promise<R>, output: (r: R) => string = String, onRetry?: (lost: string, retry: number) => void): Promise<R> {
  for (let retry = 1; ; retry++) {
    let lost: RegExpMatchArray | null;
    try {
      const r = await attempt();
      lost = output(r).match(BUILD_CACHE_RACE);
      if (retry === 3 || !lost) return r;
    } catch (error) {
      lost = String(error).match(BUILD_CACHE_RACE);
      if (retry === 3 || !lost) throw error;
    }
    onRetry?.(lost[0], retry);
  }
}

/** The variable that points each client at a remote engine. */
const HOST_VARIABLE: Record<ContainerClient, string> = { docker: 'DOCKER_HOST', podman: 'CONTAINER_HOST' };

/**
 * A `unix://` engine address whose socket does not exist: the client can never answer there,
 * whatever runs on the machine (a variable left from another setup, a Colima or Podman machine
 * that was deleted).
 */
function missingSocket(on: ClientEnv): string | undefined {
  const value = on.env[HOST_VARIABLE[on.client]];
  const socket = value?.startsWith('unix://') ? value.slice('unix://'.length) : undefined;
  return socket && !fs.existsSync(socket) ? value : undefined;
}

/** How to start the engine on this machine, as a command the learner can run (Podman on Linux has no engine to start). */
function startCommand(client: ContainerClient): string | undefined {
  if (client === 'podman') return process.platform === 'linux' ? undefined : 'podman machine start';
  if (process.platform === 'darwin') return 'open -a Docker';
  return 'sudo systemctl start docker';
}

/** The engine's version, or DockerUnavailableError saying why it cannot be reached and what to run. */
export async function dockerServerVersion(on: ClientEnv): Promise<string> {
  const args = on.client === 'podman' ? ['info', '--format', '{{.Version.Version}}'] : ['version', '--format', '{{.Server.Version}}'];
  const result = await containerCli(on, args);
  const version = result.stdout.trim();
  if (result.code === 0 && version) return version;
  const detail = result.stderr.trim().split('\n').pop() ?? '';
  const variable = HOST_VARIABLE[on.client];
  const stray = missingSocket(on);
  if (stray) {
    throw new DockerUnavailableError(
      `${variable} is ${stray}, and there is no socket there, so ${on.client} cannot reach an engine${detail ? ` (${detail})` : ''}. Unset it to use the local engine.`,
      `unset ${variable}`,
    );
  }
  if (on.client === 'podman') {
    throw new DockerUnavailableError(`Podman is not answering${detail ? ` (${detail})` : ''}. On macOS and Windows, start its machine; on Linux, \`podman info\` shows what is wrong.`, startCommand('podman'));
  }
  throw new DockerUnavailableError(
    `The docker engine is not answering${detail ? ` (${detail})` : ''}. Start Docker Desktop, Colima or the docker service, then check again.`,
    startCommand('docker'),
  );
}

export interface LocalImage {
  /** The image id: the digest of its config (`sha256:…`), whichever client reports it. */
  id: string;
  repoTags: string[];
  /** `repo@sha256:…` for each registry the image was pushed to or pulled from. */
  repoDigests: string[];
  size: number;
  created: string;
}

/** `sha256:` in front of a bare hex id (podman prints ids without it). */
export function imageId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? `sha256:${id}` : id;
}

/** The local image a reference names, or undefined when there is none. */
export async function inspectImage(ref: string, on: ClientEnv): Promise<LocalImage | undefined> {
  const result = await containerCli(on, ['image', 'inspect', '--format', '{{json .}}', ref]);
  if (result.code !== 0) {
    // docker: "No such image"; podman: "image not known".
    if (/no such image|not found|image not known/i.test(result.stderr)) return undefined;
    await dockerServerVersion(on); // throws the "engine is down" explanation if that is the cause
    return undefined;
  }
  // docker prints the one object on a line; podman prints its usual array, indented.
  const parsed = JSON.parse(result.stdout) as unknown;
  const raw = (Array.isArray(parsed) ? parsed[0] : parsed) as {
    Id: string;
    RepoTags?: string[] | null;
    RepoDigests?: string[] | null;
    Size?: number;
    Created?: string;
  };
  return { id: imageId(raw.Id), repoTags: raw.RepoTags ?? [], repoDigests: raw.RepoDigests ?? [], size: raw.Size ?? 0, created: raw.Created ?? '' };
}

export interface ImageListEntry {
  repository: string;
  tag: string;
  id: string;
}

/** Every local image reference (repository:tag), as `docker images` lists them. */
export async function listImages(on: ClientEnv): Promise<ImageListEntry[]> {
  const result = await containerCli(on, ['images', '--no-trunc', '--format', '{{.Repository}}\t{{.Tag}}\t{{.ID}}']);
  if (result.code !== 0) {
    await dockerServerVersion(on);
    return [];
  }
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [repository = '', tag = '', id = ''] = line.split('\t');
      return { repository, tag, id: imageId(id) };
    });
}

/**
 * Removes every local reference to `repository`: its tags, and its digest references
 * (`<repository>@sha256:…`), which keep an image alive after its last tag moved away, and with it
 * the manifest the client cached (a later pull of that digest would then not reach the
 * registry). By reference, never by force on an id: another process may share an image through
 * the build cache, or have named it elsewhere. An image those references named that is left with
 * no name at all (a parent untagged while a rebuild on top of it still stood) is removed last,
 * unless something still uses it (with podman, also those whose names history shows the
 * repository: podman keeps no name of an image whose tag moved). Returns the references it removed.
 */
export async function removeRepositoryImages(repository: string, on: ClientEnv): Promise<string[]> {
  const listed = await containerCli(on, ['images', '--digests', '--no-trunc', '--format', '{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}']);
  if (listed.code !== 0) return [];
  const refs = new Set<string>();
  const ids = new Set<string>();
  for (const line of listed.stdout.split('\n')) {
    const [name, tag, digest, id] = line.split('\t');
    if (name !== repository) continue;
    if (tag && tag !== '<none>') refs.add(`${name}:${tag}`);
    if (digest?.startsWith('sha256:')) refs.add(`${name}@${digest}`);
    if (id) ids.add(imageId(id));
  }
  if (on.client === 'podman') {
    // Podman forgets every name of an image whose tag moved, but keeps them in its names history.
    const dangling = await containerCli(on, ['images', '--filter', 'dangling=true', '--no-trunc', '--format', '{{.ID}}\t{{.History}}']);
    for (const line of dangling.code === 0 ? dangling.stdout.split('\n') : []) {
      const [id, history = ''] = line.split('\t');
      if (id && history.split(/[\s,]+/).some((name) => name.startsWith(`${repository}:`) || name.startsWith(`${repository}@`))) ids.add(imageId(id));
    }
  }
  // One at a time: the image behind a tag may go with it, and a reference already gone is no failure.
  const removed: string[] = [];
  for (const ref of refs) if ((await containerCli(on, ['rmi', '--force', ref])).code === 0) removed.push(ref);
  // Children first: each round removes the nameless images nothing stands on any more.
  for (let round = 0; round < 3 && ids.size > 0; round++) {
    for (const id of [...ids]) {
      const left = await inspectImage(id, on).catch(() => undefined);
      if (!left) ids.delete(id);
      else if (left.repoTags.length === 0 && left.repoDigests.length === 0 && (await containerCli(on, ['rmi', id])).code === 0) ids.delete(id);
    }
  }
  return removed;
}
