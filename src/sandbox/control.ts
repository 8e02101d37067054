/**
 * Starting, finding and stopping the background sandbox, for the CLI and the runner. Light on
 * imports: `sandbox status` and `sandbox env` must stay fast, so nothing here loads
 * testcontainers or the AWS SDK.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxHome } from '../paths.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { DaemonError, findDaemon, FolderInUseError, HEALTH_TIMEOUT_MS, processAlive, runtimeFile, stopDaemon, stopProcess, upDaemon } from '../util/daemon.js';
import { isSandboxState, type SandboxState } from './backend/types.js';
import { SANDBOX_ACCOUNT_ID, sandboxRegionRefusal, SECOND_ACCOUNT_ID, SECOND_ACCOUNT_USER_NAME } from './config.js';
import { lockOwner, stateFolderInUse, stateFolderLocked } from './lock.js';
import type { DaemonOptions, SandboxRuntime } from './runtime.js';
import type { ContainerClient } from '../docker/client.js';
import type { RegistryHealth } from './server.js';

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

/**
 * A running sandbox as `sandbox status` reports it: where it serves, and its registry's state
 * (`unknown` when the sandbox did not answer its health page in time).
 */
export type RunningSandboxInfo = SandboxRuntime & { registry?: RegistryHealth | 'unknown'; registryProblem?: string };

/** The running sandbox for `dir`, or undefined (a stale runtime.json from a killed daemon is removed). */
export function findRunningSandbox(dir: string = sandboxHome()): Promise<SandboxRuntime | undefined> {
  return findDaemon<SandboxRuntime>(dir);
}

/** The running sandbox for `dir` and what its health page says of its registry container (for `status` and `up`). */
export async function findRunningSandboxWithHealth(dir: string = sandboxHome()): Promise<RunningSandboxInfo | undefined> {
  const runtime = await findRunningSandbox(dir);
  return runtime && { ...runtime, ...(await registryHealth(runtime.port)) };
}

/**
 * What the sandbox's health page on `port` says of its registry container: nothing when it does
 * not say (an older sandbox), `unknown` with the reason when the page did not answer.
 */
export async function registryHealth(port: number, timeoutMs = HEALTH_TIMEOUT_MS): Promise<Pick<RunningSandboxInfo, 'registry' | 'registryProblem'>> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { registry?: RegistryHealth; registryProblem?: string };
    return { ...(body.registry ? { registry: body.registry } : {}), ...(body.registryProblem ? { registryProblem: body.registryProblem } : {}) };
  } catch (error) {
    const late = (error as Error).name === 'TimeoutError';
    return { registry: 'unknown', registryProblem: late ? `the sandbox did not answer its health page within ${timeoutMs / 1000} s` : `its health page did not answer (${(error as Error).message})` };
  }
}

/**
 * Starts the sandbox daemon for `dir` and resolves once it serves, or returns the one already
 * running. Refuses to start a second one on another port. Without --port it takes the port of
 * its last run (docker logins are per host:port), else 5123. A running sandbox whose registry
 * container died is started again on the same storage. When another `sandbox up` is starting
 * the same folder at the same moment, the one it starts is returned.
 */
export async function sandboxUp(options: UpOptions = {}): Promise<{ runtime: SandboxRuntime; alreadyRunning: boolean }> {
  const dir = options.dir ?? sandboxHome();
  const refusal = options.region === undefined ? undefined : sandboxRegionRefusal(options.region);
  if (refusal) throw new DaemonError(refusal);
  const running = await findRunningSandboxWithHealth(dir);
  let port = options.port;
  if (running?.registry === 'down') {
    // Its registry container died: a new one on the same storage, same port, same credentials.
    options.onWarning?.(
      `The running sandbox's registry container is gone (${running.registryProblem ?? 'it stopped'}); starting the sandbox again on the same storage.`,
    );
    await sandboxDown(dir);
    port ??= running.port;
  }
  // The learner's alone (it holds their access key), also when an older version made it.
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(dir, 0o700);
  const timeoutMs = options.timeoutMs ?? 180_000;
  try {
    return await startDaemon(dir, { ...options, port }, timeoutMs);
  } catch (error) {
    if (!(error instanceof FolderInUseError)) throw error;
  }
  // Another `sandbox up` got there first (two at once): use its sandbox once it serves.
  options.onProgress?.('another `sandbox up` is starting this sandbox; waiting for it');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const other = await findRunningSandbox(dir);
    if (other) return { runtime: other, alreadyRunning: true };
    // A starting daemon writes runtime.json whole once it serves: one that exists but does not
    // read is broken, and waiting will not mend it.
    if (fs.existsSync(runtimeFile(dir)) || !(await stateFolderLocked(dir))) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const owner = lockOwner(dir);
  throw new DaemonError(
    `Another ecr-workbook sandbox${owner ? ` (pid ${owner})` : ''} holds the state folder ${dir}, but this command cannot reach it ` +
      `(its runtime.json is unreadable, or it did not become ready). Stop it with \`ecr-workbook sandbox down\`, then run \`ecr-workbook sandbox up\` again.`,
  );
}

