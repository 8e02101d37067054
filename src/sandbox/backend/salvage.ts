import type { ImageRecord, RegionState, RepositoryRecord, SandboxState } from './types.js';

/**
 * What can still be read from a state file that failed the whole-file check: every repository
 * and image record that is whole on its own. Used when state.json is corrupt, so one bad record
 * (or a hand edit gone wrong) costs that record, not the learner's whole sandbox.
 */
export interface Salvaged {
  regions: Record<string, RegionState>;
  /** The other hosted accounts' registries, salvaged the same way. */
  accountRegions: Record<string, Record<string, RegionState>>;
  /** IAM as it was (the IAM backend reseeds what its start needs). */
  iam?: SandboxState['iam'];
  accountId?: string;
  credentials?: SandboxState['credentials'];
  tokenSecret?: string;
  clockOffsetSeconds?: number;
  /** Repositories and images kept. */
  repositories: number;
  images: number;
  /** What could not be read, for the report (`region/name`, or `region/name@digest`). */
  dropped: string[];
}

const MUTABILITIES = new Set(['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION']);
const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

function isImageRecord(value: unknown, digest: string): value is ImageRecord {
  return (
    isObject(value) &&
    value.digest === digest &&
    Array.isArray(value.tags) &&
    value.tags.every((t) => typeof t === 'string') &&
    typeof value.pushedAt === 'number' &&
    typeof value.sizeInBytes === 'number' &&
    typeof value.manifestMediaType === 'string' &&
    typeof value.manifest === 'string'
  );
}

function isRepositoryShell(value: unknown, name: string): value is RepositoryRecord {
  return (
    isObject(value) &&
    value.name === name &&
    typeof value.createdAt === 'number' &&
    typeof value.imageTagMutability === 'string' &&
    MUTABILITIES.has(value.imageTagMutability) &&
    typeof value.scanOnPush === 'boolean' &&
    isObject(value.encryption) &&
    Array.isArray(value.tags) &&
    isObject(value.images)
  );
}

/** Salvages the readable records of a parsed (but not valid) state file. */
export function salvageState(value: unknown): Salvaged {
  const result: Salvaged = { regions: {}, accountRegions: {}, repositories: 0, images: 0, dropped: [] };
  if (!isObject(value)) return result;
  if (typeof value.accountId === 'string') result.accountId = value.accountId;
  const credentials = value.credentials;
  if (isObject(credentials) && typeof credentials.accessKeyId === 'string' && typeof credentials.secretAccessKey === 'string') {
    result.credentials = {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      userName: typeof credentials.userName === 'string' ? credentials.userName : 'ecr-learner',
    };
  }
  if (typeof value.tokenSecret === 'string') result.tokenSecret = value.tokenSecret;
  if (typeof value.clockOffsetSeconds === 'number') result.clockOffsetSeconds = value.clockOffsetSeconds;
  result.regions = salvageRegions(value.regions, result, '');
  for (const [accountId, regions] of Object.entries(isObject(value.accountRegions) ? value.accountRegions : {})) {
    result.accountRegions[accountId] = salvageRegions(regions, result, `${accountId}:`);
  }
  const iam = value.iam;
  if (isObject(iam) && isObject(iam.accounts) && isObject(iam.sessions)) result.iam = iam as unknown as SandboxState['iam'];
  return result;
}

/** The whole repository and image records of one account's regions; the rest is counted as dropped. */
function salvageRegions(value: unknown, result: Salvaged, account: string): Record<string, RegionState> {
  const regions: Record<string, RegionState> = {};
  for (const [regionName, region] of Object.entries(isObject(value) ? value : {})) {
    const repositories = isObject(region) && isObject(region.repositories) ? region.repositories : {};
    for (const [name, repo] of Object.entries(repositories)) {
      if (!isRepositoryShell(repo, name)) {
        result.dropped.push(`${account}${regionName}/${name}`);
        continue;
      }
      const images: Record<string, ImageRecord> = {};
      for (const [digest, image] of Object.entries(repo.images)) {
        if (isImageRecord(image, digest)) images[digest] = image;
        else result.dropped.push(`${account}${regionName}/${name}@${digest}`);
      }
      (regions[regionName] ??= { repositories: {} }).repositories[name] = { ...repo, images };
      result.repositories++;
      result.images += Object.keys(images).length;
    }
  }
  return regions;
}
