/**
 * Starting, finding and stopping the background sandbox, for the CLI and the runner. Light on
 * imports: `sandbox status` and `sandbox env` must stay fast, so nothing here loads
 * testcontainers or the AWS SDK.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxHome } from '../paths.js';
import { sandboxRegionRefusal } from './config.js';
import { lockOwner, stateFolderInUse, stateFolderLocked } from './lock.js';
import { processAlive, readRuntimeFile, runtimeFile, type DaemonMessage, type DaemonOptions, type SandboxRuntime } from './runtime.js';
import type { RegistryHealth } from './server.js';

export const DEFAULT_PORT = 5123;

export interface UpOptions {
  dir?: string;
  port?: number;
  host?: string;
  region?: string;
  tokenTtlSeconds?: number;
  registryImage?: string;
  onProgress?: (message: string) => void;
  onWarning?: (message: string) => void;
  /** How long to wait for the registry container (first start may pull an image). */
  timeoutMs?: number;
}

export class SandboxError extends Error {}

/** A running sandbox as `sandbox status` reports it: where it serves, and its registry's state. */
export type RunningSandboxInfo = SandboxRuntime & { registry?: RegistryHealth; registryProblem?: string };

/** The running sandbox for `dir`, or undefined (a stale runtime.json from a killed daemon is removed). */
export async function findRunningSandbox(dir: string = sandboxHome()): Promise<RunningSandboxInfo | undefined> {
  const runtime = await readRuntimeFile(dir);
  if (!runtime) return undefined;
  const health = processAlive(runtime.pid) ? await healthOf(runtime) : undefined;
  if (health) return { ...runtime, ...health };
  if (!processAlive(runtime.pid)) await fsp.rm(runtimeFile(dir), { force: true });
  return undefined;
}

/** The sandbox's health page within a second: its registry's state, or undefined when it does not answer. */
async function healthOf(runtime: SandboxRuntime): Promise<{ registry?: RegistryHealth; registryProblem?: string } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${runtime.port}/health`, {
      headers: { host: `localhost:${runtime.port}` },
      signal: AbortSignal.timeout(1000),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { registry?: RegistryHealth; registryProblem?: string };
    return { ...(body.registry ? { registry: body.registry } : {}), ...(body.registryProblem ? { registryProblem: body.registryProblem } : {}) };
  } catch {
    return undefined;
  }
}

function daemonEntry(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'daemon.js');
}

/**
 * Starts the sandbox daemon for `dir` and resolves once it serves, or returns the one already
 * running. Refuses to start a second one on another port.
 */
export async function sandboxUp(options: UpOptions = {}): Promise<{ runtime: SandboxRuntime; alreadyRunning: boolean }> {
  const dir = options.dir ?? sandboxHome();
  const refusal = options.region === undefined ? undefined : sandboxRegionRefusal(options.region);
  if (refusal) throw new SandboxError(refusal);
  const existing = await findRunningSandbox(dir);
  if (existing?.registry === 'down') {
    // Its registry container died: a new one on the same storage, same port, same credentials.
    options.onWarning?.(
      `The running sandbox's registry container is gone (${existing.registryProblem ?? 'it stopped'}); starting the sandbox again on the same storage.`,
    );
    await sandboxDown(dir);
    options = { ...options, port: options.port ?? existing.port };
  } else if (existing) return reuse(existing, options.port);
  // The learner's alone (it holds their access key), also when an older version made it.
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(dir, 0o700);
  // Without --port, the port of the last run (docker logins are per host:port), else 5123.
  const portChosen = options.port !== undefined;
  options = { ...options, port: options.port ?? (await lastPort(dir)) };
  const daemonOptions: DaemonOptions = {
    dir,
    port: options.port ?? DEFAULT_PORT,
    anyPortIfBusy: !portChosen,
    host: options.host,
    region: options.region,
    tokenTtlSeconds: options.tokenTtlSeconds,
    registryImage: options.registryImage,
  };
  const logFile = path.join(dir, 'sandbox.log');
  // The learner's alone: it names their repositories and endpoints.
  const logFd = fs.openSync(logFile, 'a', 0o600);
  fs.fchmodSync(logFd, 0o600);
  const child = spawn(process.execPath, [daemonEntry()], {
    detached: true,
    stdio: ['ignore', logFd, logFd, 'ipc'],
    env: { ...process.env, ECR_WORKBOOK_DAEMON_OPTIONS: JSON.stringify(daemonOptions) },
  });
  fs.closeSync(logFd);
  const timeoutMs = options.timeoutMs ?? 180_000;
  let lockedByAnother = false;
  try {
    const runtime = await new Promise<SandboxRuntime>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SandboxError(`The sandbox did not become ready within ${timeoutMs / 1000} s. See ${logFile}.`)), timeoutMs);
      child.on('message', (message: DaemonMessage) => {
        if (message.type === 'progress') options.onProgress?.(message.message);
        else if (message.type === 'warning') options.onWarning?.(message.message);
        else if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(message.runtime);
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new SandboxError(message.message));
        } else if (message.type === 'locked') {
          clearTimeout(timer);
          lockedByAnother = true;
          reject(new SandboxError(message.message));
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new SandboxError(`The sandbox process exited before it was ready (${signal ?? `code ${code}`}). See ${logFile}.`));
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new SandboxError(`Could not start the sandbox process: ${error.message}`));
      });
    });
    await fsp.writeFile(path.join(dir, 'last-port.json'), JSON.stringify({ port: runtime.port }));
    return { runtime, alreadyRunning: false };
  } catch (error) {
    if (!lockedByAnother) {
      if (child.exitCode === null) child.kill('SIGTERM');
      throw error;
    }
  } finally {
    child.removeAllListeners();
    if (child.connected) child.disconnect();
    child.unref();
  }
  // Another `sandbox up` got there first (two at once): use its sandbox once it serves.
  options.onProgress?.('another sandbox up is starting this sandbox; waiting for it');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const other = await findRunningSandbox(dir);
    if (other) return reuse(other, portChosen ? options.port : undefined);
    // A starting daemon writes runtime.json whole once it serves: one that exists but does not
    // read is broken, and waiting will not mend it.
    if (fs.existsSync(runtimeFile(dir)) || !(await stateFolderLocked(dir))) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const owner = lockOwner(dir);
  throw new SandboxError(
    `Another ecr-workbook sandbox${owner ? ` (pid ${owner})` : ''} holds the state folder ${dir}, but this command cannot reach it ` +
      `(its runtime.json is unreadable, or it did not become ready). Stop it with \`ecr-workbook sandbox down\`, then run \`ecr-workbook sandbox up\` again.`,
  );
}

