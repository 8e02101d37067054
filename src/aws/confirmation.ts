/**
 * The one question before real AWS: "this account, this caller, this region, right?". Asked the
 * first time a learner uses an (account, region) pair, remembered in the state directory
 * beside progress.json, so it is asked once. Scripts answer it with --yes; without a terminal
 * and without --yes the workbook refuses rather than guess.
 */
import path from 'node:path';
import type { ResolvedTarget } from '../targets/index.js';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';
import * as messages from './messages.js';

/** Where confirmed (account, region) pairs are remembered, beside progress.json. */
export const CONFIRMATIONS_FILE = 'aws-confirmations.json';

interface Confirmations {
  version: 1;
  /** Keyed `<account>/<region>`. */
  confirmed: Record<string, { callerArn?: string; at: string }>;
}

function isConfirmations(value: unknown): value is Confirmations {
  const v = value as Partial<Confirmations> | null;
  return !!v && v.version === 1 && !!v.confirmed && typeof v.confirmed === 'object' && !Array.isArray(v.confirmed);
}

const key = (accountId: string, region: string) => `${accountId}/${region}`;

async function readConfirmations(file: string): Promise<Confirmations> {
  const read = await readJsonFile(file, isConfirmations);
  // A corrupt file was moved aside by readJsonFile; the cost is one more question.
  return read.kind === 'ok' ? read.value : { version: 1, confirmed: {} };
}

/** Whether the learner already confirmed this account and region. */
export async function isConfirmed(stateDir: string, accountId: string, region: string): Promise<boolean> {
  const all = await readConfirmations(path.join(stateDir, CONFIRMATIONS_FILE));
  return key(accountId, region) in all.confirmed;
}

/** Remembers that the learner confirmed this account and region. */
export async function rememberConfirmation(stateDir: string, accountId: string, region: string, callerArn: string | undefined, now = new Date()): Promise<void> {
  const file = path.join(stateDir, CONFIRMATIONS_FILE);
  const all = await readConfirmations(file);
  all.confirmed[key(accountId, region)] = { ...(callerArn ? { callerArn } : {}), at: now.toISOString() };
  await writeFileAtomic(file, `${JSON.stringify(all, null, 2)}\n`);
}

/** The learner said no, or could not be asked: nothing was done. Its message says what to do. */
export class ConfirmationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfirmationRefused';
  }
}

export interface ConfirmOptions {
  /** The state directory (where progress.json lives). */
  stateDir: string;
  /** --yes: confirmed without asking (scripts). */
  yes?: boolean;
  /** Whether a person can answer; defaults to stdin and stderr being terminals. */
  interactive?: boolean;
  /** Asks a yes/no question; defaults to an enquirer prompt on stderr. */
  ask?: (question: string) => Promise<boolean>;
  /** Where the identity is shown; defaults to stderr, so `--json` output stays clean. */
  write?: (text: string) => void;
}

export type ConfirmOutcome =
  /** The sandbox bills nothing: no question. */
  | 'not-aws'
  /** No credentials yet (before lesson 02): nothing can be created, so nothing is asked yet. */
  | 'identity-unknown'
  | 'remembered'
  | 'confirmed'
  | 'confirmed-by-flag';

async function askOnStderr(question: string): Promise<boolean> {
  const { default: Enquirer } = await import('enquirer');
  try {
    const answer = (await Enquirer.prompt({ type: 'confirm', name: 'ok', message: question, initial: true, stdout: process.stderr } as never)) as { ok: boolean };
    return answer.ok;
  } catch {
    return false; // Ctrl-C or Esc is a no
  }
}

/**
 * Shows the account, caller ARN and region of an aws target and asks once per (account,
 * region) before the course goes on; throws ConfirmationRefused when the answer is no or
 * cannot be given (no terminal, no --yes). The runner calls it right after resolving the target.
 */
export async function confirmAwsTarget(resolved: ResolvedTarget, options: ConfirmOptions): Promise<ConfirmOutcome> {
  if (resolved.target !== 'aws') return 'not-aws';
  const write = options.write ?? ((text: string) => process.stderr.write(`${text}\n`));
  if (!resolved.callerArn) {
    write(messages.identityUnknown(resolved.identityProblem ?? 'no credentials', resolved.profile));
    return 'identity-unknown';
  }
  const id: messages.Identity = { accountId: resolved.accountId, callerArn: resolved.callerArn, region: resolved.region, repositoryName: resolved.repositoryName };
  if (await isConfirmed(options.stateDir, id.accountId, id.region)) return 'remembered';
  if (options.yes) {
    write(messages.confirmedBy(id, 'flag'));
    await rememberConfirmation(options.stateDir, id.accountId, id.region, id.callerArn);
    return 'confirmed-by-flag';
  }
  const interactive = options.interactive ?? (!!process.stdin.isTTY && !!process.stderr.isTTY);
  if (!interactive) throw new ConfirmationRefused(messages.confirmNeedsYes(id));
  write(messages.identityBox(id));
  const ok = await (options.ask ?? askOnStderr)(messages.confirmQuestion(id));
  if (!ok) throw new ConfirmationRefused(messages.confirmDeclined);
  await rememberConfirmation(options.stateDir, id.accountId, id.region, id.callerArn);
  write(messages.confirmedBy(id, 'yes'));
  return 'confirmed';
}
