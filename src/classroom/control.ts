/**
 * Starting, finding and stopping the background classroom server, and reading its board, for
 * the CLI. Light on imports: `classroom status` must stay fast.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonError, findDaemon, stopDaemon, upDaemon } from '../util/daemon.js';
import type { BoardView } from './board.js';
import * as messages from './messages.js';
import { DEFAULT_CLASSROOM_PORT, type ClassroomDaemonOptions, type ClassroomRuntime } from './runtime.js';
import { classroomHome } from './store.js';

export type StartOptions = Omit<ClassroomDaemonOptions, 'dir' | 'anyPortIfBusy'> & {
  dir?: string;
  onWarning?: (message: string) => void;
  timeoutMs?: number;
};

/** The running classroom for `dir`, or undefined. */
export function findRunningClassroom(dir: string = classroomHome()): Promise<ClassroomRuntime | undefined> {
  return findDaemon<ClassroomRuntime>(dir);
}

/**
 * Starts the classroom daemon and resolves once it serves, or returns the one already running
 * (when no option asks for something else). Without --port it takes the port of its last run:
 * the learners saved that address when they joined.
 */
export function classroomStart(options: StartOptions = {}): Promise<{ runtime: ClassroomRuntime; alreadyRunning: boolean }> {
  const dir = options.dir ?? classroomHome();
  return upDaemon<ClassroomRuntime>({
    dir,
    port: options.port,
    defaultPort: DEFAULT_CLASSROOM_PORT,
    conflict: (running) => {
      const differs = (options.port !== undefined && options.port !== running.port) || options.fresh || (options.target && options.target !== running.target) || options.learners?.length;
      return differs ? messages.otherRoomRunning(running.port) : undefined;
    },
    options: (port, anyPortIfBusy): ClassroomDaemonOptions => ({
      dir,
      port,
      anyPortIfBusy,
      ...(options.host ? { host: options.host } : {}),
      ...(options.target ? { target: options.target } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.learners?.length ? { learners: options.learners } : {}),
      ...(options.fresh ? { fresh: true } : {}),
      ...(options.ecrPollSeconds ? { ecrPollSeconds: options.ecrPollSeconds } : {}),
    }),
    entry: path.join(path.dirname(fileURLToPath(import.meta.url)), 'daemon.js'),
    label: 'The classroom server',
    logName: 'classroom.log',
    timeoutMs: options.timeoutMs ?? 60_000,
    onWarning: options.onWarning,
  });
}

/** Stops the classroom for `dir` (its room is saved as it stops). */
export function classroomStop(dir: string = classroomHome(), graceMs = 10_000): Promise<ClassroomRuntime | undefined> {
  return stopDaemon<ClassroomRuntime>(dir, graceMs);
}

/** The board of the running classroom, as its server computes it. */
export async function fetchBoard(runtime: ClassroomRuntime): Promise<BoardView> {
  const res = await fetch(`http://127.0.0.1:${runtime.port}/api/board`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new DaemonError(`The classroom server answered ${res.status} for its board. See ${path.join(classroomHome(), 'classroom.log')}.`);
  return (await res.json()) as BoardView;
}