/** The running sandbox, unless the caller asked for another port (that needs a restart). */
function reuse(existing: SandboxRuntime, port: number | undefined): { runtime: SandboxRuntime; alreadyRunning: true } {
  if (port !== undefined && port !== existing.port) {
    throw new SandboxError(
      `The sandbox is already running on port ${existing.port}. Stop it first with \`ecr-workbook sandbox down\`, then start it on port ${port}.`,
    );
  }
  return { runtime: existing, alreadyRunning: true };
}

/** The port the sandbox last served on, from its log of runs (absent on a first start). */
async function lastPort(dir: string): Promise<number | undefined> {
  try {
    const value = JSON.parse(await fsp.readFile(path.join(dir, 'last-port.json'), 'utf8')) as { port?: unknown };
    return typeof value.port === 'number' ? value.port : undefined;
  } catch {
    return undefined;
  }
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
  const runtime = await readRuntimeFile(dir);
  const pid = runtime?.pid ?? lockOwner(dir);
  let stopped: DownResult['stopped'];
  if (pid !== undefined && pid !== process.pid && processAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // It did not stop in time: its container is removed below, once its lock is stale.
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    stopped = runtime ?? { pid };
  }
  await fsp.rm(runtimeFile(dir), { force: true });
  return { stopped, orphansRemoved: await removeOrphans(dir) };
}

/** Removes registry containers of `dir` that no live sandbox owns; 0 when Docker is not there. */
async function removeOrphans(dir: string): Promise<number> {
  if (await stateFolderInUse(dir)) return 0;
  const { removeSandboxContainers, DockerUnavailableError } = await import('./registry/container.js');
  try {
    return await removeSandboxContainers(path.join(dir, 'registry'));
  } catch (error) {
    if (error instanceof DockerUnavailableError) return 0;
    throw error;
  }
}

/** The issued access key as credentials.json keeps it (state.json for a sandbox from before that file). */
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
export async function sandboxCounts(dir: string = sandboxHome()): Promise<{ repositories: number; images: number; accessKeyId?: string } | undefined> {
  try {
    const state = JSON.parse(await fsp.readFile(path.join(dir, 'state.json'), 'utf8')) as {
      regions?: Record<string, { repositories?: Record<string, { images?: Record<string, unknown> }> }>;
    };
    let repositories = 0;
    let images = 0;
    for (const region of Object.values(state.regions ?? {})) {
      for (const repo of Object.values(region.repositories ?? {})) {
        repositories++;
        images += Object.keys(repo.images ?? {}).length;
      }
    }
    return { repositories, images, accessKeyId: (await storedCredentials(dir))?.accessKeyId };
  } catch {
    return undefined;
  }
}

/** The issued credentials, from credentials.json (or, for an older sandbox, its state file). */
export async function sandboxCredentials(dir: string = sandboxHome()): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined> {
  const c = await storedCredentials(dir);
  if (c?.accessKeyId && c.secretAccessKey) return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  return undefined;
}
