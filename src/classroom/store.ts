/**
 * The room on disk: `<state dir>/classroom/room.json`, written atomically, so a classroom
 * stopped (or its laptop rebooted) mid-workshop starts again with the same code, learners and
 * results, and `classroom report` / `sweep` work after the server has stopped.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { stateHome } from '../paths.js';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';
import { REPORT_STATUSES, ROOM_VERSION, type LearnerRecord, type ReportRecord, type RoomState, type StepRecord } from './room.js';

export const ROOM_FILE = 'room.json';

/** The classroom's folder: room.json, runtime.json, its log and the learners' policies. */
export function classroomHome(home: string = stateHome()): string {
  return path.join(home, 'classroom');
}

// Hand-written checks, as for progress.json: a file edited by hand must not crash the board.
const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isTime = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const optional = (v: unknown, test: (v: unknown) => boolean) => v === undefined || test(v);
const isString = (v: unknown) => typeof v === 'string';
const isStatus = (v: unknown) => typeof v === 'string' && (REPORT_STATUSES as readonly string[]).includes(v);

function isReport(v: unknown): v is ReportRecord {
  return isRecord(v) && isString(v.step) && isStatus(v.status) && optional(v.diagnosis, isString) && isTime(v.at);
}

function isStep(v: unknown): v is StepRecord {
  return (
    isRecord(v) &&
    isCount(v.attempts) &&
    optional(v.passedAt, isTime) &&
    optional(v.failingSince, isTime) &&
    isRecord(v.last) &&
    isStatus(v.last.status) &&
    optional(v.last.diagnosis, isString) &&
    isTime(v.last.at)
  );
}

function isLearner(v: unknown): v is LearnerRecord {
  return (
    isRecord(v) &&
    typeof v.name === 'string' &&
    v.name.length > 0 &&
    !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(v.name) &&
    optional(v.tokenHash, (h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)) &&
    optional(v.listed, (b) => typeof b === 'boolean') &&
    optional(v.joinedAt, isTime) &&
    optional(v.lastSeen, isTime) &&
    isRecord(v.steps) &&
    Object.values(v.steps).every(isStep) &&
    Array.isArray(v.history) &&
    v.history.every(isReport)
  );
}

export function isRoomState(v: unknown): v is RoomState {
  return (
    isRecord(v) &&
    v.version === ROOM_VERSION &&
    typeof v.id === 'string' &&
    typeof v.code === 'string' &&
    /^[A-Z0-9]{8}$/.test(v.code) &&
    (v.target === 'sandbox' || v.target === 'aws') &&
    optional(v.region, isString) &&
    optional(v.accountId, isString) &&
    optional(v.profile, isString) &&
    isTime(v.createdAt) &&
    Array.isArray(v.learners) &&
    v.learners.every(isLearner)
  );
}

/** The saved room, undefined when there is none; a corrupt file is moved aside and `warning` says so. */
export async function readRoom(dir: string = classroomHome()): Promise<{ state?: RoomState; warning?: string }> {
  const read = await readJsonFile(path.join(dir, ROOM_FILE), isRoomState);
  if (read.kind === 'ok') return { state: read.value };
  if (read.kind === 'corrupt') return { warning: `The classroom's room file was unreadable (${read.reason}); it was moved to ${read.movedTo}.` };
  return {};
}

/** Moves the saved room aside (`classroom start --new`), keeping it for the record. Returns where to. */
export async function archiveRoom(dir: string = classroomHome(), now: Date = new Date()): Promise<string | undefined> {
  const file = path.join(dir, ROOM_FILE);
  const to = path.join(dir, `room-${now.toISOString().replace(/[:.]/g, '-')}.json`);
  try {
    await fsp.rename(file, to);
    return to;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Saves the room after changes, at most every `delayMs`: a busy room (100 learners each checking
 * every 2 s) writes a few times a second, not fifty. `flush()` writes what is pending now.
 */
export class RoomSaver {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly dir: string,
    private readonly state: RoomState,
    private readonly delayMs = 500,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  /** Notes a change; the room is written within `delayMs`. */
  changed(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
  }

  /** Writes now if anything changed since the last write. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      try {
        await writeFileAtomic(path.join(this.dir, ROOM_FILE), JSON.stringify(this.state));
      } catch (error) {
        this.dirty = true;
        this.onError(error as Error);
      }
    });
    return this.writing;
  }
}
