/**
 * The learner's progress: one small versioned JSON file, `<state dir>/progress.json`.
 *
 * ```json
 * { "version": 1, "target": "sandbox", "region": "us-east-1", "profile": "ecr-workbook",
 *   "learner": "alice", "client": "podman", "currentStep": "push-image",
 *   "steps": { "create-repository": { "status": "passed", "at": "2025-…Z", "attempts": 2,
 *                                     "evidence": { … } } },
 *   "quiz": { "why-ecr": { "answers": [1, 0, 2, 1], "correct": 4, "total": 4, "at": "…" } },
 *   "review": { "login-command": { "due": "2025-…Z", "stability": 3.17, "difficulty": 5.3,
 *                                  "scheduledDays": 3, "learningSteps": 0, "reps": 2, "lapses": 0,
 *                                  "state": "review", "lastReview": "2025-…Z" } },
 *   "classroom": { "url": "http://192.168.1.20:5124", "code": "K7MQ4PXA", "name": "alice",
 *                  "token": "…", "roomId": "…", "target": "sandbox", "joinedAt": "…" },
 *   "drills": { "current": { "id": "expired-token", "startedAt": "…", "hints": 1, "checks": 2 },
 *               "results": { "immutable-latest": { "outcome": "solved", "at": "…", "hints": 0,
 *                                                  "checks": 3 } } } }
 * ```
 *
 * `review` is interview practice's spaced-repetition state (src/quiz/scheduler.ts), one FSRS
 * card per question id. It is optional, so version 1 files without it stay valid, and files
 * with it stay readable by version-1 code, which keeps keys it does not know.
 *
 * `classroom` is there while the learner is in a classroom (`ecr-workbook join`): every check
 * is then also reported to it.
 *
 * `drills` is the break-fix drills' (src/drills): the one in progress, and how each one ended. A
 * drill once solved stays solved; giving it up later does not undo that. Optional, as `review`.
 *
 * `currentStep` is only the step the learner picked; which step is current is computed from
 * it and the course order (see nextStep). A skipped step is never counted as passed.
 */
import path from 'node:path';
import * as messages from '../course/messages.js';
import { TARGETS, type Target } from '../course/target.js';
import { isContainerClient, type ContainerClient } from '../docker/client.js';
import { stateHome } from '../paths.js';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';

export const PROGRESS_VERSION = 1;
export const PROGRESS_FILE = 'progress.json';

// Plain types and a hand-written check instead of a schema library: `status` reads this file
// on every start, and start-up time is a feature.
export type StepStatus = 'passed' | 'skipped' | 'failed';
const STEP_STATUSES: readonly string[] = ['passed', 'skipped', 'failed'];

export interface StepProgress {
  status: StepStatus;
  /** When the status was last set (ISO 8601). */
  at: string;
  /** How many times the step was checked (a skip is not an attempt). */
  attempts: number;
  /** What the last check saw: digests, repository settings… JSON only. */
  evidence?: unknown;
}

export interface QuizResult {
  /** The chosen choice index per question, in question order. */
  answers: number[];
  correct: number;
  total: number;
  at: string;
}

/** Where a question stands in FSRS (ts-fsrs's State, by name). */
export type ReviewState = 'new' | 'learning' | 'review' | 'relearning';
export const REVIEW_STATES: readonly ReviewState[] = ['new', 'learning', 'review', 'relearning'];

/** One question's FSRS card: ts-fsrs's Card, with ISO dates and camelCase names. */
export interface ReviewCard {
  /** When it is due again (ISO 8601). */
  due: string;
  stability: number;
  difficulty: number;
  scheduledDays: number;
  learningSteps: number;
  reps: number;
  lapses: number;
  state: ReviewState;
  /** When it was last answered (ISO 8601). */
  lastReview?: string;
}

/** The classroom a learner joined: where to report, as whom, with which token. */
export interface ClassroomMembership {
  url: string;
  /** The room's join code (canonical form); every report carries it. */
  code: string;
  name: string;
  /** The learner's own token, given at join; only this learner's reports carry it. */
  token: string;
  roomId: string;
  target: Target;
  joinedAt: string;
}

/** How a break-fix drill ended: solved (its check passed) or given up (the fix was shown). */
export type DrillOutcome = 'solved' | 'gave-up';
const DRILL_OUTCOMES: readonly string[] = ['solved', 'gave-up'];

/** The drill in progress: since when, and how many hints and checks so far. */
export interface CurrentDrill {
  id: string;
  startedAt: string;
  hints: number;
  checks: number;
}

