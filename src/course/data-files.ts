/**
 * The files of a data folder beside the lessons (`questions/`, `drills/`): one per id, named
 * `<kebab-id><ext>`. Any other file (a README aside) is a problem for the author, and so is a
 * folder that is missing or has none.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { KEBAB_CASE } from './schema.js';

export interface DataFiles {
  /** File names, sorted. */
  files: string[];
  /** `file: message`, or the folder's own problem. */
  problems: string[];
  /** The folder could not be read at all. */
  missing?: boolean;
}

/**
 * Lists `root`'s data files. `display` names a path for a problem; `badName` says how files are
 * named, `none` that the folder has none.
 */
export async function dataFiles(root: string, ext: string, words: { display: (file: string) => string; badName: string; none: (dir: string) => string }): Promise<DataFiles> {
  let names: string[];
  try {
    names = (await fsp.readdir(root, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return { files: [], problems: [words.none(words.display(root))], missing: true };
  }
  const problems: string[] = [];
  const files = names
    .filter((name) => {
      if (name.endsWith(ext) && KEBAB_CASE.test(name.slice(0, -ext.length))) return true;
      if (name.toLowerCase() !== 'readme.md') problems.push(`${words.display(path.join(root, name))}: ${words.badName}`);
      return false;
    })
    .sort();
  if (!files.length) problems.push(words.none(words.display(root)));
  return { files, problems };
}
