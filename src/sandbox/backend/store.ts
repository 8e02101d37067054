import crypto from 'node:crypto';
import path from 'node:path';
import { readJsonFile, writeFileAtomic } from '../../util/atomic-file.js';
import { SANDBOX_ACCOUNT_ID, SANDBOX_USER_NAME } from '../config.js';
import { SandboxClock } from './clock.js';
import { isSandboxState, type RegionState, type SandboxState } from './types.js';

const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `prefix` and random upper-case letters and digits 2–7, `length` characters in all: IAM's id shape. */
export function randomIdentifier(prefix: string, length: number): string {
  const bytes = crypto.randomBytes(length - prefix.length);
  let id = prefix;
  for (const byte of bytes) id += ACCESS_KEY_ALPHABET[byte % ACCESS_KEY_ALPHABET.length];
  return id;
}

/** A 20-character access key id shaped like a real long-term IAM user key (AKIA…). */
export function newAccessKeyId(): string {
  return randomIdentifier('AKIA', 20);
}

/** A 40-character secret access key. */
export function newSecretAccessKey(): string {
  return crypto.randomBytes(30).toString('base64').replace(/\+/g, 'x').replace(/\//g, 'Y').slice(0, 40);
}

export function freshState(): SandboxState {
  return {
    version: 1,
    accountId: SANDBOX_ACCOUNT_ID,
    credentials: { accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey(), userName: SANDBOX_USER_NAME },
    tokenSecret: crypto.randomBytes(32).toString('hex'),
    regions: {},
  };
}

export interface StoreLoadReport {
  /** Set when the state file did not parse and was moved aside. */
  corrupt?: { movedTo: string; reason: string };
}

/**
 * Holds the sandbox state in memory and persists it atomically. Mutate `state`, then await
 * `save()`: saves are serialized and each writes the latest snapshot, so a SIGKILL at any
 * moment leaves the previous or the new complete file on disk.
 */
export class SandboxStore {
  readonly file: string;
  state: SandboxState;
  /** The sandbox's notion of now (real time plus the state's offset). */
  readonly clock = new SandboxClock(() => this.state);
  private pending: Promise<void> = Promise.resolve();

  private constructor(file: string, state: SandboxState) {
    this.file = file;
    this.state = state;
  }

  /** Loads `<dir>/state.json`, creating it (with fresh credentials) when absent. */
  static async open(dir: string): Promise<{ store: SandboxStore; report: StoreLoadReport }> {
    const file = path.join(dir, 'state.json');
    const read = await readJsonFile(file, isSandboxState);
    const report: StoreLoadReport = {};
    let state: SandboxState;
    if (read.kind === 'ok') state = read.value;
    else {
      if (read.kind === 'corrupt') report.corrupt = { movedTo: read.movedTo, reason: read.reason };
      state = freshState();
    }
    const store = new SandboxStore(file, state);
    if (read.kind !== 'ok') await store.save();
    return { store, report };
  }

  /** Now, in epoch seconds, by the sandbox's clock. */
  now(): number {
    return this.clock.now();
  }

  /** Moves the sandbox's clock forward by `seconds` and persists the new offset. */
  async advanceClock(seconds: number): Promise<void> {
    this.state.clockOffsetSeconds = this.clock.offsetSeconds() + seconds;
    await this.save();
  }

  /** Puts the sandbox's clock back on real time. */
  async resetClock(): Promise<void> {
    delete this.state.clockOffsetSeconds;
    await this.save();
  }

  /** The state of one region, created empty on first use. */
  region(name: string): RegionState {
    let region = this.state.regions[name];
    if (!region) {
      region = { repositories: {} };
      this.state.regions[name] = region;
    }
    return region;
  }

  /** Persists the current state; resolves once it is durable. */
  save(): Promise<void> {
    const next = this.pending.then(() => writeFileAtomic(this.file, JSON.stringify(this.state)));
    // A failed write must not wedge later saves; the caller of this save still sees the error.
    this.pending = next.catch(() => undefined);
    return next;
  }
}