export interface DrillResult {
  outcome: DrillOutcome;
  /** When it ended (ISO 8601). */
  at: string;
  hints: number;
  checks: number;
}

export interface DrillsProgress {
  current?: CurrentDrill;
  /** Keyed by drill id. */
  results?: Record<string, DrillResult>;
}

export interface Progress {
  version: typeof PROGRESS_VERSION;
  target: Target;
  region?: string;
  profile?: string;
  learner?: string;
  /** The container client the learner chose with --client (absent: detected each run). */
  client?: ContainerClient;
  currentStep?: string;
  steps: Record<string, StepProgress>;
  /** Keyed by lesson id. */
  quiz?: Record<string, QuizResult>;
  /** Interview practice: one card per question id of the bank. */
  review?: Record<string, ReviewCard>;
  classroom?: ClassroomMembership;
  drills?: DrillsProgress;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

function isStepProgress(v: unknown): v is StepProgress {
  return isRecord(v) && typeof v.status === 'string' && STEP_STATUSES.includes(v.status) && typeof v.at === 'string' && isCount(v.attempts);
}

function isQuizResult(v: unknown): v is QuizResult {
  return isRecord(v) && Array.isArray(v.answers) && v.answers.every(isCount) && isCount(v.correct) && isCount(v.total) && typeof v.at === 'string';
}

const isDateString = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const isAmount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function isReviewCard(v: unknown): v is ReviewCard {
  return (
    isRecord(v) &&
    isDateString(v.due) &&
    [v.stability, v.difficulty, v.scheduledDays].every(isAmount) &&
    [v.learningSteps, v.reps, v.lapses].every(isCount) &&
    typeof v.state === 'string' &&
    (REVIEW_STATES as readonly string[]).includes(v.state) &&
    (v.lastReview === undefined || isDateString(v.lastReview))
  );
}

function isMembership(v: unknown): v is ClassroomMembership {
  return (
    isRecord(v) &&
    ['url', 'code', 'name', 'token', 'roomId', 'joinedAt'].every((k) => typeof v[k] === 'string' && v[k] !== '') &&
    typeof v.target === 'string' &&
    (TARGETS as readonly string[]).includes(v.target)
  );
}

function isCurrentDrill(v: unknown): v is CurrentDrill {
  return isRecord(v) && typeof v.id === 'string' && v.id !== '' && isDateString(v.startedAt) && isCount(v.hints) && isCount(v.checks);
}

function isDrillResult(v: unknown): v is DrillResult {
  return isRecord(v) && typeof v.outcome === 'string' && DRILL_OUTCOMES.includes(v.outcome) && isDateString(v.at) && isCount(v.hints) && isCount(v.checks);
}

function isDrillsProgress(v: unknown): v is DrillsProgress {
  return isRecord(v) && (v.current === undefined || isCurrentDrill(v.current)) && (v.results === undefined || (isRecord(v.results) && Object.values(v.results).every(isDrillResult)));
}

/** Settings remembered between runs; `undefined` forgets one. */
export type ProgressSettings = Partial<Pick<Progress, 'target' | 'region' | 'profile' | 'learner' | 'client'>>;

/** Where progress lives: `<state dir>/progress.json`. */
export function progressFile(home: string = stateHome()): string {
  return path.join(home, PROGRESS_FILE);
}

/** A progress with nothing done yet. */
export function emptyProgress(target: Target = 'sandbox'): Progress {
  return { version: PROGRESS_VERSION, target, steps: {} };
}

function isProgress(value: unknown): value is Progress {
  if (!isRecord(value) || value.version !== PROGRESS_VERSION) return false;
  if (typeof value.target !== 'string' || !(TARGETS as readonly string[]).includes(value.target)) return false;
  if (![value.region, value.profile, value.learner, value.currentStep].every(optionalString)) return false;
  if (value.client !== undefined && !(typeof value.client === 'string' && isContainerClient(value.client))) return false;
  if (!isRecord(value.steps) || !Object.values(value.steps).every(isStepProgress)) return false;
  if (value.review !== undefined && !(isRecord(value.review) && Object.values(value.review).every(isReviewCard))) return false;
  if (value.classroom !== undefined && !isMembership(value.classroom)) return false;
  if (value.drills !== undefined && !isDrillsProgress(value.drills)) return false;
  return value.quiz === undefined || (isRecord(value.quiz) && Object.values(value.quiz).every(isQuizResult));
}

/** Whether the step counts as done for moving on: passed or skipped. */
export function isDone(progress: Progress, stepId: string): boolean {
  const status = progress.steps[stepId]?.status;
  return status === 'passed' || status === 'skipped';
}

/** Whether the step was passed; skipping is not passing. */
export function isPassed(progress: Progress, stepId: string): boolean {
  return progress.steps[stepId]?.status === 'passed';
}

/**
 * The step to work on, given the course order: the first step not passed or skipped, starting
 * at the step the learner picked (if any) and wrapping round to the start, as rustlings does.
 * Undefined when every step is done.
 */
export function nextStep(progress: Progress, order: readonly string[]): string | undefined {
  const picked = progress.currentStep ? order.indexOf(progress.currentStep) : -1;
  const start = Math.max(picked, 0);
  for (let i = 0; i < order.length; i++) {
    const id = order[(start + i) % order.length];
    if (id !== undefined && !isDone(progress, id)) return id;
  }
  return undefined;
}

/** Counts for a status line: passed, skipped, failed, not started (over the course order). */
export function summarize(progress: Progress, order: readonly string[]): Record<StepStatus | 'pending', number> {
  const counts = { passed: 0, skipped: 0, failed: 0, pending: 0 };
  for (const id of order) counts[progress.steps[id]?.status ?? 'pending']++;
  return counts;
}

export interface ProgressStoreOptions {
  /** The state dir; defaults to stateHome() (ECR_WORKBOOK_HOME, XDG_STATE_HOME, ~/.local/state). */
  home?: string;
  /** The target a fresh progress starts with. */
  target?: Target;
  /** The clock, for tests. */
  now?: () => Date;
  /** Told when a later re-read finds the file corrupt (open() returns the first warning itself). */
  onWarning?: (message: string) => void;
}

/**
 * Reads and writes progress.json. Every change re-reads the file, applies itself and writes
 * atomically: `watch` in one terminal and `check` in another then never undo each other.
 */
export class ProgressStore {
  private constructor(
    readonly file: string,
    private current: Progress,
    private readonly target: Target,
    private readonly now: () => Date,
    private readonly onWarning: (message: string) => void,
  ) {}

