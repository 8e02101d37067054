/**
 * The docker CLI behind one-question functions (one `docker` call each), so checks read as
 * questions and tests can use the real tool.
 */
import { execFile } from 'node:child_process';

export class DockerUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DockerUnavailableError';
  }
}

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>` with `env`; never throws for a non-zero exit, only when docker is missing. */
export function docker(args: string[], env: NodeJS.ProcessEnv = process.env, input?: string): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('docker', args, { env, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new DockerUnavailableError('The docker command is not installed (or not on PATH). Install Docker Desktop, or the docker CLI and engine.'));
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The docker engine's version, or DockerUnavailableError saying why it cannot be reached. */
export async function dockerServerVersion(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await docker(['version', '--format', '{{.Server.Version}}'], env);
  const version = result.stdout.trim();
  if (result.code === 0 && version) return version;
  const detail = result.stderr.trim().split('\n').pop() ?? '';
  throw new DockerUnavailableError(
    `The docker engine is not answering${detail ? ` (${detail})` : ''}. Start Docker Desktop (or \`sudo systemctl start docker\`), then try again.`,
  );
}

export interface LocalImage {
  id: string;
  repoTags: string[];
  /** `repo@sha256:…` for each registry the image was pushed to or pulled from. */
  repoDigests: string[];
  size: number;
  created: string;
}

/** The local image a reference names, or undefined when there is none. */
export async function inspectImage(ref: string, env: NodeJS.ProcessEnv = process.env): Promise<LocalImage | undefined> {
  const result = await docker(['image', 'inspect', '--format', '{{json .}}', ref], env);
  if (result.code !== 0) {
    if (/no such image|not found/i.test(result.stderr)) return undefined;
    await dockerServerVersion(env); // throws the "engine is down" explanation if that is the cause
    return undefined;
  }
  const raw = JSON.parse(result.stdout.trim().split('\n')[0]!) as {
    Id: string;
    RepoTags?: string[] | null;
    RepoDigests?: string[] | null;
    Size?: number;
    Created?: string;
  };
  return { id: raw.Id, repoTags: raw.RepoTags ?? [], repoDigests: raw.RepoDigests ?? [], size: raw.Size ?? 0, created: raw.Created ?? '' };
}

export interface ImageListEntry {
  repository: string;
  tag: string;
  id: string;
}

/** Every local image reference (repository:tag), as `docker images` lists them. */
export async function listImages(env: NodeJS.ProcessEnv = process.env): Promise<ImageListEntry[]> {
  const result = await docker(['images', '--no-trunc', '--format', '{{.Repository}}\t{{.Tag}}\t{{.ID}}'], env);
  if (result.code !== 0) {
    await dockerServerVersion(env);
    return [];
  }
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [repository = '', tag = '', id = ''] = line.split('\t');
      return { repository, tag, id };
    });
}
