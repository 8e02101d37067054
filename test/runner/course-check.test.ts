import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workbookOnPath } from '../../src/runner/course-check.js';
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
