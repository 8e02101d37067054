/**
 * A background process the CLI starts, finds again and stops: the sandbox (`sandbox up`) and
 * the classroom server (`classroom start`). The CLI spawns the daemon detached with its options
 * in ECR_WORKBOOK_DAEMON_OPTIONS and waits for it over IPC (progress, warnings, ready or failed);
 * the daemon writes `runtime.json` in its folder, which tells later commands where it listens
 * and which process it is. Light on imports: `status` commands must stay fast.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

/** What every daemon writes once it serves. */
export interface DaemonRuntime {
  pid: number;
  port: number;
  startedAt: string;
}

export type DaemonMessage<R extends DaemonRuntime = DaemonRuntime> =
  | { type: 'progress'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'ready'; runtime: R }
  | { type: 'failed'; message: string }
  /** Another live daemon holds the folder (it is starting or serving it). */
  | { type: 'locked'; message: string };

/** The variable the daemon reads its options from (JSON). */
export const DAEMON_OPTIONS_ENV = 'ECR_WORKBOOK_DAEMON_OPTIONS';

/** A daemon that could not be started: the message says why and where its log is. */
export class DaemonError extends Error {}

/** The daemon's folder is held by another live daemon: thrown by a start function, and by spawnDaemon. */
export class FolderInUseError extends DaemonError {}

export const runtimeFile = (dir: string) => path.join(dir, 'runtime.json');

export async function writeRuntimeFile(dir: string, runtime: DaemonRuntime): Promise<void> {
  await writeFileAtomic(runtimeFile(dir), JSON.stringify(runtime, null, 2));
}

/** Removes runtime.json if it still belongs to `pid` (a newer daemon may have replaced it). */
export function removeRuntimeFile(dir: string, pid: number): void {
  try {
    const current = JSON.parse(fs.readFileSync(runtimeFile(dir), 'utf8')) as DaemonRuntime;
    if (current.pid === pid) fs.rmSync(runtimeFile(dir), { force: true });
  } catch {
    /* already gone or unreadable */
  }
}

/** runtime.json, or undefined when absent or unreadable. */
export async function readRuntimeFile<R extends DaemonRuntime>(dir: string): Promise<R | undefined> {
  try {
    const value = JSON.parse(await fsp.readFile(runtimeFile(dir), 'utf8')) as R;
    if (typeof value.pid === 'number' && typeof value.port === 'number') return value;
  } catch {
    /* fall through */
  }
  return undefined;
}

/** Whether a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A detached daemon whose parent is gone may linger as a zombie until init reaps it; on
  // Linux, /proc tells a zombie (state Z) from a live process.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * How long a daemon's health page may take to answer before it counts as not answering: a daemon
 * that is alive answers at once, but on a busy machine (CI's two cores under a test suite) 1 s
 * was seen to pass. A hung daemon costs a command this long.
 */
export const HEALTH_TIMEOUT_MS = 5_000;

/** Whether the daemon's `/health` answers on loopback within HEALTH_TIMEOUT_MS. */
export async function healthAnswers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The running daemon for `dir`, or undefined (a stale runtime.json from a killed daemon is removed). */
export async function findDaemon<R extends DaemonRuntime>(dir: string): Promise<R | undefined> {
  const runtime = await readRuntimeFile<R>(dir);
  if (!runtime) return undefined;
  if (processAlive(runtime.pid) && (await healthAnswers(runtime.port))) return runtime;
  if (!processAlive(runtime.pid)) await fsp.rm(runtimeFile(dir), { force: true });
  return undefined;
}

/** The port the daemon for `dir` last served on (absent on a first start). */
async function lastPort(dir: string): Promise<number | undefined> {
  try {
    const value = JSON.parse(await fsp.readFile(path.join(dir, 'last-port.json'), 'utf8')) as { port?: unknown };
    return typeof value.port === 'number' ? value.port : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the port a daemon serves on: the next start takes it again (clients saved the address). */
async function rememberPort(dir: string, port: number): Promise<void> {
  await fsp.writeFile(path.join(dir, 'last-port.json'), JSON.stringify({ port }));
}

export interface SpawnDaemonOptions {
  /** The daemon's folder: its log and runtime.json. */
  dir: string;
  /** The daemon's compiled module. */
  entry: string;
  /** Its options, serialized to JSON. */
  options: object;
  /** How messages name it: `The sandbox`, `The classroom server`. */
  label: string;
  /** Its log file's name in `dir`. */
  logName: string;
  timeoutMs: number;
  onProgress?: (message: string) => void;
  onWarning?: (message: string) => void;
}

/**
 * Node's flags for a daemon. A small young generation keeps the sandbox's peak RSS during docker
 * pushes near 135-145 MiB instead of 165-180 MiB, for about 7 % more CPU per push
 * (`node bench/push-throughput.mjs`, which starts its sandbox with these flags too).
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=2'];

/** Spawns a daemon detached and resolves with its runtime once it says it is ready. */
export async function spawnDaemon<R extends DaemonRuntime>(o: SpawnDaemonOptions): Promise<R> {
  await fsp.mkdir(o.dir, { recursive: true });
  const logFile = path.join(o.dir, o.logName);
  // The learner's alone: it names their repositories, endpoints and classmates.
  const logFd = fs.openSync(logFile, 'a', 0o600);
  fs.fchmodSync(logFd, 0o600);
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, o.entry], {
    detached: true,
    stdio: ['ignore', logFd, logFd, 'ipc'],
    env: { ...process.env, [DAEMON_OPTIONS_ENV]: JSON.stringify(o.options) },
  });
  fs.closeSync(logFd);
  try {
    return await new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DaemonError(`${o.label} did not become ready within ${o.timeoutMs / 1000} s. See ${logFile}.`)), o.timeoutMs);
      child.on('message', (message: DaemonMessage<R>) => {
        if (message.type === 'progress') o.onProgress?.(message.message);
        else if (message.type === 'warning') o.onWarning?.(message.message);
        else if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(message.runtime);
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new DaemonError(message.message));
        } else if (message.type === 'locked') {
          clearTimeout(timer);
          reject(new FolderInUseError(message.message));
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new DaemonError(`${o.label} process exited before it was ready (${signal ?? `code ${code}`}). See ${logFile}.`));
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new DaemonError(`Could not start ${o.label.replace(/^The /, 'the ')} process: ${error.message}`));
      });
    });
  } catch (error) {
    // A daemon that found the folder in use exits by itself; the other one must not be touched.
    if (child.exitCode === null && !(error instanceof FolderInUseError)) child.kill('SIGTERM');
    throw error;
  } finally {
    child.removeAllListeners();
    if (child.connected) child.disconnect();
    child.unref();
  }
}

