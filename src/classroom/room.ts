/**
 * A classroom: its join code, its learners (each with a token of their own) and what each
 * reported, with every rule of who may join under which name and who may report what. No HTTP
 * in here (server.ts routes requests to it) and no clock of its own (time comes in).
 *
 * Tokens are kept only as their SHA-256: the room file never holds what a learner sends.
 */
import crypto from 'node:crypto';
import { classroomErrors } from './errors.js';

export const ROOM_VERSION = 1;
export type RoomTarget = 'sandbox' | 'aws';
export type ReportStatus = 'pass' | 'fail' | 'error';
export const REPORT_STATUSES: readonly ReportStatus[] = ['pass', 'fail', 'error'];

/** The most learners one room takes: the workbook is built for 10 to 100. */
export const MAX_LEARNERS = 500;
/** Reports kept per learner for the drill-down; the per-step summary keeps everything else. */
export const HISTORY_PER_LEARNER = 200;
export const MAX_NAME_LENGTH = 40;

/** One check a learner ran, as the classroom received it. */
export interface ReportRecord {
  step: string;
  status: ReportStatus;
  diagnosis?: string;
  /** When the classroom received it (learners' clocks may disagree; the room's clock decides). */
  at: string;
}

/** A learner's record of one step. */
export interface StepRecord {
  attempts: number;
  /** The first pass; a passed step stays passed, as in the learner's own progress. */
  passedAt?: string;
  last: { status: ReportStatus; diagnosis?: string; at: string };
  /** Since when the step has been failing without a pass in between. */
  failingSince?: string;
}

export interface LearnerRecord {
  name: string;
  /** SHA-256 of the learner's token (hex); absent for a learner listed at start who has not joined. */
  tokenHash?: string;
  /** Named by the instructor at `classroom start --learners`. */
  listed?: boolean;
  joinedAt?: string;
  lastSeen?: string;
  steps: Record<string, StepRecord>;
  /** The latest reports, oldest first (at most HISTORY_PER_LEARNER). */
  history: ReportRecord[];
}

export interface RoomState {
  version: typeof ROOM_VERSION;
  /** Random; tells one room from the next in a learner's progress. */
  id: string;
  /** The join code, canonical: eight characters, no dash. */
  code: string;
  target: RoomTarget;
  /** aws: where the room's repositories are, the account and the instructor's profile. */
  region?: string;
  accountId?: string;
  profile?: string;
  createdAt: string;
  learners: LearnerRecord[];
}

/** What a learner's check report carries, and nothing more: no credentials, no command text. */
export interface ReportInput {
  learner: string;
  step: string;
  status: ReportStatus;
  diagnosis?: string;
}

// Crockford's base-32 without the letters people misread (0/O, 1/I/L, U): 30^8 ≈ 6.6e11 codes.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
const CODE_LENGTH = 8;
/** A diagnosis id as src/check/diagnoses.ts writes them. */
const DIAGNOSIS_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** A learner prefix on a shared account: one segment of an ECR repository name (lowercase). */
const PREFIX_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** A fresh join code, canonical form. */
export function newJoinCode(): string {
  const bytes = crypto.randomBytes(CODE_LENGTH * 2);
  let code = '';
  // Rejection sampling keeps every character equally likely.
  for (const byte of bytes) {
    if (byte >= 240) continue;
    code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
    if (code.length === CODE_LENGTH) return code;
  }
  return code + newJoinCode().slice(code.length);
}