/** The sandbox daemon for `dir`: the one running (on the port asked for), or a new one. */
function startDaemon(dir: string, options: UpOptions, timeoutMs: number): Promise<{ runtime: SandboxRuntime; alreadyRunning: boolean }> {
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
    timeoutMs,
    onProgress: options.onProgress,
    onWarning: options.onWarning,
  });
}

/** What `sandbox down` did: the daemon it stopped, and containers left by a crashed one that it removed. */
export interface DownResult {
  stopped?: SandboxRuntime | { pid: number; port?: undefined };
  orphansRemoved: number;
}

/**
 * Stops the sandbox for `dir`: SIGTERM, then SIGKILL after `graceMs`. The daemon is found by its
 * runtime.json, or by the lock's owner when runtime.json is unreadable. Then, unless a live
 * process holds the folder, removes any registry container a crashed sandbox left on its storage.
 */
export async function sandboxDown(dir: string = sandboxHome(), graceMs = 15_000): Promise<DownResult> {
  let stopped: DownResult['stopped'] = await stopDaemon<SandboxRuntime>(dir, graceMs);
  const owner = lockOwner(dir);
  if (!stopped && owner !== undefined && owner !== process.pid && processAlive(owner)) {
    await stopProcess(owner, graceMs);
    await fsp.rm(runtimeFile(dir), { force: true });
    stopped = { pid: owner };
  }
  return { stopped, orphansRemoved: await removeOrphans(dir) };
}

/** Removes registry containers of `dir` that no live sandbox owns; 0 when Docker is not there. */
async function removeOrphans(dir: string): Promise<number> {
  if (await stateFolderInUse(dir)) return 0;
  const { removeSandboxContainers } = await import('./registry/container.js');
  const { DockerUnavailableError } = await import('../docker/cli.js');
  try {
    return await removeSandboxContainers(path.join(dir, 'registry'));
  } catch (error) {
    if (error instanceof DockerUnavailableError) return 0;
    throw error;
  }
}

/** The main account's access key as credentials.json keeps it (state.json for a sandbox from before that file). */
async function storedCredentials(dir: string): Promise<{ accessKeyId?: string; secretAccessKey?: string } | undefined> {
  for (const file of ['credentials.json', 'state.json']) {
    try {
      const value = JSON.parse(await fsp.readFile(path.join(dir, file), 'utf8')) as { credentials?: { accessKeyId?: string; secretAccessKey?: string } };
      if (value.credentials?.accessKeyId) return value.credentials;
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

/** Counts from the state file for `sandbox status`, without starting anything. */
export async function sandboxCounts(
  dir: string = sandboxHome(),
): Promise<{ repositories: number; images: number; accessKeyId?: string; clockOffsetSeconds: number } | undefined> {
  try {
    const state = JSON.parse(await fsp.readFile(path.join(dir, 'state.json'), 'utf8')) as {
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
    return {
      repositories,
      images,
      accessKeyId: (await storedCredentials(dir))?.accessKeyId,
      clockOffsetSeconds: typeof offset === 'number' && Number.isFinite(offset) ? offset : 0,
    };
  } catch {
    return undefined;
  }
}

/** Which of the sandbox's accounts: the learner's own, or the second one (cross-account lessons). */
export type SandboxAccount = 'main' | 'second';

/**
 * The issued credentials: the learner's keys (from credentials.json, which keeps them when the
 * state file is lost), or the second account's administrator's, from the state file (undefined
 * until the sandbox has started once with IAM, or if they are gone).
 */
export async function sandboxCredentials(
  dir: string = sandboxHome(),
  account: SandboxAccount = 'main',
): Promise<{ accessKeyId: string; secretAccessKey: string; accountId: string } | undefined> {
  if (account === 'main') {
    const c = await storedCredentials(dir);
    // The learner's account id is fixed (config.ts), so it needs no state file to be known.
    return c?.accessKeyId && c.secretAccessKey ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, accountId: SANDBOX_ACCOUNT_ID } : undefined;
  }
  try {
    const state = JSON.parse(await fsp.readFile(path.join(dir, 'state.json'), 'utf8')) as {
      iam?: { accounts?: Record<string, { users?: Record<string, { accessKeys?: Array<{ accessKeyId?: string; secretAccessKey?: string; sandboxKey?: boolean }> }> }> };
    };
    const admin = state.iam?.accounts?.[SECOND_ACCOUNT_ID]?.users?.[SECOND_ACCOUNT_USER_NAME.toLowerCase()];
    const key = admin?.accessKeys?.find((k) => k.sandboxKey && k.accessKeyId && k.secretAccessKey);
    if (key) return { accessKeyId: key.accessKeyId!, secretAccessKey: key.secretAccessKey!, accountId: SECOND_ACCOUNT_ID };
  } catch {
    /* no state file, or unreadable */
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
