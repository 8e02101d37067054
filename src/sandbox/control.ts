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
import { processAlive, readRuntimeFile, runtimeFile, type DaemonMessage, type DaemonOptions, type SandboxRuntime } from './runtime.js';

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

/** The running sandbox for `dir`, or undefined (a stale runtime.json from a killed daemon is removed). */
export async function findRunningSandbox(dir: string = sandboxHome()): Promise<SandboxRuntime | undefined> {
  const runtime = await readRuntimeFile(dir);
  if (!runtime) return undefined;
  if (processAlive(runtime.pid) && (await answers(runtime))) return runtime;
  if (!processAlive(runtime.pid)) await fsp.rm(runtimeFile(dir), { force: true });
  return undefined;
}

/** Whether the sandbox's health page answers within a second. */
async function answers(runtime: SandboxRuntime): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${runtime.port}/health`, {
      headers: { host: `localhost:${runtime.port}` },
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
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
  if (existing) {
    if (options.port !== undefined && options.port !== existing.port) {
      throw new SandboxError(
        `The sandbox is already running on port ${existing.port}. Stop it first with \`ecr-workbook sandbox down\`, then start it on port ${options.port}.`,
      );
    }
    return { runtime: existing, alreadyRunning: true };
  }
  await fsp.mkdir(dir, { recursive: true });
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
  const logFd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [daemonEntry()], {
    detached: true,
    stdio: ['ignore', logFd, logFd, 'ipc'],
    env: { ...process.env, ECR_WORKBOOK_DAEMON_OPTIONS: JSON.stringify(daemonOptions) },
  });
  fs.closeSync(logFd);
  const timeoutMs = options.timeoutMs ?? 180_000;
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
    if (child.exitCode === null) child.kill('SIGTERM');
    throw error;
  } finally {
    child.removeAllListeners();
    if (child.connected) child.disconnect();
    child.unref();
  }
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

/** Stops the sandbox for `dir`: SIGTERM, then SIGKILL after `graceMs`. Returns what was stopped. */
export async function sandboxDown(dir: string = sandboxHome(), graceMs = 15_000): Promise<SandboxRuntime | undefined> {
  const runtime = await readRuntimeFile(dir);
  if (!runtime) return undefined;
  if (!processAlive(runtime.pid)) {
    await fsp.rm(runtimeFile(dir), { force: true });
    return undefined;
  }
  process.kill(runtime.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(runtime.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(runtime.pid)) {
    // It did not stop in time; the next `sandbox up` removes the container it leaves behind.
    process.kill(runtime.pid, 'SIGKILL');
  }
  await fsp.rm(runtimeFile(dir), { force: true });
  return runtime;
}

/** Counts from the state file for `sandbox status`, without starting anything. */
export async function sandboxCounts(dir: string = sandboxHome()): Promise<{ repositories: number; images: number; accessKeyId?: string } | undefined> {
  try {
    const state = JSON.parse(await fsp.readFile(path.join(dir, 'state.json'), 'utf8')) as {
      credentials?: { accessKeyId?: string };
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
    return { repositories, images, accessKeyId: state.credentials?.accessKeyId };
  } catch {
    return undefined;
  }
}

/** The issued credentials, read from the state file. */
export async function sandboxCredentials(dir: string = sandboxHome()): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined> {
  try {
    const state = JSON.parse(await fsp.readFile(path.join(dir, 'state.json'), 'utf8')) as {
      credentials?: { accessKeyId?: string; secretAccessKey?: string };
    };
    const c = state.credentials;
    if (c?.accessKeyId && c.secretAccessKey) return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  } catch {
    /* fall through */
  }
  return undefined;
}
