import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksDir, listCheckIds } from '../../src/check/registry.js';
import { lintCourse } from '../../src/runner/course-check.js';
import { BIN, learnerHome, tempDir } from '../helpers/sandbox.js';

// `ecr-workbook course check`, the linter half: every check a lesson names exists, and every
// check that exists is used by a lesson.

/** A checks folder with the real checks' names, minus `without` and plus `extra`. */
function checksFolder(options: { without?: string; extra?: string } = {}): string {
  const dir = tempDir('ecrwb-checks-');
  for (const id of listCheckIds()) if (id !== options.without) fs.writeFileSync(path.join(dir, `${id}.ts`), '');
  if (options.extra) fs.writeFileSync(path.join(dir, `${options.extra}.ts`), '');
  return dir;
}

describe('course check --static', () => {
  it('finds the shipped course sound, from the command line', () => {
    const home = tempDir('ecrwb-lint-');
    const r = spawnSync(process.execPath, [BIN, 'course', 'check', '--static', '--json'], { env: { ...process.env, ...learnerHome(home) }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, problems: [] });
  });

  it('reports a check no lesson uses', async () => {
    expect(listCheckIds(checksDir()).length).toBeGreaterThan(5);
    const { problems } = await lintCourse(undefined, checksFolder({ extra: 'image-scanned' }));
    expect(problems).toEqual(['checks/image-scanned.ts is not used by any lesson step']);
  });

  it('reports a lesson step whose check has no module', async () => {
    const { problems } = await lintCourse(undefined, checksFolder({ without: 'image-pushed' }));
    // Every step that names it: lesson 07's push, lesson 10's push of the image back, and lesson 14's push of the runnable image.
    expect(problems).toEqual([
      "lessons: step 'push-image' names check 'image-pushed', but there is no checks/image-pushed.ts",
      "lessons: step 'bring-back-image' names check 'image-pushed', but there is no checks/image-pushed.ts",
      "lessons: step 'push-runnable-image' names check 'image-pushed', but there is no checks/image-pushed.ts",
    ]);
  });

  it('is clean for the real folders', async () => {
    expect((await lintCourse()).problems).toEqual([]);
  });
});
