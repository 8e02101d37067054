/**
 * Reads `lessons/NN-slug.md` in order, validates the front matter and the templates, and
 * reports every problem at once with its file and path, so one lint run fixes a lesson.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import * as messages from './messages.js';
import { isKnownPlaceholder, placeholdersIn, splitTargetBlocks } from './render.js';
import { courseErrorMap, formatPath, issueLines, LessonFrontMatterSchema, type LessonFrontMatter, type Step } from './schema.js';
import { PLACEHOLDERS, SANDBOX_PLACEHOLDERS } from './vars.js';

export interface Lesson extends LessonFrontMatter {
  /** From the file name: `3` for `03-create-repository.md`. */
  number: number;
  /** Absolute path of the lesson file. */
  file: string;
  /** Markdown after the front matter, still templated. */
  body: string;
}

export interface CourseStep extends Step {
  lessonId: string;
  /** Position in the whole course, from 0. */
  index: number;
}

export interface Course {
  dir: string;
  /** Absolute path of `lessons/assets` (the `{{assets}}` placeholder). */
  assetsDir: string;
  lessons: Lesson[];
  /** Every step of every lesson, in course order. */
  steps: CourseStep[];
}

/** The course has problems; `problems` holds one `file: path: message` line each. */
export class CourseError extends Error {
  constructor(readonly problems: string[]) {
    super([messages.courseInvalid(problems.length), ...problems.map((p) => `  ${p}`)].join('\n'));
    this.name = 'CourseError';
  }
}

const LESSON_FILE = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;
const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

export { lessonsDir } from './lessons-dir.js';
import { lessonsDir } from './lessons-dir.js';

/** Loads and validates the course; throws CourseError listing every problem. */
export async function loadCourse(dir: string = lessonsDir()): Promise<Course> {
  const { course, problems } = await readCourse(dir);
  if (problems.length || !course) throw new CourseError(problems);
  return course;
}

