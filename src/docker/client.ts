/**
 * Which container client the learner types: `docker`, or `podman` (Red Hat shops, many Linux
 * laptops). Lessons are written with `docker` and rendered for the client; the checks ask the
 * same client about images and read its own credential files.
 */
import { execFile } from 'node:child_process';

export const CONTAINER_CLIENTS = ['docker', 'podman'] as const;
export type ContainerClient = (typeof CONTAINER_CLIENTS)[number];

/** The learner's client and the environment it runs in: what the image and login questions need. */
export interface ClientEnv {
  env: NodeJS.ProcessEnv;
  client: ContainerClient;
}

/** Whether `value` names a client the workbook knows. */
export function isContainerClient(value: string): value is ContainerClient {
  return (CONTAINER_CLIENTS as readonly string[]).includes(value);
}

/** `<cmd> --version` (stdout and stderr), or undefined when the command is not installed. */
function versionOf(cmd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, ['--version'], { env, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve(undefined);
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/**
 * The client to use when the learner has not chosen one: `podman` when there is no `docker`, or
 * when `docker` is the podman-docker shim (it answers `podman version …`); else `docker`.
 */
export async function detectClient(env: NodeJS.ProcessEnv = process.env): Promise<ContainerClient> {
  const docker = await versionOf('docker', env);
  if (docker !== undefined) return /podman/i.test(docker) ? 'podman' : 'docker';
  return (await versionOf('podman', env)) !== undefined ? 'podman' : 'docker';
}
