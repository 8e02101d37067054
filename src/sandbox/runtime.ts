import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { SandboxOptions } from './index.js';

/** What the daemon writes once it is serving: where, and which process. */
export interface SandboxRuntime {
  pid: number;
  port: number;
  endpoint: string;
  registryHost: string;
  region: string;
  host: string;
  accountId: string;
  containerId?: string;
  startedAt: string;
  tokenTtlSeconds?: number;
}

/** Options the CLI passes to the daemon: the serializable part of the sandbox's own options. */
export type DaemonOptions = Pick<SandboxOptions, 'dir' | 'port' | 'anyPortIfBusy' | 'host' | 'region' | 'tokenTtlSeconds' | 'registryImage'>;

export type DaemonMessage =
  | { type: 'progress'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'ready'; runtime: SandboxRuntime }
  | { type: 'failed'; message: string }
  /** Another live process holds the state folder's lock (it is starting or serving it). */
  | { type: 'locked'; message: string };

export const runtimeFile = (dir: string) => path.join(dir, 'runtime.json');

export async function writeRuntimeFile(dir: string, runtime: SandboxRuntime): Promise<void> {
  await writeFileAtomic(runtimeFile(dir), JSON.stringify(runtime, null, 2));
}

/** Removes runtime.json if it still belongs to `pid` (a newer daemon may have replaced it). */
export function removeRuntimeFile(dir: string, pid: number): void {
  try {
    const current = JSON.parse(fs.readFileSync(runtimeFile(dir), 'utf8')) as SandboxRuntime;
    if (current.pid === pid) fs.rmSync(runtimeFile(dir), { force: true });
  } catch {
    /* already gone or unreadable */
  }
}

/** runtime.json, or undefined when absent or unreadable. */
export async function readRuntimeFile(dir: string): Promise<SandboxRuntime | undefined> {
  try {
    const value = JSON.parse(await fsp.readFile(runtimeFile(dir), 'utf8')) as SandboxRuntime;
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
