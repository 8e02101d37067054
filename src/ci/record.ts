/**
 * What `ci run` remembers in the workbook's state folder: each project's last build number (as
 * CodeBuild numbers a project's builds), and the last build itself (phases, commands with the end
 * of their output, who it ran as), which lesson 15's check reads to tell what went wrong.
 */
import path from 'node:path';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';
import type { BuildResult } from './build.js';

export interface CiBuildRecord extends BuildResult {
  version: 1;
  /** `<project>:<uuid>`, as CODEBUILD_BUILD_ID. */
  buildId: string;
  buildNumber: number;
  project: string;
  startedAt: string;
  /** CODEBUILD_SRC_DIR and the buildspec's path. */
  sourceDir: string;
  buildspec: string;
  /** The commit built (CODEBUILD_RESOLVED_SOURCE_VERSION), when the source is a git repository. */
  sourceVersion?: string;
  region: string;
  /** The service role and the session the build ran as (its pushes are recorded under that ARN). */
  roleArn?: string;
  assumedRoleArn?: string;
}

const ciDir = (stateDir: string) => path.join(stateDir, 'ci');
const LAST_BUILD = 'last-build.json';
const NUMBERS = 'build-numbers.json';

type Numbers = Record<string, number>;
const isNumbers = (v: unknown): v is Numbers => !!v && typeof v === 'object' && !Array.isArray(v);
const isRecord = (v: unknown): v is CiBuildRecord => !!v && typeof v === 'object' && (v as CiBuildRecord).version === 1;

/** The project's next build number (1 for its first build), remembered. */
export async function nextBuildNumber(stateDir: string, project: string): Promise<number> {
  const file = path.join(ciDir(stateDir), NUMBERS);
  const read = await readJsonFile(file, isNumbers);
  const numbers = read.kind === 'ok' ? read.value : {};
  numbers[project] = (numbers[project] ?? 0) + 1;
  await writeFileAtomic(file, `${JSON.stringify(numbers, null, 2)}\n`);
  return numbers[project];
}

export async function saveLastBuild(stateDir: string, record: CiBuildRecord): Promise<void> {
  await writeFileAtomic(path.join(ciDir(stateDir), LAST_BUILD), `${JSON.stringify(record, null, 2)}\n`);
}

/** The last build `ci run` ran with this state folder, or undefined. */
export async function readLastBuild(stateDir: string): Promise<CiBuildRecord | undefined> {
  const read = await readJsonFile(path.join(ciDir(stateDir), LAST_BUILD), isRecord);
  return read.kind === 'ok' ? read.value : undefined;
}
