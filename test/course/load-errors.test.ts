import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CourseError, loadCourse, parseLesson, readCourse } from '../../src/course/load.js';
import { CHECK_PARAMS } from '../../src/course/schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const badDir = path.join(here, '..', 'fixtures', 'lessons-bad');
const KNOWN = 'known: region, account, registry, repo, repositoryUri, profile, tag, image, assets, learner, ciUser, partnerAccount, family';
const SANDBOX_ONLY =
  "{{accessKeyId}} has a value only on the sandbox target: use it inside a <!-- sandbox --> block or a solution's sandbox: list";

describe('a deliberately broken lessons folder', () => {
  it('reports every problem with its file and path', async () => {
    const { course, problems } = await readCourse(badDir);
    expect(course).toBeUndefined();
    expect(problems).toEqual([
      'lessons-bad/notes.md: lesson files are named NN-slug.md (two digits, a dash, a kebab-case slug); rename it or move it out of lessons/',
      'lessons-bad/02-broken.md: title: is required',
      'lessons-bad/02-broken.md: minutes: must be a whole number',
      'lessons-bad/02-broken.md: objectives: must have at least 1',
      'lessons-bad/02-broken.md: steps[0].id: must be kebab-case (lowercase letters and digits joined by dashes)',
      'lessons-bad/02-broken.md: steps[0].hints: must have at least 2',
      `lessons-bad/02-broken.md: steps[0].check: unknown check 'no-such-check' (known: ${Object.keys(CHECK_PARAMS).join(', ')})`,
      'lessons-bad/02-broken.md: steps[1]: unknown key: hint',
      'lessons-bad/02-broken.md: steps[1].solution: must have at least 1',
      "lessons-bad/02-broken.md: id: must equal the file name's slug 'broken' (it is 'brokn')",
      'lessons-bad/02-broken.md: body: line 26: <!-- aws --> is never closed with <!-- /aws -->',
      `lessons-bad/02-broken.md: body: line 24: unknown placeholder {{regoin}} (${KNOWN})`,
      `lessons-bad/02-broken.md: steps[0].solution[0]: unknown placeholder {{regoin}} (${KNOWN})`,
      'lessons-bad/03-duplicate.md: steps[0].params.scanOnPush: must be true or false',
      'lessons-bad/03-duplicate.md: steps[0].params.imageTagMutability: must be one of: MUTABLE, IMMUTABLE',
      "lessons-bad/03-duplicate.md: steps[0].id: step id 'shared-step' is also used in lessons-bad/01-good-one.md steps[0]",
      'lessons-bad/04-sandbox-leak.md: quiz[0].answer: must be an index into choices (0 to 1)',
      'lessons-bad/04-sandbox-leak.md: body: line 31: <!-- /aws --> closes a block that is not open',
      `lessons-bad/04-sandbox-leak.md: body: line 26: ${SANDBOX_ONLY}`,
      `lessons-bad/04-sandbox-leak.md: steps[0].solution.aws[0]: ${SANDBOX_ONLY}`,
      'lessons-bad/04-sandbox-leak.md: quiz[0].question: quiz text is shown as written: {{region}} would not be replaced',
      'lessons-bad/05-no-front-matter.md: must start with YAML front matter between two --- lines',
      'lessons-bad/06-bad-yaml.md: line 3: front matter is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('makes loadCourse throw a CourseError that lists the problems', async () => {
    const error = await loadCourse(badDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CourseError);
    expect((error as CourseError).problems).toHaveLength(23);
    expect((error as CourseError).message).toMatch(/^the course has 23 problems:\n {2}lessons-bad\/notes\.md: /);
  });
});

/** A lesson file's text with one step, overridable piece by piece. */
function lesson(overrides: { front?: string; step?: string; body?: string } = {}): string {
  const step =
    overrides.step ??
    ['  - id: a-step', '    title: A step', '    check: caller-identity', '    hints: [one, two]', '    solution: [aws sts get-caller-identity]'].join('\n');
  const front = overrides.front ?? ['id: sample', 'title: Sample', 'minutes: 3', 'objectives: [Learn]'].join('\n');
  return `---\n${front}\nsteps:\n${step}\n---\n${overrides.body ?? '\nText.\n'}`;
}

describe('parseLesson', () => {
  it('accepts a minimal lesson', () => {
    const parsed = parseLesson(lesson(), 'sample');
    expect(parsed.problems).toEqual([]);
    expect(parsed.lesson?.steps[0]?.solution).toEqual(['aws sts get-caller-identity']);
    expect(parsed.lesson?.body).toBe('\nText.\n');
  });

  it('says a step needs at least two hints, in the words the brief promises', () => {
    const step = ['  - id: a-step', '    title: A step', '    check: caller-identity', '    hints: [one]', '    solution: [x]'].join('\n');
    expect(parseLesson(lesson({ step }), 'sample').problems).toEqual(['steps[0].hints: must have at least 2']);
  });

  it('checks params against the named check', () => {
    const step = [
      '  - id: a-step',
      '    title: A step',
      '    check: image-built',
      '    params: { image: "{{image}}", extra: 1 }',
      '    hints: [one, two]',
      '    solution: [x]',
    ].join('\n');
    expect(parseLesson(lesson({ step }), 'sample').problems).toEqual(['steps[0].params: unknown key: extra']);
  });

  it('requires the params a check needs', () => {
    const step = ['  - id: a-step', '    title: A step', '    check: repository-configured', '    hints: [one, two]', '    solution: [x]'].join('\n');
    expect(parseLesson(lesson({ step }), 'sample').problems).toEqual([
      'steps[0].params.scanOnPush: is required',
      'steps[0].params.imageTagMutability: is required',
    ]);
  });

  it('wants a quiz next to a knowledge check, and a reachable minCorrect', () => {
    const step = ['  - id: a-step', '    title: A step', '    check: knowledge-check', '    params: { minCorrect: 2 }', '    hints: [one, two]', '    solution: []'].join('\n');
    expect(parseLesson(lesson({ step }), 'sample').problems).toEqual(['steps[0].check: knowledge-check needs a quiz in the same lesson']);
    const quiz = ['quiz:', '  - question: Q?', '    choices: [a, b]', '    answer: 0', '    explanation: E.'].join('\n');
    const front = ['id: sample', 'title: Sample', 'minutes: 3', 'objectives: [Learn]', quiz].join('\n');
    expect(parseLesson(lesson({ front, step }), 'sample').problems).toEqual([
      'steps[0].params.minCorrect: must be at most 1 (the number of questions)',
    ]);
  });

  it('accepts a per-target solution and reports a half-written one precisely', () => {
    const good = ['  - id: a-step', '    title: A step', '    check: caller-identity', '    hints: [one, two]', '    solution: { sandbox: [a], aws: [b] }'].join('\n');
    expect(parseLesson(lesson({ step: good }), 'sample').problems).toEqual([]);
    const half = ['  - id: a-step', '    title: A step', '    check: caller-identity', '    hints: [one, two]', '    solution: { sandbox: [a] }'].join('\n');
    expect(parseLesson(lesson({ step: half }), 'sample').problems).toEqual(['steps[0].solution.aws: is required']);
    const missing = ['  - id: a-step', '    title: A step', '    check: caller-identity', '    hints: [one, two]'].join('\n');
    expect(parseLesson(lesson({ step: missing }), 'sample').problems).toEqual(['steps[0].solution: is required']);
    const wrong = ['  - id: a-step', '    title: A step', '    check: caller-identity', '    hints: [one, two]', '    solution: run it'].join('\n');
    expect(parseLesson(lesson({ step: wrong }), 'sample').problems).toEqual([
      'steps[0].solution: must be a list of commands, or {sandbox: [...], aws: [...]}',
    ]);
  });

  it('rejects an empty body and duplicate YAML keys', () => {
    expect(parseLesson(lesson({ body: '\n  \n' }), 'sample').problems).toEqual(['the lesson has no text after its front matter']);
    const front = ['id: sample', 'title: Sample', 'title: Again', 'minutes: 3', 'objectives: [Learn]'].join('\n');
    const problems = parseLesson(lesson({ front }), 'sample').problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line 4: front matter is not valid YAML: Map keys must be unique/);
  });

  it('leaves Go templates in docker commands alone', () => {
    const body = "\n```sh\ndocker image inspect --format '{{index .RepoDigests 0}}' {{image}}\ndocker ps --format '{{.ID}}'\n```\n";
    expect(parseLesson(lesson({ body }), 'sample').problems).toEqual([]);
  });
});
