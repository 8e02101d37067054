import { beforeAll, describe, expect, it } from 'vitest';
import { lessonsDir, loadCourse, type Course } from '../../src/course/load.js';
import { ANKI_HEADERS, ankiExport, html } from '../../src/quiz/anki.js';
import { bankDir, loadBank, type Bank } from '../../src/quiz/bank.js';
import { Countdown, examReport, WEAK_BELOW, type ExamItem } from '../../src/quiz/exam.js';
import { expectedAnswer, gradeAnswer, parseOrderInput } from '../../src/quiz/grade.js';
import { formatExamReport } from '../../src/quiz/run.js';
import { painter } from '../../src/runner/format.js';
import type { Question } from '../../src/quiz/types.js';

let course: Course;
let bank: Bank;
beforeAll(async () => {
  course = await loadCourse();
  bank = await loadBank(bankDir(lessonsDir()));
});
const q = (id: string) => bank.questions.find((x) => x.id === id)!;

describe('grading every kind', () => {
  it('single, multiple, error and order by index; the answer in words, never an index', () => {
    const single = q('login-username');
    expect(gradeAnswer(single, { kind: 'choice', index: 2 })).toEqual({ correct: true, given: 'Always the word AWS', expected: 'Always the word AWS', problems: [] });
    expect(gradeAnswer(single, { kind: 'choice', index: 0 })).toMatchObject({ correct: false, given: 'Your IAM user name' });
    const multiple = q('pull-actions');
    expect(gradeAnswer(multiple, { kind: 'choices', indexes: [2, 0, 1] }).correct).toBe(true);
    expect(gradeAnswer(multiple, { kind: 'choices', indexes: [0, 1] }).correct).toBe(false);
    expect(gradeAnswer(multiple, { kind: 'choices', indexes: [0, 1, 2, 3] }).correct).toBe(false);
    expect(gradeAnswer(multiple, { kind: 'choices', indexes: [0, 1] }).given).toBe('ecr:BatchGetImage; ecr:GetDownloadUrlForLayer');
    const order = q('login-flow-order');
    expect(gradeAnswer(order, { kind: 'order', order: [0, 1, 2, 3] }).correct).toBe(true);
    expect(gradeAnswer(order, { kind: 'order', order: [1, 0, 2, 3] })).toMatchObject({ correct: false, expected: order.kind === 'order' ? order.steps.join(' → ') : '' });
    expect(gradeAnswer(order, { kind: 'choice', index: 0 }).correct).toBe(false);
    const command = q('login-command');
    expect(gradeAnswer(command, { kind: 'command', text: 'docker login' })).toMatchObject({ correct: false, problems: [expect.stringContaining('pipes 2 commands')] });
    expect(expectedAnswer(command)).toContain('| docker login --username AWS --password-stdin');
  });

  it('reads an order typed as letters, and says what is wrong with a bad one', () => {
    expect(parseOrderInput('C A B D', 4)).toEqual([2, 0, 1, 3]);
    expect(parseOrderInput('cabd', 4)).toEqual([2, 0, 1, 3]);
    expect(parseOrderInput('C, A, B, D', 4)).toEqual([2, 0, 1, 3]);
    expect(parseOrderInput('C A B', 4)).toEqual({ error: 'put every letter from A to D exactly once' });
    expect(parseOrderInput('C A B B', 4)).toEqual({ error: 'put every letter from A to D exactly once' });
    expect(parseOrderInput('C A B E', 4)).toEqual({ error: 'there are only 4 steps, A to D' });
    expect(parseOrderInput('3 1 2 4', 4)).toMatchObject({ error: expect.stringContaining('type the letters A to D') });
  });
});

