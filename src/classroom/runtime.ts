import type { DaemonRuntime } from '../util/daemon.js';
import type { ClassroomOptions } from './index.js';
import type { RoomTarget } from './room.js';

/** The classroom's port unless told otherwise (the sandbox's is 5123). */
export const DEFAULT_CLASSROOM_PORT = 5124;

/** What the classroom daemon writes once it serves. */
export interface ClassroomRuntime extends DaemonRuntime {
  host: string;
  /** Where learners join; the first is the one to show. */
  urls: string[];
  boardUrl: string;
  /** The join code, as people read it (`K7MQ-4PXA`). */
  code: string;
  roomId: string;
  target: RoomTarget;
  region?: string;
  accountId?: string;
  learners: number;
  resumed: boolean;
  archivedTo?: string;
}

/** Options the CLI passes to the daemon: the serializable part of the classroom's own options. */
export type ClassroomDaemonOptions = Pick<ClassroomOptions, 'dir' | 'port' | 'anyPortIfBusy' | 'host' | 'target' | 'region' | 'profile' | 'learners' | 'fresh' | 'ecrPollSeconds'>;
