import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as messages from './messages.js';

/**
 * The `lessons` folder shipped with this package: found by walking up from this module to the
 * package root, so it works from `src/course/` (vitest, tsx) and from `dist/src/course/`.
 */
export function lessonsDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'lessons'))) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ecr-workbook') return path.join(dir, 'lessons');
      } catch {
        /* not our package.json; keep looking */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(messages.lessonsFolderNotFound(from));
    dir = parent;
  }
}

