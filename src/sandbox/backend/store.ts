import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, writeFileAtomic } from '../../util/atomic-file.js';
import { SANDBOX_ACCOUNT_ID, SANDBOX_USER_NAME } from '../config.js';
import { SandboxClock } from './clock.js';
import { salvageState, type Salvaged } from './salvage.js';
import { isSandboxState, type IssuedCredentials, type RegionState, type SandboxState } from './types.js';

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
  /** state.json did not parse or had the wrong shape: moved aside, and what could be read from it. */
  corrupt?: { movedTo: string; reason: string; salvaged: { repositories: number; images: number; dropped: string[] } };
  /** There was no state.json: a first start, or a file deleted by hand. */
  missing?: boolean;
  /** Nothing held the access key and token secret any more, so new ones were made. */
  newCredentials?: boolean;
}

/**
 * The sandbox's identity, kept in a small file of its own (credentials.json) beside the state:
 * the access key the learner exported and the secret that signs their docker login. A lost or
 * corrupt state.json never changes them.
 */
interface IdentityFile {
  version: 1;
  credentials: IssuedCredentials;
  tokenSecret: string;
}

export const identityFile = (dir: string) => path.join(dir, 'credentials.json');

function isIdentityFile(value: unknown): value is IdentityFile {
  const v = value as Partial<IdentityFile> | null;
  return (
    !!v &&
    typeof v === 'object' &&
    v.version === 1 &&
    typeof v.tokenSecret === 'string' &&
    typeof v.credentials?.accessKeyId === 'string' &&
    typeof v.credentials.secretAccessKey === 'string' &&
    typeof v.credentials.userName === 'string'
  );
}

/** The parsed text of a file moved aside as corrupt, or undefined when it does not parse at all. */
async function parsedOrUndefined(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
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
  /** The identity as last written to credentials.json, to write it again only when it changes. */
  private identityWritten: string | undefined;

  private constructor(
    file: string,
    state: SandboxState,
    private readonly identityPath: string,
  ) {
    this.file = file;
    this.state = state;
  }

  /**
   * Loads `<dir>/state.json`, creating it when absent. The access key and token secret come from
   * credentials.json when it exists (else from the state, else new), so they survive a lost
   * state file. A corrupt state file is moved aside and every whole record in it is kept.
   */
  static async open(dir: string): Promise<{ store: SandboxStore; report: StoreLoadReport }> {
    const file = path.join(dir, 'state.json');
    const identityRead = await readJsonFile(identityFile(dir), isIdentityFile);
    const identity = identityRead.kind === 'ok' ? identityRead.value : undefined;
    const read = await readJsonFile(file, isSandboxState);
    const report: StoreLoadReport = {};
    let state: SandboxState;
    if (read.kind === 'ok') state = read.value;
    else {
      const fresh = freshState();
      let salvaged: Salvaged | undefined;
      if (read.kind === 'corrupt') {
        salvaged = salvageState(await parsedOrUndefined(read.movedTo));
        report.corrupt = {
          movedTo: read.movedTo,
          reason: read.reason,
          salvaged: { repositories: salvaged.repositories, images: salvaged.images, dropped: salvaged.dropped },
        };
      } else report.missing = true;
      state = {
        ...fresh,
        accountId: salvaged?.accountId ?? fresh.accountId,
        credentials: salvaged?.credentials ?? fresh.credentials,
        tokenSecret: salvaged?.tokenSecret ?? fresh.tokenSecret,
        regions: salvaged?.regions ?? {},
        ...(salvaged && Object.keys(salvaged.accountRegions).length > 0 ? { accountRegions: salvaged.accountRegions } : {}),
        ...(salvaged?.iam ? { iam: salvaged.iam } : {}),
        ...(salvaged?.clockOffsetSeconds !== undefined ? { clockOffsetSeconds: salvaged.clockOffsetSeconds } : {}),
      };
      if (!identity && (!salvaged?.credentials || !salvaged.tokenSecret)) report.newCredentials = true;
    }
    // The identity file is the one place they are kept for good: it wins.
    if (identity) {
      state.credentials = identity.credentials;
      state.tokenSecret = identity.tokenSecret;
    }
    const store = new SandboxStore(file, state, identityFile(dir));
    if (identity) store.identityWritten = store.identityText();
    if (read.kind !== 'ok' || !identity) await store.save();
    return { store, report };
  }

  private identityText(): string {
    const identity: IdentityFile = { version: 1, credentials: this.state.credentials, tokenSecret: this.state.tokenSecret };
    return JSON.stringify(identity, null, 2);
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

  /** Persists the current state (and the identity, when it changed); resolves once it is durable. */
  save(): Promise<void> {
    const next = this.pending.then(async () => {
      const identity = this.identityText();
      if (identity !== this.identityWritten) {
        await writeFileAtomic(this.identityPath, identity);
        this.identityWritten = identity;
      }
      await writeFileAtomic(this.file, JSON.stringify(this.state));
    });
    // A failed write must not wedge later saves; the caller of this save still sees the error.
    this.pending = next.catch(() => undefined);
    return next;
  }
}
