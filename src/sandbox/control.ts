/**
 * Starting, finding and stopping the background sandbox, for the CLI and the runner. Light on
 * imports: `sandbox status` and `sandbox env` must stay fast, so nothing here loads
 * testcontainers or the AWS SDK.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxHome } from '../paths.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { DaemonError, findDaemon, stopDaemon, upDaemon } from '../util/daemon.js';
import { isSandboxState, type SandboxState } from './backend/types.js';
import { SECOND_ACCOUNT_ID, SECOND_ACCOUNT_USER_NAME } from './config.js';
import type { DaemonOptions, SandboxRuntime } from './runtime.js';
import type { ContainerClient } from '../docker/client.js';

export const DEFAULT_PORT = 5123;

export interface UpOptions {
  dir?: string;
  port?: number;
  host?: string;
  region?: string;
  tokenTtlSeconds?: number;
  registryImage?: string;
  /** The engine ECS tasks run on (docker or podman; detected when not given). */
  containerClient?: ContainerClient;
  onProgress?: (message: string) => void;
  onWarning?: (message: string) => void;
  /** How long to wait for the registry container (first start may pull an image). */
  timeoutMs?: number;
}

/** The running sandbox for `dir`, or undefined (a stale runtime.json from a killed daemon is removed). */
export function findRunningSandbox(dir: string = sandboxHome()): Promise<SandboxRuntime | undefined> {
  return findDaemon<SandboxRuntime>(dir);
}

/**
 * Starts the sandbox daemon for `dir` and resolves once it serves, or returns the one already
 * running. Refuses to start a second one on another port. Without --port it takes the port of
 * its last run (docker logins are per host:port), else 5123.
 */
export function sandboxUp(options: UpOptions = {}): Promise<{ runtime: SandboxRuntime; alreadyRunning: boolean }> {
  const dir = options.dir ?? sandboxHome();
  return upDaemon<SandboxRuntime>({
    dir,
    port: options.port,
    defaultPort: DEFAULT_PORT,
    // Port 0 asks for any free port: the one it already runs on is one.
    conflict: (running) =>
      options.port !== undefined && options.port !== 0 && options.port !== running.port
        ? `The sandbox is already running on port ${running.port}. Stop it first with \`ecr-workbook sandbox down\`, then start it on port ${options.port}.`
        : undefined,
    options: (port, anyPortIfBusy): DaemonOptions => ({
      dir,
      port,
      anyPortIfBusy,
      host: options.host,
      region: options.region,
      tokenTtlSeconds: options.tokenTtlSeconds,
      registryImage: options.registryImage,
      ...(options.containerClient ? { containerClient: options.containerClient } : {}),
    }),
    entry: path.join(path.dirname(fileURLToPath(import.meta.url)), 'daemon.js'),
    label: 'The sandbox',
    logName: 'sandbox.log',
    timeoutMs: options.timeoutMs ?? 180_000,
    onProgress: options.onProgress,
    onWarning: options.onWarning,
  });
}

/**
 * Stops the sandbox for `dir`: SIGTERM, then SIGKILL after `graceMs` (the next `sandbox up` then
 * removes the container it leaves behind). Returns what was stopped.
 */
export function sandboxDown(dir: string = sandboxHome(), graceMs = 15_000): Promise<SandboxRuntime | undefined> {
  return stopDaemon<SandboxRuntime>(dir, graceMs);
}

/** Counts from the state file for `sandbox status`, without starting anything. */
export async function sandboxCounts(
  dir: string = sandboxHome(),
): Promise<{ repositories: number; images: number; accessKeyId?: string; clockOffsetSeconds: number } | undefined> {
  try {
    const state = JSON.parse(await fsp.readFile(path.join(dir, 'state.json'), 'utf8')) as {
      credentials?: { accessKeyId?: string };
      regions?: Record<string, { repositories?: Record<string, { images?: Record<string, unknown> }> }>;
      clockOffsetSeconds?: unknown;
    };
    let repositories = 0;
    let images = 0;
    for (const region of Object.values(state.regions ?? {})) {
      for (const repo of Object.values(region.repositories ?? {})) {
        repositories++;
        images += Object.keys(repo.images ?? {}).length;
      }
    }
    const offset = state.clockOffsetSeconds;
    return { repositories, images, accessKeyId: state.credentials?.accessKeyId, clockOffsetSeconds: typeof offset === 'number' && Number.isFinite(offset) ? offset : 0 };
  } catch {
    return undefined;
  }
}

/** Which of the sandbox's accounts: the learner's own, or the second one (cross-account lessons). */
export type SandboxAccount = 'main' | 'second';

/**
 * The issued credentials, read from the state file: the learner's keys, or the second account's
 * administrator's (undefined until the sandbox has started once with IAM, or if they are gone).
 */
export async function sandboxCredentials(
  dir: string = sandboxHome(),
  account: SandboxAccount = 'main',
): Promise<{ accessKeyId: string; secretAccessKey: string; accountId: string } | undefined> {
  try {
    const state = JSON.parse(await fsp.readFile(path.join(dir, 'state.json'), 'utf8')) as {
      accountId?: string;
      credentials?: { accessKeyId?: string; secretAccessKey?: string };
      iam?: { accounts?: Record<string, { users?: Record<string, { accessKeys?: Array<{ accessKeyId?: string; secretAccessKey?: string; sandboxKey?: boolean }> }> }> };
    };
    if (account === 'second') {
      const admin = state.iam?.accounts?.[SECOND_ACCOUNT_ID]?.users?.[SECOND_ACCOUNT_USER_NAME.toLowerCase()];
      const key = admin?.accessKeys?.find((k) => k.sandboxKey && k.accessKeyId && k.secretAccessKey);
      if (key) return { accessKeyId: key.accessKeyId!, secretAccessKey: key.secretAccessKey!, accountId: SECOND_ACCOUNT_ID };
      return undefined;
    }
    const c = state.credentials;
    if (c?.accessKeyId && c.secretAccessKey && state.accountId) return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, accountId: state.accountId };
  } catch {
    /* fall through */
  }
  return undefined;
}

/**
 * Changes the state file of a sandbox that is not running (a running one holds its state in
 * memory: reach it through its control API instead). Written atomically; a missing or unreadable
 * file is refused and left as it is.
 */
export async function editStoppedState(dir: string, edit: (state: SandboxState) => void): Promise<SandboxState> {
  const file = path.join(dir, 'state.json');
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DaemonError(`There is no sandbox in ${dir} yet. Start it once with: ecr-workbook sandbox up`);
    throw error;
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    state = undefined;
  }
  if (!isSandboxState(state)) {
    throw new DaemonError(`The sandbox state file ${file} is unreadable, so nothing was changed. Start the sandbox (\`ecr-workbook sandbox up\`): it moves a broken file aside and starts afresh.`);
  }
  edit(state);
  await writeFileAtomic(file, JSON.stringify(state));
  return state;
}
