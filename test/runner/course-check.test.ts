import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { runReplayCommand, workbookOnPath } from '../../src/runner/course-check.js';
import { tempDir } from '../helpers/sandbox.js';

// Lesson solutions may run `ecr-workbook …`: the replay puts a command of that name on their PATH.
// It must find the package's bin from the sources (vitest) and from the build (`course check`).

describe('the ecr-workbook command a replay puts on PATH', () => {
  it.each([
    ['the sources', () => workbookOnPath],
    ['the build', async () => ((await import(path.resolve(import.meta.dirname, '../../dist/src/runner/course-check.js'))) as { workbookOnPath: typeof workbookOnPath }).workbookOnPath],
  ])('runs the workbook from %s', async (_from, load) => {
    const dir = (await load())(tempDir('ecrwb-shim-'));
    const version = execFileSync(path.join(dir, 'ecr-workbook'), ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

// docker's legacy builder fails a FROM-scratch build when another process on the same daemon
// deletes an image during its cache lookup; a replay runs such a line again, and says so.
describe('a replayed command line that lost docker build-cache race', () => {
  const lost = `unable to find image "sha256:${'5'.repeat(64)}"`;
  // Counts its runs in a file; prints docker's race message on the first `races` runs.
  const flaky = (races: number, code = 0) => `n=$(( $(cat runs 2>/dev/null || echo 0) + 1 )); echo $n > runs; if [ $n -le ${races} ]; then echo 'Step 2/2 : COPY index.html /'; echo '${lost}'; exit 1; fi; echo built; exit ${code}`;
  const runs = (dir: string) => Number(fs.readFileSync(path.join(dir, 'runs'), 'utf8'));

  it('runs again, and the output shows the first attempt and the retry', async () => {
    const dir = tempDir('ecrwb-race-');
    const r = await runReplayCommand(flaky(1), process.env, dir);
    expect(r.code).toBe(0);
    expect(runs(dir)).toBe(2);
    expect(r.output).toContain(lost);
    expect(r.output).toMatch(/\[replay: a build lost docker's cache race to another process \(unable to find image "sha256:5{64}"\); ran it again, retry 1\]\nbuilt\n$/);
  });

  it('gives up after two retries with the last exit code', async () => {
    const dir = tempDir('ecrwb-race-');
    const r = await runReplayCommand(flaky(5), process.env, dir);
    expect(r.code).toBe(1);
    expect(runs(dir)).toBe(3);
  });

  it('never runs again a line that failed for any other reason', async () => {
    const dir = tempDir('ecrwb-race-');
    const r = await runReplayCommand(flaky(0, 3), process.env, dir);
    expect(r).toEqual({ code: 3, output: 'built\n' });
    expect(runs(dir)).toBe(1);
  });
});