/** `K7MQ4PXA` → `K7MQ-4PXA`, as people read and type it. */
export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a person typed, in canonical form: upper case, without dashes or spaces. */
export function canonicalCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const newToken = () => crypto.randomBytes(24).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** The name a learner gave, checked and normalized (NFC, trimmed); throws bad-name saying what is allowed. */
export function validateName(raw: unknown, target: RoomTarget): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw classroomErrors.badName('Give your name with --name (for example --name alice).');
  const name = raw.normalize('NFC').trim();
  if ([...name].length > MAX_NAME_LENGTH) throw classroomErrors.badName(`A name has at most ${MAX_NAME_LENGTH} characters.`);
  // Control and format characters (newlines, bidi overrides) would let a name forge board rows.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) throw classroomErrors.badName('A name cannot hold control characters or line breaks.');
  if (target === 'aws' && !PREFIX_NAME.test(name)) {
    throw classroomErrors.badName(
      `On a shared AWS account your name is your repository prefix (<name>/demo-app): use lowercase letters and digits, with . _ or - between them (like alice or bob-smith), not '${name}'.`,
    );
  }
  return name;
}

/** Names compare without case: 'Alice' and 'alice' are the same person on the board. */
const nameKey = (name: string) => name.normalize('NFC').toLowerCase();

export interface RoomOptions {
  /** The course's step ids, in order: reports of any other step are refused. */
  steps: readonly string[];
  now?: () => Date;
}

export interface NewRoomOptions {
  target: RoomTarget;
  region?: string;
  accountId?: string;
  profile?: string;
}

/** The room and its rules. Every change calls the listeners (the store saves, the board updates). */
export class Room {
  private readonly byKey = new Map<string, LearnerRecord>();
  private readonly byToken = new Map<string, LearnerRecord>();
  private readonly listeners = new Set<(kind: 'join' | 'report') => void>();
  private readonly steps: ReadonlySet<string>;
  private readonly now: () => Date;

  constructor(
    readonly state: RoomState,
    options: RoomOptions,
  ) {
    this.steps = new Set(options.steps);
    this.now = options.now ?? (() => new Date());
    for (const learner of state.learners) {
      this.byKey.set(nameKey(learner.name), learner);
      if (learner.tokenHash) this.byToken.set(learner.tokenHash, learner);
    }
  }

