/**
 * Reporting a learner's checks to their classroom, from the one place checks run
 * (runner/session.ts checkStep). It must never slow or break a check: reports go out in the
 * background, one at a time and in order, from a small bounded queue, each with a short
 * timeout; a failure never changes the check's result or exit code, and is said once on stderr.
 * After a failure, reports are dropped for a while instead of each waiting out its timeout.
 */
import type { ClassroomMembership } from '../progress/store.js';
import { ClassroomClientError, sendReport, type CheckReport } from './client.js';
import * as messages from './messages.js';

/** Reports waiting at most; beyond it the oldest is dropped (the newest says more). */
export const MAX_QUEUED = 16;
/** How long one report may take. */
export const REPORT_TIMEOUT_MS = 1500;
/** After a failure, how long reports are dropped without trying. */
export const BACKOFF_MS = 10_000;

interface Queued {
  member: ClassroomMembership;
  report: CheckReport;
}

const queue: Queued[] = [];
let sending: Promise<void> | undefined;
let downUntil = 0;
let said = false;

/** Where notes go: stderr (tests replace it). */
let note: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

/** For tests: where notes go, and a fresh start (queue, back-off, the one note). */
export function resetReporter(write?: (line: string) => void): void {
  queue.length = 0;
  downUntil = 0;
  said = false;
  if (write) note = write;
}

/** Queues one check's report for the classroom the learner joined, and returns at once. */
export function reportCheck(member: ClassroomMembership, report: CheckReport): void {
  if (Date.now() < downUntil) return;
  queue.push({ member, report: { step: report.step, status: report.status, ...(report.diagnosis ? { diagnosis: report.diagnosis } : {}) } });
  if (queue.length > MAX_QUEUED) queue.splice(0, queue.length - MAX_QUEUED);
  sending ??= drain().finally(() => (sending = undefined));
}

/** Resolves when every queued report has been sent or given up (tests; the CLI's exit waits by itself). */
export function reportsSettled(): Promise<void> {
  return sending ?? Promise.resolve();
}

async function drain(): Promise<void> {
  for (let next = queue.shift(); next; next = queue.shift()) {
    try {
      await sendReport(next.member, next.report, REPORT_TIMEOUT_MS);
    } catch (error) {
      downUntil = Date.now() + BACKOFF_MS;
      queue.length = 0;
      if (!said) {
        said = true;
        const refused = error instanceof ClassroomClientError && error.code !== 'unreachable';
        note(refused ? messages.reportRefused(next.member.url, error.message) : messages.reportUnreachable(next.member.url));
      }
    }
  }
}
