/**
 * Reads `lessons/drills/<id>.md`, validates the front matter and the placeholders, and splits
 * the body into the story and the post-mortem; every problem is reported at once with its file
 * and path, as the lesson loader does. Cross-checks against the bank and the scenarios are
 * lintDrills'.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { readFrontMatter } from '../course/load.js';
import { dataFiles } from '../course/data-files.js';
import { courseErrorMap, formatPath, issueLines } from '../course/schema.js';
import { idDoesNotMatchFile } from '../course/messages.js';
import * as messages from './messages.js';
import { DrillFrontMatterSchema } from './schema.js';
import type { Drill, Drills } from './types.js';
import { DRILL_PLACEHOLDERS, drillPlaceholdersIn } from './vars.js';

export type { Drill, Drills };

/** The drills have problems; `problems` holds one `file: path: message` line each. */
export class DrillsError extends Error {
  constructor(readonly problems: string[]) {
    super([messages.drillsInvalid(problems.length), ...problems.map((p) => `  ${p}`)].join('\n'));
    this.name = 'DrillsError';
  }
}

/** `lessons/drills` beside the lessons. */
export function drillsDir(lessons: string): string {
  return path.join(lessons, 'drills');
}

const POST_MORTEM = /^##[ \t]+Post-mortem[ \t]*$/m;

/** Loads and validates the drills; throws DrillsError listing every problem. */
export async function loadDrills(dir: string): Promise<Drills> {
  const { drills, problems } = await readDrills(dir);
  if (problems.length || !drills) throw new DrillsError(problems);
  return drills;
}

/** Loads the drills without throwing: the drills when they are valid, and every problem found. */
export async function readDrills(dir: string): Promise<{ drills?: Drills; problems: string[] }> {
  const root = path.resolve(dir);
  const display = (file: string) => path.relative(path.dirname(path.dirname(root)), file).split(path.sep).join('/');
  const listed = await dataFiles(root, '.md', { display, badName: messages.badDrillFileName, none: messages.noDrills });
  if (listed.missing) return { problems: listed.problems };
  const { files, problems } = listed;
  const drills: Drill[] = [];
  for (const name of files) {
    const file = path.join(root, name);
    const parsed = parseDrill(await fsp.readFile(file, 'utf8'), name.slice(0, -3));
    problems.push(...parsed.problems.map((p) => `${display(file)}: ${p}`));
    if (parsed.drill) drills.push({ ...parsed.drill, file });
  }
  if (problems.length) return { problems };
  return { drills: { dir: root, drills }, problems };
}

/** Parses one drill file's text; `slug` is the file name the id must equal. */
export function parseDrill(source: string, slug: string): { drill?: Omit<Drill, 'file'>; problems: string[] } {
  const front = readFrontMatter(source);
  if ('problems' in front) return { problems: front.problems };
  const { data, body } = front;
  const problems: string[] = [];
  const result = DrillFrontMatterSchema.safeParse(data, { error: courseErrorMap });
  if (!result.success) problems.push(...issueLines(result.error.issues));
  const id = (data as { id?: unknown }).id;
  if (typeof id === 'string' && id !== slug) problems.push(`id: ${idDoesNotMatchFile(id, slug)}`);

  const split = POST_MORTEM.exec(body);
  const story = split ? body.slice(0, split.index).trim() : body.trim();
  const postMortem = split ? body.slice(split.index + split[0].length).trim() : '';
  if (!split) problems.push(messages.noPostMortem);
  else {
    if (!story) problems.push(messages.emptyStory);
    if (!postMortem) problems.push(messages.emptyPostMortem);
  }

  const vars = Array.isArray((data as { vars?: unknown }).vars) ? ((data as { vars: unknown[] }).vars.filter((v) => typeof v === 'string') as string[]) : [];
  const known = [...DRILL_PLACEHOLDERS, ...vars];
  const placeholderProblems = (text: string, where: string) =>
    drillPlaceholdersIn(text)
      .filter((name) => !known.includes(name))
      .map((name) => `${where}: ${messages.unknownDrillPlaceholder(name, known)}`);
  const walk = (value: unknown, at: PropertyKey[]): string[] => {
    if (typeof value === 'string') return placeholderProblems(value, formatPath(at));
    if (Array.isArray(value)) return value.flatMap((v, i) => walk(v, [...at, i]));
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => walk(v, [...at, k]));
    return [];
  };
  problems.push(...walk(data, []), ...placeholderProblems(body, 'body'));
  if (problems.length || !result.success) return { problems };
  return { drill: { ...result.data, story, postMortem }, problems };
}