/** Loads the course without throwing: the course when it is valid, and every problem found. */
export async function readCourse(dir: string = lessonsDir()): Promise<{ course?: Course; problems: string[] }> {
  const root = path.resolve(dir);
  const display = (file: string) => path.relative(path.dirname(root), file).split(path.sep).join('/');
  const problems: string[] = [];
  const entries = (await fsp.readdir(root, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.md'));
  const files = entries
    .map((e) => e.name)
    .filter((name) => {
      if (LESSON_FILE.test(name)) return true;
      if (name.toLowerCase() !== 'readme.md') problems.push(`${display(path.join(root, name))}: ${messages.badLessonFileName}`);
      return false;
    })
    .sort();
  if (!files.length) problems.push(messages.noLessons(display(root) || root));

  const lessons: Lesson[] = [];
  const numbers = new Map<string, string>();
  const lessonIds = new Map<string, string>();
  const stepIds = new Map<string, string>();
  for (const name of files) {
    const file = path.join(root, name);
    const where = display(file);
    const [, number = '', slug = ''] = LESSON_FILE.exec(name) ?? [];
    const other = numbers.get(number);
    if (other) problems.push(`${where}: ${messages.duplicateLessonNumber(number, other)}`);
    numbers.set(number, where);
    const parsed = parseLesson(await fsp.readFile(file, 'utf8'), slug);
    problems.push(...parsed.problems.map((p) => `${where}: ${p}`));
    if (parsed.lesson) lessons.push({ ...parsed.lesson, number: Number(number), file });
    // Ids are progress keys and CLI arguments, so they must be unique across the whole course.
    // Checked on the raw ids, so a collision shows up even in a lesson with other problems.
    if (parsed.ids.lessonId !== undefined) {
      const seen = lessonIds.get(parsed.ids.lessonId);
      if (seen) problems.push(`${where}: id: ${messages.duplicateLessonId(parsed.ids.lessonId, seen)}`);
      else lessonIds.set(parsed.ids.lessonId, where);
    }
    parsed.ids.stepIds.forEach((id, i) => {
      if (id === undefined) return;
      const other = stepIds.get(id);
      if (other) problems.push(`${where}: steps[${i}].id: ${messages.duplicateStepId(id, other)}`);
      else stepIds.set(id, `${where} steps[${i}]`);
    });
  }

  if (problems.length) return { problems };
  const steps = lessons.flatMap((lesson) => lesson.steps.map((step) => ({ ...step, lessonId: lesson.id })));
  return {
    course: { dir: root, assetsDir: path.join(root, 'assets'), lessons, steps: steps.map((s, index) => ({ ...s, index })) },
    problems,
  };
}

export interface ParsedLesson {
  /** Set when the lesson is valid. */
  lesson?: Omit<Lesson, 'number' | 'file'>;
  /** `path: message` each, without the file name. */
  problems: string[];
  /** The ids as written, valid or not, for course-wide uniqueness checks. */
  ids: { lessonId?: string; stepIds: (string | undefined)[] };
}

/** A markdown file's YAML front matter (lessons, drills): its data and the body after it, or why it cannot be read. */
export type FrontMatter = { data: Record<string, unknown>; body: string; bodyFirstLine: number } | { problems: string[] };

/** Reads the front matter between two `---` lines; YAML errors carry the file's line numbers. */
export function readFrontMatter(source: string): FrontMatter {
  const match = FRONT_MATTER.exec(source);
  if (!match) return { problems: [messages.noFrontMatter] };
  const doc = parseDocument(match[1] ?? '', { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    // The front matter starts on the file's line 2, after the opening `---`.
    const problems = doc.errors.map((e) => {
      const text = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
      return e.linePos ? `line ${e.linePos[0].line + 1}: ${messages.yamlError(text)}` : messages.yamlError(text);
    });
    return { problems };
  }
  const data: unknown = doc.toJS();
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { problems: [messages.frontMatterNotMapping] };
  return { data: data as Record<string, unknown>, body: source.slice(match[0].length), bodyFirstLine: match[0].split('\n').length };
}

/** Parses one lesson file's text; `slug` is the file name's slug the id must match. */
export function parseLesson(source: string, slug: string): ParsedLesson {
  const ids: ParsedLesson['ids'] = { stepIds: [] };
  const front = readFrontMatter(source);
  if ('problems' in front) return { problems: front.problems, ids };
  const { data, body, bodyFirstLine } = front;
  const raw = data as { id?: unknown; steps?: unknown };
  if (typeof raw.id === 'string') ids.lessonId = raw.id;
  if (Array.isArray(raw.steps)) {
    ids.stepIds = raw.steps.map((s: unknown) => (s && typeof (s as { id?: unknown }).id === 'string' ? (s as { id: string }).id : undefined));
  }

  const problems: string[] = [];
  const result = LessonFrontMatterSchema.safeParse(data, { error: courseErrorMap });
  if (!result.success) problems.push(...issueLines(result.error.issues));
  if (ids.lessonId !== undefined && ids.lessonId !== slug) problems.push(`id: ${messages.idDoesNotMatchFile(ids.lessonId, slug)}`);

  if (!body.trim()) problems.push(messages.emptyBody);
  problems.push(...bodyProblems(body, bodyFirstLine));
  problems.push(...frontMatterPlaceholderProblems(data));
  if (problems.length || !result.success) return { problems, ids };
  return { lesson: { ...result.data, body }, problems, ids };
}

const SANDBOX_ONLY = new Set<string>(SANDBOX_PLACEHOLDERS);

function placeholderProblem(name: string, sandboxAllowed: boolean): string | undefined {
  if (!isKnownPlaceholder(name)) return messages.unknownPlaceholder(name, PLACEHOLDERS);
  if (SANDBOX_ONLY.has(name) && !sandboxAllowed) return messages.sandboxOnlyPlaceholder(name);
  return undefined;
}

/** Problems in the markdown body, with line numbers of the file (the body starts at `firstLine`). */
function bodyProblems(body: string, firstLine: number): string[] {
  const { segments, problems } = splitTargetBlocks(body, firstLine);
  const out = problems.map((p) => `body: ${p}`);
  for (const segment of segments) {
    segment.text.split('\n').forEach((line, i) => {
      for (const name of placeholdersIn(line)) {
        const problem = placeholderProblem(name, segment.target === 'sandbox');
        if (problem) out.push(`body: line ${segment.line + i}: ${problem}`);
      }
    });
  }
  return out;
}

/** Walks every string in the front matter; only `solution.sandbox` may use sandbox-only values. */
function frontMatterPlaceholderProblems(data: object): string[] {
  const out: string[] = [];
  const walk = (value: unknown, at: PropertyKey[]) => {
    if (typeof value === 'string') {
      for (const name of placeholdersIn(value)) {
        const problem =
          at[0] === 'quiz' ? messages.quizNotTemplated(name) : placeholderProblem(name, at[2] === 'solution' && at[3] === 'sandbox');
        if (problem) out.push(`${formatPath(at)}: ${problem}`);
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...at, i]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
    }
  };
  walk(data, []);
  return out;
}

/** The step with this id, or undefined. */
export function findStep(course: Course, stepId: string): CourseStep | undefined {
  return course.steps.find((s) => s.id === stepId);
}

/** The lesson with this id, or undefined. */
export function findLesson(course: Course, lessonId: string): Lesson | undefined {
  return course.lessons.find((l) => l.id === lessonId);
}
