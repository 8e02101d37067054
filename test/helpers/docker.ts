import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { execa } from 'execa';
import { retryBuildRace } from '../../src/docker/cli.js';

export { retryBuildRace };
import { scratchBuildContext, tempDir } from './sandbox.js';

/**
 * The real docker CLI for tests: runs that never throw (exit code and merged output), shell
 * pipelines as a learner types them, and small FROM-scratch images whose local names are
 * collected so a test file can remove them when it ends (`removeBuiltImages`).
 */

export interface Run {
  exitCode: number;
  all: string;
}

export async function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  const result = await execa(file, args, { env, extendEnv: false, reject: false, all: true, input, timeout: 180_000 });
  return { exitCode: result.exitCode ?? -1, all: result.all ?? '' };
}

/** Runs a shell pipeline exactly as a learner types it, failing on any stage. */
export function sh(script: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return run('bash', ['-c', `set -euo pipefail\n${script}`], env);
}

/** The output of a run that must succeed. */
export async function ok(result: Promise<Run>): Promise<string> {
  const r = await result;
  if (r.exitCode !== 0) throw new Error(`command failed (${r.exitCode}):\n${r.all}`);
  return r.all;
}

export function docker(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return run('docker', args, env);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
}

/**
 * Every local reference `client` has to a repository (`name<TAB>tag<TAB>digest`), tags and digest
 * references alike: the repository by its full name, or any whose name passes `match`.
 */
export function localReferences(match: string | ((repository: string) => boolean), client: 'docker' | 'podman' = 'docker'): string[] {
  const listed = spawnSync(client, ['images', '--digests', '--format', '{{.Repository}}\t{{.Tag}}\t{{.Digest}}'], { encoding: 'utf8' });
  const matches = typeof match === 'string' ? (name: string) => name === match : match;
  return listed.stdout.split('\n').filter((line) => line && matches(line.split('\t')[0]!));
}

/** Whether podman is installed here (CI requires it). */
export const hasPodman = spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;

/** Podman's nameless images that once were `repository`'s (its names history says so). */
export function podmanLeftovers(repository: string | ((name: string) => boolean)): string[] {
  const listed = spawnSync('podman', ['images', '--filter', 'dangling=true', '--format', '{{.ID}}\t{{.History}}'], { encoding: 'utf8' });
  const was = typeof repository === 'string' ? (name: string) => name.startsWith(`${repository}:`) : repository;
  return (listed.stdout ?? '').split('\n').filter((line) => line && (line.split('\t')[1] ?? '').split(/[\s,]+/).some(was));
}

const builtImages = new Set<string>();

/** Builds a FROM-scratch image with unique content (so no layer was ever pushed before) and tags it `target`. */
export async function buildImage(target: string, env: NodeJS.ProcessEnv): Promise<void> {
  const context = scratchBuildContext(path.join(tempDir('ecrwb-build-'), 'ctx'), `ecr-workbook test ${crypto.randomUUID()}\n`);
  const local = `ecrwb-test/${uniqueName('img')}:latest`;
  builtImages.add(local);
  const id = (await retryBuildRace(() => ok(docker(['build', '-q', '-t', local, context], env)))).trim().split('\n').pop()!;
  // By id too: an image whose tag later moves to a newer build keeps no name to remove it by.
  builtImages.add(id);
  builtImages.add(target);
  await ok(docker(['tag', local, target], env));
}

/** Names an image this test file made some other way, for removeBuiltImages. */
export function trackImage(name: string): void {
  builtImages.add(name);
}

/** Removes every image buildImage made (call in afterAll). */
export async function removeBuiltImages(): Promise<void> {
  if (builtImages.size > 0) await execa('docker', ['rmi', '-f', ...builtImages], { reject: false });
  builtImages.clear();
}
