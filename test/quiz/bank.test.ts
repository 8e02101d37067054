import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lessonsDir, loadCourse, type Course } from '../../src/course/load.js';
import { lintCourse } from '../../src/runner/course-check.js';
import { bankDir, loadBank, readBank, type Bank } from '../../src/quiz/bank.js';
import { SEED_CONCEPTS } from '../../src/quiz/concepts.js';
import { gradeCommand } from '../../src/quiz/command-answer.js';
import { formatCoverage, lessonSections, lintBank } from '../../src/quiz/lint.js';
import { realErrorFor, REAL_ERRORS } from '../../src/quiz/real-errors.js';
import { QUESTION_KINDS } from '../../src/quiz/schema.js';
import { tempDir } from '../helpers/sandbox.js';

let course: Course;
let bank: Bank;
beforeAll(async () => {
  course = await loadCourse();
  bank = await loadBank(bankDir(lessonsDir()));
});

describe('the shipped question bank', () => {
  it('has at least 120 questions, every kind, and questions for every lesson 01-09', () => {
    expect(bank.questions.length).toBeGreaterThanOrEqual(120);
    for (const kind of QUESTION_KINDS) expect(bank.questions.filter((q) => q.kind === kind).length, kind).toBeGreaterThanOrEqual(5);
    const lessons = new Set(bank.questions.map((q) => q.source.lesson));
    for (const id of ['why-ecr', 'configure-cli', 'create-repository', 'authenticate-docker', 'build-image', 'tag-image', 'push-image', 'verify', 'clean-up']) {
      expect(lessons.has(id), id).toBe(true);
    }
  });

  it('passes the lint: sources found on both targets, no duplicate stems, real errors, command rules proven', () => {
    const { problems, coverage } = lintBank(bank, course);
    expect(problems).toEqual([]);
    expect(coverage.concepts.map((r) => r.id)).toEqual(SEED_CONCEPTS.map((c) => c.id));
    for (const row of coverage.concepts) expect(row.questions, row.id).toBeGreaterThan(0);
  });

  it('course check lints the bank too, and prints the coverage table with every concept', async () => {
    const { problems, coverage } = await lintCourse();
    expect(problems).toEqual([]);
    const table = formatCoverage(coverage!);
    for (const c of SEED_CONCEPTS) expect(table).toMatch(new RegExp(`^  ${c.id} +\\d+`, 'm'));
    expect(table).not.toContain('✖');
  });

  it('every command question: the reference answer passes and each counterexample fails', () => {
    for (const q of bank.questions) {
      if (q.kind !== 'command') continue;
      expect(gradeCommand(q.expect, q.answer).problems, q.id).toEqual([]);
      for (const c of q.counterexamples ?? []) expect(gradeCommand(q.expect, c).correct, `${q.id}: ${c}`).toBe(false);
    }
  });

  it('the real-error table matches its own messages and nothing made up', () => {
    for (const e of REAL_ERRORS) expect(realErrorFor(e.message.replace(/<[a-z-]+>/g, 'x1')), e.id).toBe(e.id);
    expect(realErrorFor('denied: Your token is old, sorry')).toBeUndefined();
    expect(realErrorFor('no basic auth credentials (maybe)')).toBeUndefined();
    expect(realErrorFor("name unknown: The repository with name 'a' does not exist in the registry with id '123456789012'")).toBe('name-unknown');
  });

  it('reads sections by heading, deeper headings included, the intro under the title, code fences ignored', () => {
    const sections = lessonSections({ title: 'T', body: 'intro\n## A\na\n```sh\n# not a heading\n```\n### A1\nsub\n## B\nb\n<!-- aws -->\naws only\n<!-- /aws -->\n' }, 'sandbox');
    expect([...sections.keys()]).toEqual(['T', 'A', 'A1', 'B']);
    expect(sections.get('A')).toContain('sub');
    expect(sections.get('A')).toContain('# not a heading');
    expect(sections.get('B')).not.toContain('aws only');
  });
});

/** A copy of the lessons folder to break on purpose. */
function lessonsCopy(): string {
  const dir = path.join(tempDir('ecrwb-bank-'), 'lessons');
  fs.cpSync(lessonsDir(), dir, { recursive: true });
  return dir;
}