  /**
   * Opens the store. A missing file is a fresh start. An unreadable one is moved aside (by
   * readJsonFile) and `warning` says so in words for the learner.
   */
  static async open(options: ProgressStoreOptions = {}): Promise<{ store: ProgressStore; warning?: string }> {
    const file = progressFile(options.home);
    const target = options.target ?? 'sandbox';
    const store = new ProgressStore(file, emptyProgress(target), target, options.now ?? (() => new Date()), options.onWarning ?? (() => {}));
    const warning = await store.reload();
    return { store, warning };
  }

  /** The progress as last read or written. */
  get progress(): Progress {
    return this.current;
  }

  /** Re-reads the file; returns a warning when it was corrupt (and has been moved aside). */
  async reload(): Promise<string | undefined> {
    const read = await readJsonFile(this.file, isProgress);
    if (read.kind === 'ok') {
      this.current = read.value;
      return undefined;
    }
    this.current = emptyProgress(this.target);
    return read.kind === 'corrupt' ? messages.progressCorrupt(read.movedTo, read.reason) : undefined;
  }

  /** Records a passing check. */
  markPassed(stepId: string, evidence?: unknown): Promise<Progress> {
    return this.update((p) => this.setStep(p, stepId, 'passed', true, evidence));
  }

  /** Records that the learner chose to skip the step; it is done but never passed. */
  markSkipped(stepId: string): Promise<Progress> {
    return this.update((p) => this.setStep(p, stepId, 'skipped', false, undefined));
  }

  /**
   * Records a failing check. A step already passed stays passed (only its attempts grow):
   * progress is what the learner achieved, and clean-up makes earlier checks fail on purpose.
   */
  markFailed(stepId: string, evidence?: unknown): Promise<Progress> {
    return this.update((p) => {
      const prior = p.steps[stepId];
      if (prior?.status === 'passed') p.steps[stepId] = { ...prior, attempts: prior.attempts + 1 };
      else this.setStep(p, stepId, 'failed', true, evidence);
    });
  }

  /** Records the learner's quiz answers for a lesson. */
  recordQuiz(lessonId: string, result: Omit<QuizResult, 'at'>): Promise<Progress> {
    return this.update((p) => {
      p.quiz = { ...p.quiz, [lessonId]: { ...result, at: this.now().toISOString() } };
    });
  }

