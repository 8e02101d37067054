import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { FolderInUseError, processAlive } from '../util/daemon.js';

/**
 * One sandbox per state folder: the process that serves a folder holds an exclusive lock on it
 * (proper-lockfile: an atomic mkdir whose mtime the holder refreshes), so a second `sandbox up`,
 * or a start while runtime.json is unreadable, can never run a second daemon on the same state
 * (it would remove the first one's container and overwrite its state.json). A holder killed
 * with SIGKILL leaves the lock behind; it counts as abandoned once it has not been refreshed
 * for STALE_MS, and the next start takes it over.
 */

/** A lock not refreshed for this long was left by a process that died. */
export const LOCK_STALE_MS = 10_000;
const LOCK_UPDATE_MS = 1_000;
/**
 * A lock whose recorded owner is dead and that has not been refreshed for this long (more than
 * two refreshes missed) is abandoned: taken over without waiting the whole stale time.
 */
const ABANDONED_MS = 2 * LOCK_UPDATE_MS + 500;

export const lockDir = (dir: string) => path.join(dir, 'sandbox.lock');
/** Who holds the lock: `{ "pid": N }`, beside it (the lock itself must stay an empty folder). */
export const lockOwnerFile = (dir: string) => path.join(dir, 'sandbox.lock.owner.json');

/** The state folder is held by another live process. */
export class SandboxLockedError extends FolderInUseError {
  constructor(
    readonly dir: string,
    readonly ownerPid: number | undefined,
  ) {
    super(
      `Another ecr-workbook sandbox${ownerPid ? ` (pid ${ownerPid})` : ''} is already running on the state folder ${dir}: ` +
        'use that one (`ecr-workbook sandbox status`), or stop it first with `ecr-workbook sandbox down`.',
    );
    this.name = 'SandboxLockedError';
  }
}

/** A held lock. */
export interface StateLock {
  release(): Promise<void>;
}

/**
 * Removes the lock of a dead owner once it has missed its refreshes (waiting for that if need
 * be). A live process that took it meanwhile refreshes it, so it is left alone.
 */
async function removeAbandonedLock(dir: string): Promise<void> {
  for (;;) {
    const stat = await fsp.stat(lockDir(dir)).catch(() => undefined);
    if (!stat) return;
    const age = Date.now() - stat.mtimeMs;
    if (age > ABANDONED_MS) {
      await fsp.rmdir(lockDir(dir)).catch(() => undefined);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, ABANDONED_MS - age + 50));
  }
}

/** Whether the folder's lock is held by a live process: not merely left behind by a dead one. */
export async function stateFolderInUse(dir: string): Promise<boolean> {
  if (!(await stateFolderLocked(dir))) return false;
  const owner = lockOwner(dir);
  return owner === undefined || processAlive(owner);
}

/** The pid recorded by the lock's holder, if it wrote one. */
export function lockOwner(dir: string): number | undefined {
  try {
    const pid = (JSON.parse(fs.readFileSync(lockOwnerFile(dir), 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a live process holds the folder's lock now (no waiting, nothing taken). */
export async function stateFolderLocked(dir: string): Promise<boolean> {
  const { default: lockfile } = await import('proper-lockfile');
  return lockfile.check(dir, { lockfilePath: lockDir(dir), realpath: false, stale: LOCK_STALE_MS }).catch(() => false);
}

/**
 * Takes the folder's lock. Held by a live process: SandboxLockedError at once. Left by a dead
 * one: waits (saying so) until it counts as abandoned, then takes it. `onLost` is called if the
 * lock is ever taken away (this process stalled past the stale time and another took it over):
 * the holder must then stop serving the folder.
 */
export async function lockStateFolder(
  dir: string,
  options: { onProgress?: (message: string) => void; onLost: (error: Error) => void },
): Promise<StateLock> {
  await fsp.mkdir(dir, { recursive: true });
  // Loaded on demand: `sandbox status` and `env` import this module and must start fast.
  const { default: lockfile } = await import('proper-lockfile');
  const attempt = (retries: number) =>
    lockfile.lock(dir, {
      lockfilePath: lockDir(dir),
      realpath: false,
      stale: LOCK_STALE_MS,
      update: LOCK_UPDATE_MS,
      retries: retries > 0 ? { retries, minTimeout: 1_000, maxTimeout: 1_000, factor: 1 } : 0,
      onCompromised: options.onLost,
    });
  let release: () => Promise<void>;
  try {
    release = await attempt(0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = lockOwner(dir);
    if (owner !== undefined && processAlive(owner)) throw new SandboxLockedError(dir, owner);
    options.onProgress?.(`taking over the lock a stopped sandbox left on ${dir}`);
    if (owner !== undefined) await removeAbandonedLock(dir);
    try {
      release = await attempt(Math.ceil(LOCK_STALE_MS / 1_000) + 2);
    } catch (retryError) {
      if ((retryError as NodeJS.ErrnoException).code === 'ELOCKED') throw new SandboxLockedError(dir, lockOwner(dir));
      throw retryError;
    }
  }
  await fsp.writeFile(lockOwnerFile(dir), JSON.stringify({ pid: process.pid }), { mode: 0o600 });
  return {
    async release() {
      await fsp.rm(lockOwnerFile(dir), { force: true });
      await release().catch(() => undefined);
    },
  };
}