export interface UpDaemonOptions<R extends DaemonRuntime> extends Omit<SpawnDaemonOptions, 'options'> {
  /** The port asked for; without one, the port of the last run (clients saved that address), else `defaultPort`. */
  port?: number;
  defaultPort: number;
  /** Why the daemon already running cannot serve what was asked (undefined: it can, and is returned). */
  conflict(running: R): string | undefined;
  /** The daemon's options, for the port it takes and whether another may do when that one is busy. */
  options(port: number, anyPortIfBusy: boolean): object;
}

/**
 * Returns the daemon running for `dir`, or starts one and resolves once it serves. A port the
 * user chose must be had; the remembered or default port may give way to a free one.
 */
export async function upDaemon<R extends DaemonRuntime>(o: UpDaemonOptions<R>): Promise<{ runtime: R; alreadyRunning: boolean }> {
  const running = await findDaemon<R>(o.dir);
  if (running) {
    const conflict = o.conflict(running);
    if (conflict) throw new DaemonError(conflict);
    return { runtime: running, alreadyRunning: true };
  }
  await fsp.mkdir(o.dir, { recursive: true });
  const port = o.port ?? (await lastPort(o.dir)) ?? o.defaultPort;
  const runtime = await spawnDaemon<R>({ ...o, options: o.options(port, o.port === undefined) });
  await rememberPort(o.dir, runtime.port);
  return { runtime, alreadyRunning: false };
}

/** Stops the daemon for `dir`: SIGTERM, then SIGKILL after `graceMs`. Returns what was stopped. */
export async function stopDaemon<R extends DaemonRuntime>(dir: string, graceMs: number): Promise<R | undefined> {
  const runtime = await readRuntimeFile<R>(dir);
  if (!runtime) return undefined;
  if (!processAlive(runtime.pid)) {
    await fsp.rm(runtimeFile(dir), { force: true });
    return undefined;
  }
  await stopProcess(runtime.pid, graceMs);
  await fsp.rm(runtimeFile(dir), { force: true });
  return runtime;
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // It did not stop in time: what it leaves behind is the next start's to clean.
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** What a daemon's start function gets: where to say progress and warnings. */
export interface DaemonHooks {
  onProgress(message: string): void;
  onWarning(message: string): void;
  log(line: string): void;
}

/** A started service: what runtime.json records, and how to stop it cleanly. */
export interface DaemonService<R extends DaemonRuntime> {
  runtime: R;
  stop(): Promise<void>;
}

/**
 * The daemon side: reads its options, starts the service, writes runtime.json and says ready
 * (or failed) to the parent; SIGTERM, SIGINT and SIGHUP stop the service cleanly. The log is
 * stdout, which the parent pointed at the daemon's log file.
 */
export function runDaemon<O extends { dir: string }, R extends DaemonRuntime>(start: (options: O, hooks: DaemonHooks) => Promise<DaemonService<R>>): void {
  const send = (message: DaemonMessage<R>) => {
    if (process.send && process.connected) process.send(message);
  };
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? error.message}`));
  void (async () => {
    const options = JSON.parse(process.env[DAEMON_OPTIONS_ENV] ?? '{}') as O;
    const hooks: DaemonHooks = {
      onProgress: (message) => {
        log(message);
        send({ type: 'progress', message });
      },
      onWarning: (message) => {
        log(`warning: ${message}`);
        send({ type: 'warning', message });
      },
      log,
    };
    let service: DaemonService<R>;
    try {
      service = await start(options, hooks);
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      log(`failed: ${message}`);
      send(error instanceof FolderInUseError ? { type: 'locked', message } : { type: 'failed', message });
      process.exitCode = 1;
      return;
    }
    await writeRuntimeFile(options.dir, service.runtime);
    log(`ready on port ${service.runtime.port}`);
    send({ type: 'ready', runtime: service.runtime });

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      try {
        await service.stop();
      } finally {
        removeRuntimeFile(options.dir, process.pid);
        log('stopped');
        process.exit(0);
      }
    };
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
    process.on('disconnect', () => log('parent detached'));
  })();
}