  /** A new room state with a fresh code and nobody in it yet. */
  static create(options: NewRoomOptions, now: Date = new Date()): RoomState {
    return {
      version: ROOM_VERSION,
      id: crypto.randomBytes(8).toString('hex'),
      code: newJoinCode(),
      target: options.target,
      ...(options.region ? { region: options.region } : {}),
      ...(options.accountId ? { accountId: options.accountId } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      createdAt: now.toISOString(),
      learners: [],
    };
  }

  /** Called after every join and report. */
  onChange(listener: (kind: 'join' | 'report') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether `typed` is this room's join code (any case, with or without the dash). */
  codeMatches(typed: unknown): boolean {
    return typeof typed === 'string' && sameSecret(canonicalCode(typed), this.state.code);
  }

  /**
   * Joins a learner: checks the code and the name, and gives a token. The same name again is
   * refused unless the request carries that learner's token (joining again from the same
   * machine), which keeps the token.
   */
  join(code: unknown, rawName: unknown, token?: unknown): { learner: LearnerRecord; token: string; again: boolean } {
    if (!this.codeMatches(code)) throw classroomErrors.wrongCode();
    const name = validateName(rawName, this.state.target);
    const existing = this.byKey.get(nameKey(name));
    const at = this.now().toISOString();
    if (existing?.tokenHash) {
      if (typeof token === 'string' && token && hashToken(token) === existing.tokenHash) {
        existing.lastSeen = at;
        this.changed('join');
        return { learner: existing, token, again: true };
      }
      throw classroomErrors.nameTaken(existing.name);
    }
    if (!existing && this.byKey.size >= MAX_LEARNERS) throw classroomErrors.roomFull(MAX_LEARNERS);
    const issued = newToken();
    const learner = existing ?? { name, steps: {}, history: [] };
    learner.tokenHash = hashToken(issued);
    learner.joinedAt = at;
    learner.lastSeen = at;
    if (!existing) {
      this.state.learners.push(learner);
      this.byKey.set(nameKey(name), learner);
    }
    this.byToken.set(learner.tokenHash, learner);
    this.changed('join');
    return { learner, token: issued, again: false };
  }

  /** The learner a token belongs to (undefined for a token this room never gave). */
  learnerForToken(token: unknown): LearnerRecord | undefined {
    return typeof token === 'string' && token ? this.byToken.get(hashToken(token)) : undefined;
  }

  /**
   * Records one check a learner ran. The code must be the room's, the token a learner's, and
   * the learner named in the report that same learner.
   */
  report(code: unknown, token: unknown, input: unknown): LearnerRecord {
    if (!this.codeMatches(code)) throw classroomErrors.wrongCode();
    const learner = this.learnerForToken(token);
    if (!learner) throw classroomErrors.badToken();
    const report = this.validReport(input);
    if (nameKey(report.learner) !== nameKey(learner.name)) throw classroomErrors.notYourself(report.learner);
    const at = this.now().toISOString();
    const prior = learner.steps[report.step];
    const failing = report.status !== 'pass';
    const step: StepRecord = {
      attempts: (prior?.attempts ?? 0) + 1,
      ...(prior?.passedAt ? { passedAt: prior.passedAt } : report.status === 'pass' ? { passedAt: at } : {}),
      last: { status: report.status, ...(report.diagnosis ? { diagnosis: report.diagnosis } : {}), at },
    };
    if (failing) step.failingSince = prior?.failingSince ?? at;
    learner.steps[report.step] = step;
    learner.history.push({ step: report.step, status: report.status, ...(report.diagnosis ? { diagnosis: report.diagnosis } : {}), at });
    if (learner.history.length > HISTORY_PER_LEARNER) learner.history.splice(0, learner.history.length - HISTORY_PER_LEARNER);
    learner.lastSeen = at;
    this.changed('report');
    return learner;
  }

  /** Adds names the instructor lists (`classroom start --learners`); names already in the room are kept as they are. */
  addListed(names: readonly string[]): void {
    let added = false;
    for (const raw of names) {
      const name = validateName(raw, this.state.target);
      if (this.byKey.has(nameKey(name))) continue;
      if (this.byKey.size >= MAX_LEARNERS) throw classroomErrors.roomFull(MAX_LEARNERS);
      const learner: LearnerRecord = { name, listed: true, steps: {}, history: [] };
      this.state.learners.push(learner);
      this.byKey.set(nameKey(name), learner);
      added = true;
    }
    if (added) this.changed('join');
  }

  /** The learner with this name (any case). */
  learner(name: string): LearnerRecord | undefined {
    return this.byKey.get(nameKey(name));
  }

  private validReport(input: unknown): ReportInput {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw classroomErrors.badJson();
    const r = input as Record<string, unknown>;
    // A closed shape: anything else (a command, a key) is refused rather than stored.
    const extra = Object.keys(r).filter((k) => !['learner', 'step', 'status', 'diagnosis', 'code'].includes(k));
    if (extra.length) throw classroomErrors.badReport(`it carries fields a report never has (${extra.join(', ')})`);
    if (typeof r.learner !== 'string' || !r.learner) throw classroomErrors.badReport('it names no learner');
    if (typeof r.step !== 'string' || !r.step) throw classroomErrors.badReport('it names no step');
    if (!this.steps.has(r.step)) throw classroomErrors.unknownStep(r.step.slice(0, 80));
    if (typeof r.status !== 'string' || !(REPORT_STATUSES as readonly string[]).includes(r.status)) throw classroomErrors.badReport('status must be pass, fail or error');
    const status = r.status as ReportStatus;
    let diagnosis: string | undefined;
    if (r.diagnosis !== undefined && r.diagnosis !== null) {
      if (typeof r.diagnosis !== 'string' || !DIAGNOSIS_ID.test(r.diagnosis)) throw classroomErrors.badReport('a diagnosis is an id like repository-missing');
      // A pass has no mistake to show.
      if (status !== 'pass') diagnosis = r.diagnosis;
    }
    return { learner: r.learner, step: r.step, status, ...(diagnosis ? { diagnosis } : {}) };
  }

  private changed(kind: 'join' | 'report'): void {
    for (const listener of this.listeners) listener(kind);
  }
}