function edit(dir: string, topic: string, change: (text: string) => string): void {
  const file = path.join(dir, 'questions', `${topic}.yaml`);
  const before = fs.readFileSync(file, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  fs.writeFileSync(file, after);
}

describe('a broken question fails the lint, saying where and why', () => {
  it('a duplicate id (across files)', async () => {
    const dir = lessonsCopy();
    edit(dir, 'iam', (t) => t.replace('id: power-user-policy', 'id: login-command'));
    const { problems } = await lintCourse(dir);
    expect(problems).toContainEqual(expect.stringMatching(/^lessons\/questions\/iam\.yaml: questions\[\d+\]\.id: question id 'login-command' is also used by lessons\/questions\/authentication\.yaml/));
  });

  it('a section the lesson does not have, and a phrase the section does not say', async () => {
    const dir = lessonsCopy();
    edit(dir, 'verify', (t) => t.replace('section: "Or look in the console"', 'section: "Look in the console"'));
    edit(dir, 'scanning', (t) => t.replace('phrase: "can be scanned once every 24 hours"', 'phrase: "can be scanned once every hour"'));
    const { problems } = await lintCourse(dir);
    expect(problems).toContainEqual(expect.stringMatching(/verify\.yaml: view-push-commands: source\.section: lesson 'verify' has no section 'Look in the console' \(its sections: .*'Or look in the console'/));
    expect(problems).toContainEqual(expect.stringMatching(/scanning\.yaml: scan-frequency: source\.phrase: 'can be scanned once every hour' is not in lesson 'create-repository', section 'Create it'/));
  });

  it('a phrase only one target shows, an unknown lesson, a made-up error, a duplicate stem', async () => {
    const dir = lessonsCopy();
    edit(dir, 'scanning', (t) => t.replace('phrase: "INFORMATIONAL"', 'phrase: "Check the region selector"').replace('section: "Create it"\n      phrase: "Check the region', 'section: "Or use the console"\n      phrase: "Check the region'));
    edit(dir, 'lifecycle', (t) => t.replace('lesson: clean-up\n      section: "What it costs"\n      phrase: "caps it', 'lesson: lifecycle-rules\n      section: "What it costs"\n      phrase: "caps it'));
    edit(dir, 'push-pull', (t) => t.replace('error: no basic auth credentials', 'error: no credentials at all'));
    edit(dir, 'iam', (t) => t.replace('question: Which AWS managed policy includes the actions a push needs?', 'question: "What does ECR stand for, and what does each word say about the service?"'));
    const { problems } = await lintCourse(dir);
    expect(problems).toContainEqual(expect.stringMatching(/finding-severities: source\.phrase: 'Check the region selector' is only in text that sandbox learners do not see/));
    expect(problems).toContainEqual(expect.stringMatching(/lifecycle-caps-cost: source\.lesson: there is no lesson 'lifecycle-rules'/));
    expect(problems).toContainEqual(expect.stringMatching(/push-pull\.yaml: no-basic-auth-error: error: this message is not one of the real ones/));
    expect(problems).toContainEqual(expect.stringMatching(/registry-basics\.yaml: ecr-stands-for: asks the same question as 'power-user-policy'/));
  });

  it('a command question whose reference answer fails, or whose counterexample passes', async () => {
    const dir = lessonsCopy();
    edit(dir, 'cost-cleanup', (t) => t.replace('answer: aws ecr delete-repository --repository-name demo-app --force --region eu-west-1', 'answer: aws ecr delete-repository --repository-name demo-app --region eu-west-1'));
    edit(dir, 'push-pull', (t) => t.replace('      - docker push demo-app:v1\n', '      - docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/demo-app:v1\n'));
    const { problems } = await lintCourse(dir);
    expect(problems).toContainEqual(expect.stringMatching(/force-delete-command: answer: the reference answer fails its own rules: `aws ecr delete-repository` needs `--force`/));
    expect(problems).toContainEqual(expect.stringMatching(/push-command: counterexamples\[0\]: this counterexample passes the rules/));
  });

  it('a seed concept left with no question (an empty coverage row)', async () => {
    const dir = lessonsCopy();
    for (const topic of fs.readdirSync(path.join(dir, 'questions')).map((f) => f.replace(/\.yaml$/, ''))) {
      const file = path.join(dir, 'questions', `${topic}.yaml`);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\bimage-scanning\b/g, 'private-repository'));
    }
    const { problems, coverage } = await lintCourse(dir);
    expect(problems).toContainEqual("seed concept 'image-scanning' (image scanning) has no question: add one to lessons/questions/");
    expect(coverage!.concepts.find((r) => r.id === 'image-scanning')!.questions).toBe(0);
    expect(formatCoverage(coverage!)).toMatch(/^✖ image-scanning +0/m);
  });

  it('schema mistakes name the file, the path and the rule', async () => {
    const dir = lessonsCopy();
    edit(dir, 'registry-basics', (t) => t.replace('    answer: 1\n', '    answer: 7\n').replace('kind: order', 'kind: sort'));
    edit(dir, 'iam', (t) => t.replace('concepts: [iam-access]', 'concepts: [iam]'));
    fs.writeFileSync(path.join(dir, 'questions', 'Bad Name.yaml'), 'title: x\n');
    const { problems } = await readBank(path.join(dir, 'questions'));
    expect(problems).toContainEqual(expect.stringMatching(/^lessons\/questions\/registry-basics\.yaml: questions\[\d+\]\.answer: must be an index into choices \(0 to 3\)$/));
    expect(problems).toContainEqual(expect.stringMatching(/^lessons\/questions\/registry-basics\.yaml: questions\[\d+\]\.kind: must be one of: single, multiple, error, order, command$/));
    expect(problems).toContainEqual(expect.stringMatching(/^lessons\/questions\/iam\.yaml: questions\[\d+\]\.concepts\[0\]: must be a seed concept/));
    expect(problems).toContainEqual(expect.stringMatching(/^lessons\/questions\/Bad Name\.yaml: topic files are named <topic>\.yaml/));
    await expect(loadBank(path.join(dir, 'questions'))).rejects.toThrow(/the question bank has \d+ problems/);
  });
});