describe('mock interview timing and scoring, on an injected clock', () => {
  it('counts down from the minutes given and expires exactly at the deadline', () => {
    let now = 1_000_000;
    const countdown = new Countdown(2 * 60_000, () => now);
    expect(countdown.label()).toBe('2:00');
    now += 61_500;
    expect(countdown.label()).toBe('0:59');
    expect(countdown.remaining()).toBe(58_500);
    expect(countdown.expired()).toBe(false);
    now += 58_499;
    expect(countdown.label()).toBe('0:01');
    now += 1;
    expect(countdown.expired()).toBe(true);
    expect(countdown.label()).toBe('0:00');
    now += 10_000;
    expect(countdown.remaining()).toBe(0);
    expect(countdown.elapsed()).toBe(120_000);
  });

  it('scores per topic, counts unanswered as wrong, names weak topics (under 70%) and what to re-read', () => {
    const pick = (id: string, correct?: boolean): ExamItem => {
      const question = q(id);
      return correct === undefined ? { question } : { question, graded: { correct, given: 'x', expected: expectedAnswer(question), problems: [] } };
    };
    const items = [
      pick('login-username', true),
      pick('token-lifetime', true),
      pick('login-command', false),
      pick('push-actions', true),
      pick('pull-actions', true),
      pick('storage-price', undefined),
      pick('gb-month', true),
    ];
    const report = examReport(items, { topics: bank.topics, lessons: course.lessons, minutes: 7, elapsedMs: 420_000, timedOut: true });
    expect(report).toMatchObject({ questions: 7, answered: 6, correct: 5, score: 5 / 7, minutes: 7, elapsedSeconds: 420, timedOut: true });
    expect(report.topics).toEqual([
      { id: 'cost-cleanup', title: 'Cost and clean-up', correct: 1, total: 2, score: 0.5, weak: true },
      { id: 'authentication', title: 'Logging Docker in to ECR', correct: 2, total: 3, score: 2 / 3, weak: true },
      { id: 'iam', title: 'IAM and access control', correct: 2, total: 2, score: 1, weak: false },
    ]);
    expect(WEAK_BELOW).toBe(0.7);
    expect(report.weakTopics).toEqual(['cost-cleanup', 'authentication']);
    expect(report.reread).toEqual([
      { lesson: 'authenticate-docker', number: 4, title: 'Authenticate Docker to ECR', section: 'Log in' },
      { lesson: 'clean-up', number: 9, title: 'Clean up and know the cost', section: 'What it costs' },
    ]);
    expect(report.answers.find((a) => a.id === 'storage-price')).toMatchObject({ answered: false, correct: false, given: null, expected: '$0.10 per GB-month' });
    const text = formatExamReport(report, { p: painter(false) });
    expect(text).toContain('Mock interview: 5 of 7 right (71%) in 7:00 of 7 minutes, time ran out.');
    expect(text).toMatch(/✖ Cost and clean-up +1\/2 +50% {2}weak/);
    expect(text).toContain('Weak topics (under 70% right): Cost and clean-up, Logging Docker in to ECR.');
    expect(text).toContain('lesson 04 Authenticate Docker to ECR, “Log in”  (ecr-workbook lesson authenticate-docker)');
    expect(text).toContain('(not answered) The answer: $0.10 per GB-month');
    expect(text).toContain('ecr-workbook quiz --topic cost-cleanup');
  });
});

/** Reads an Anki import file back as its importer does: `#key:value` headers, then tab-separated fields. */
function parseAnki(text: string): { headers: Map<string, string>; rows: string[][] } {
  const lines = text.split('\n');
  expect(lines.at(-1)).toBe('');
  const headers = new Map<string, string>();
  const rows: string[][] = [];
  for (const line of lines.slice(0, -1)) {
    if (line.startsWith('#')) {
      const [key, ...value] = line.slice(1).split(':');
      headers.set(key!, value.join(':'));
    } else rows.push(line.split('\t'));
  }
  return { headers, rows };
}

const unhtml = (s: string) => s.replace(/<br>/g, '\n').replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('the Anki export', () => {
  it('parses back: Anki headers, one note per question with a stable GUID, the answer, the explanation and tags', () => {
    const text = ankiExport(bank.questions, course.lessons);
    const { headers, rows } = parseAnki(text);
    expect([...headers.keys()]).toEqual(['separator', 'html', 'notetype', 'deck', 'columns', 'guid column', 'tags column']);
    expect(ANKI_HEADERS.slice(0, 3)).toEqual(['#separator:tab', '#html:true', '#notetype:Basic']);
    expect(headers.get('columns')).toBe('guid\tFront\tBack\ttags');
    expect(headers.get('guid column')).toBe('1');
    expect(headers.get('tags column')).toBe('4');
    expect(rows).toHaveLength(bank.questions.length);
    for (const row of rows) expect(row).toHaveLength(4);
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
    const byGuid = new Map(rows.map((r) => [r[0]!, r]));
    for (const question of bank.questions as Question[]) {
      const [, front, back, tags] = byGuid.get(`ecr-workbook:${question.id}`)!;
      expect(unhtml(front!)).toContain(question.question);
      expect(unhtml(back!)).toContain(question.explanation);
      expect(tags!.split(' ')).toEqual(['ecr-workbook', `ecr::${question.topic}`, `kind::${question.kind}`]);
    }
    const [, front, back] = byGuid.get('ecr-workbook:get-authorization-token-denied-error')!;
    expect(unhtml(front!)).toContain('on resource: *');
    expect(unhtml(back!)).toContain("B. The user's policy does not allow ecr:GetAuthorizationToken");
    expect(unhtml(back!)).toContain('Lesson 04, Authenticate Docker to ECR: “When it fails”');
    const login = byGuid.get('ecr-workbook:login-command')!;
    expect(unhtml(login[2]!)).toContain('aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    // The same bank exports the same file: a re-import updates notes instead of adding new ones.
    expect(ankiExport(bank.questions, course.lessons)).toBe(text);
  });

  it('escapes HTML and keeps every field on one line, so no field needs CSV quoting', () => {
    expect(html('a <b> & "c"\td\ne')).toBe('a &lt;b&gt; &amp; &quot;c&quot; d<br>e');
    const text = ankiExport(bank.questions, course.lessons);
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).not.toMatch(/"/);
  });
});