  /**
   * Records an answer to an interview question: `next` gets the question's card as the file holds
   * it now (re-read, so two sessions never undo each other) and returns the new card.
   */
  reviewQuestion(questionId: string, next: (prior: ReviewCard | undefined) => ReviewCard): Promise<Progress> {
    return this.update((p) => {
      p.review = { ...p.review, [questionId]: next(p.review?.[questionId]) };
    });
  }

  /** The learner picked a step (or `undefined`: back to "first not done"). */
  setCurrentStep(stepId: string | undefined): Promise<Progress> {
    return this.update((p) => {
      if (stepId === undefined) delete p.currentStep;
      else p.currentStep = stepId;
    });
  }

  /** Remembers target, region, profile, learner, client; an `undefined` value forgets that setting. */
  setSettings(settings: ProgressSettings): Promise<Progress> {
    return this.update((p) => {
      for (const [key, value] of Object.entries(settings) as [keyof ProgressSettings, string | undefined][]) {
        if (value === undefined) {
          if (key !== 'target') delete p[key];
        } else if (key === 'target') p.target = value as Target;
        else if (key === 'client') p.client = value as ContainerClient;
        else p[key] = value;
      }
    });
  }

  /** Remembers the classroom the learner joined, or (`undefined`) forgets it. */
  setClassroom(membership: ClassroomMembership | undefined): Promise<Progress> {
    return this.update((p) => {
      if (membership) p.classroom = membership;
      else delete p.classroom;
    });
  }

  /** A drill starts (again): it becomes the one in progress, with no hints or checks yet. */
  startDrill(drillId: string): Promise<Progress> {
    return this.update((p) => {
      p.drills = { ...p.drills, current: { id: drillId, startedAt: this.now().toISOString(), hints: 0, checks: 0 } };
    });
  }

  /** One more hint, or one more check, of the drill in progress (nothing when none is). */
  countDrill(what: 'hints' | 'checks'): Promise<Progress> {
    return this.update((p) => {
      if (p.drills?.current) p.drills.current[what]++;
    });
  }

  /**
   * The drill in progress ended: it is no longer current, and its result is kept. A drill solved
   * once stays solved: a later give-up is not recorded over it.
   */
  finishDrill(outcome: DrillOutcome): Promise<Progress> {
    return this.update((p) => {
      const current = p.drills?.current;
      if (!current) return;
      const prior = p.drills?.results?.[current.id];
      const results = { ...p.drills?.results };
      if (!(prior?.outcome === 'solved' && outcome === 'gave-up')) results[current.id] = { outcome, at: this.now().toISOString(), hints: current.hints, checks: current.checks };
      p.drills = { results };
    });
  }

  /** The step to work on in this course order (see nextStep). */
  currentStep(order: readonly string[]): string | undefined {
    return nextStep(this.current, order);
  }

  /** Forgets one step's result, so the learner can do it again. */
  resetStep(stepId: string): Promise<Progress> {
    return this.update((p) => {
      delete p.steps[stepId];
    });
  }

  /**
   * Starts over: forgets every step, quiz, review card, drill result and pick; keeps target,
   * region, profile, learner, classroom, and the drill in progress (its resources are still in
   * the sandbox; `drill give-up` cleans them up).
   */
  reset(): Promise<Progress> {
    return this.update((p) => {
      p.steps = {};
      delete p.quiz;
      delete p.review;
      delete p.currentStep;
      if (p.drills?.current) p.drills = { current: p.drills.current };
      else delete p.drills;
    });
  }

  private setStep(p: Progress, stepId: string, status: StepStatus, attempt: boolean, evidence: unknown): void {
    const prior = p.steps[stepId];
    const next: StepProgress = { status, at: this.now().toISOString(), attempts: (prior?.attempts ?? 0) + (attempt ? 1 : 0) };
    if (evidence !== undefined) next.evidence = evidence;
    p.steps[stepId] = next;
  }

  private queue: Promise<unknown> = Promise.resolve();

  private update(change: (p: Progress) => void): Promise<Progress> {
    // One change at a time within this process, so concurrent calls cannot lose each other.
    const run = this.queue.then(async () => {
      // A corrupt file found here was already moved aside; the change then starts from empty.
      const warning = await this.reload();
      if (warning) this.onWarning(warning);
      const next = structuredClone(this.current);
      change(next);
      await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`);
      this.current = next;
      return next;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
