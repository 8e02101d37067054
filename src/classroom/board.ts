/**
 * What the board shows, computed from the room: the grid of learners × steps (passed, failed,
 * not started), who has been stuck longest and on which diagnosis, the most common mistakes in
 * the room right now, and one learner's drill-down. The board page, `classroom report --json`
 * and its CSV and text forms all print this one view, so they cannot disagree.
 */
import type { Ownership } from '../aws/cleanup.js';
import { displayCode, type LearnerRecord, type ReportRecord, type RoomState, type RoomTarget } from './room.js';

/** A step as the board's columns show it. */
export interface StepInfo {
  id: string;
  /** The lesson's number (1 for 01-why-ecr). */
  lesson: number;
  title: string;
}

export type CellState = 'passed' | 'failed' | 'not-started';

export interface Cell {
  state: CellState;
  attempts: number;
  /** The last check's diagnosis id, while the step is failing. */
  diagnosis?: string;
  /** The last check's time. */
  at?: string;
}

export interface Stuck {
  name: string;
  step: string;
  diagnosis?: string;
  /** Since when that step has been failing. */
  since: string;
  seconds: number;
}

export interface Mistake {
  diagnosis: string;
  /** How many learners have a step failing with it now. */
  learners: number;
  names: string[];
  steps: string[];
}

export interface LearnerRow {
  name: string;
  joined: boolean;
  joinedAt?: string;
  lastSeen?: string;
  passed: number;
  cells: Record<string, Cell>;
  stuck?: Stuck;
}

/** A repository under a learner's prefix on the shared account, as the board shows it (aws rooms). */
export interface EcrRepositoryView {
  name: string;
  ownership: Ownership;
  /** Its ecr-workbook-learner tag. */
  learnerTag?: string;
  images: number;
  bytes: number;
  /** `12.3 MB`. */
  size: string;
  monthlyUsd: number;
  problem?: string;
}

/** The real ECR state of the room's prefixes (aws rooms), read with the instructor's credentials. */
export interface EcrView {
  checkedAt: string;
  region: string;
  accountId: string;
  /** Why the last look failed (the board keeps showing the look before it). */
  error?: string;
  /** By learner name: the repositories under their prefix. */
  learners: Record<string, EcrRepositoryView[]>;
  /** What the room's own repositories cost a month, and as the board writes it (`$0.0040`). */
  monthlyUsd: number;
  monthlyCost: string;
}

export interface BoardView {
  room: {
    id: string;
    code: string;
    target: RoomTarget;
    region: string | null;
    accountId: string | null;
    createdAt: string;
    /** The addresses learners join with. */
    urls: string[];
    joinCommand: string;
  };
  generatedAt: string;
  steps: StepInfo[];
  learners: LearnerRow[];
  stuck: Stuck[];
  mistakes: Mistake[];
  ecr?: EcrView;
}

/** One learner in detail: every step's state and the latest reports, newest first. */
export interface LearnerDetail extends LearnerRow {
  history: ReportRecord[];
  ecr?: EcrRepositoryView[];
}

/** The command learners type, with the first address the room is reachable at. */
export function joinCommand(url: string, code: string): string {
  return `ecr-workbook join ${url} ${displayCode(code)} --name <your name>`;
}

function cellOf(learner: LearnerRecord, step: string): Cell {
  const record = learner.steps[step];
  if (!record) return { state: 'not-started', attempts: 0 };
  if (record.passedAt) return { state: 'passed', attempts: record.attempts, at: record.last.at };
  return { state: 'failed', attempts: record.attempts, ...(record.last.diagnosis ? { diagnosis: record.last.diagnosis } : {}), at: record.last.at };
}

/** The learner is stuck when their latest check failed on a step they have not passed. */
function stuckOf(learner: LearnerRecord, now: Date): Stuck | undefined {
  const latest = learner.history.at(-1);
  if (!latest || latest.status === 'pass') return undefined;
  const record = learner.steps[latest.step];
  if (!record || record.passedAt || !record.failingSince) return undefined;
  return {
    name: learner.name,
    step: latest.step,
    ...(record.last.diagnosis ? { diagnosis: record.last.diagnosis } : {}),
    since: record.failingSince,
    seconds: Math.max(0, Math.round((now.getTime() - Date.parse(record.failingSince)) / 1000)),
  };
}

function rowOf(learner: LearnerRecord, steps: StepInfo[], now: Date): LearnerRow {
  const cells = Object.fromEntries(steps.map((s) => [s.id, cellOf(learner, s.id)]));
  const stuck = stuckOf(learner, now);
  return {
    name: learner.name,
    joined: !!learner.tokenHash,
    ...(learner.joinedAt ? { joinedAt: learner.joinedAt } : {}),
    ...(learner.lastSeen ? { lastSeen: learner.lastSeen } : {}),
    passed: Object.values(cells).filter((c) => c.state === 'passed').length,
    cells,
    ...(stuck ? { stuck } : {}),
  };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.name.localeCompare(b.name);

/** Every failing, never-passed step's diagnosis, counted once per learner. */
function mistakesOf(rows: LearnerRow[]): Mistake[] {
  const found = new Map<string, { names: Set<string>; steps: Set<string> }>();
  for (const row of rows) {
    for (const [step, cell] of Object.entries(row.cells)) {
      if (cell.state !== 'failed' || !cell.diagnosis) continue;
      const entry = found.get(cell.diagnosis) ?? { names: new Set(), steps: new Set() };
      entry.names.add(row.name);
      entry.steps.add(step);
      found.set(cell.diagnosis, entry);
    }
  }
  return [...found]
    .map(([diagnosis, e]) => ({ diagnosis, learners: e.names.size, names: [...e.names], steps: [...e.steps] }))
    .sort((a, b) => b.learners - a.learners || a.diagnosis.localeCompare(b.diagnosis));
}

/** The board for a room at `now`. */
export function boardView(state: RoomState, steps: StepInfo[], now: Date, extras: { urls: string[]; ecr?: EcrView }): BoardView {
  const learners = state.learners.map((l) => rowOf(l, steps, now)).sort(byName);
  const stuck = learners
    .flatMap((l) => (l.stuck ? [l.stuck] : []))
    .sort((a, b) => Date.parse(a.since) - Date.parse(b.since) || byName(a, b));
  return {
    room: {
      id: state.id,
      code: displayCode(state.code),
      target: state.target,
      region: state.region ?? null,
      accountId: state.accountId ?? null,
      createdAt: state.createdAt,
      urls: extras.urls,
      joinCommand: joinCommand(extras.urls[0] ?? 'http://<address>:<port>', state.code),
    },
    generatedAt: now.toISOString(),
    steps,
    learners,
    stuck,
    mistakes: mistakesOf(learners),
    ...(extras.ecr ? { ecr: extras.ecr } : {}),
  };
}

/** One learner's drill-down. */
export function learnerDetail(learner: LearnerRecord, steps: StepInfo[], now: Date, ecr?: EcrView): LearnerDetail {
  const repositories = ecr?.learners[learner.name];
  return { ...rowOf(learner, steps, now), history: [...learner.history].reverse(), ...(repositories ? { ecr: repositories } : {}) };
}
