import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonsDir } from '../../src/course/load.js';
import type { ReviewCard } from '../../src/progress/store.js';
import { bankDir, loadBank, type Bank } from '../../src/quiz/bank.js';
import type { Question } from '../../src/quiz/types.js';
import { BIN, learnerHome, tempDir } from '../helpers/sandbox.js';
import { tmuxServer, waitOn } from '../helpers/tmux.js';

// `ecr-workbook quiz` as a learner uses it: the real enquirer prompts in a pseudo-terminal
// (tmux), one fresh state folder per run, and the non-interactive paths as scripts use them.
const socket = `ecrwb-quiz-${process.pid}`;
const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, TERM: 'xterm-256color', LANG: 'C.UTF-8', NO_COLOR: '1' };
const server = tmuxServer(socket, baseEnv);
let bank: Bank;
let runs = 0;

beforeAll(async () => {
  bank = await loadBank(bankDir(lessonsDir()));
  server.tmux('new-session', '-d', '-s', 'quiz', '-x', '150', '-y', '60', 'sleep 3600');
});
afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
});

const question = (id: string) => bank.questions.find((q) => q.id === id)!;
const future = (): ReviewCard => ({ due: '2099-01-01T00:00:00.000Z', stability: 30, difficulty: 5, scheduledDays: 30, learningSteps: 0, reps: 3, lapses: 0, state: 'review', lastReview: '2026-01-01T00:00:00.000Z' });

/** A fresh learner whose progress has these questions already seen (not due), so `quiz --topic` reaches the one wanted. */
function learner(seen: string[] = []): { env: NodeJS.ProcessEnv; state: string } {
  const env = { ...baseEnv, ...learnerHome(tempDir('ecrwb-quiz-')) };
  const state = env.ECR_WORKBOOK_HOME!;
  fs.mkdirSync(state, { recursive: true });
  if (seen.length) fs.writeFileSync(path.join(state, 'progress.json'), JSON.stringify({ version: 1, target: 'sandbox', steps: {}, review: Object.fromEntries(seen.map((id) => [id, future()])) }));
  return { env, state };
}

/** The questions of a topic before `id`, so that `id` is the first new one. */
const before = (id: string) => {
  const topic = bank.topics.find((t) => t.questions.some((q) => q.id === id))!;
  return topic.questions.slice(0, topic.questions.findIndex((q) => q.id === id)).map((q) => q.id);
};

/** Runs the CLI in a new tmux window; returns helpers bound to that window. */
function run(args: string, env: NodeJS.ProcessEnv) {
  const target = `quiz:${++runs}`;
  const exports = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
  server.tmux('new-window', '-t', 'quiz', '-n', String(runs), `env -i ${exports} ${process.execPath} ${BIN} ${args}; echo "[exited $?]"; sleep 600`);
  const screen = () => server.screen(target);
  return {
    screen,
    wait: (text: string | RegExp, ms = 15_000) => waitOn(screen, text, ms),
    keys: (...k: string[]) => server.keys(target, ...k),
    type: (text: string) => server.type(target, text),
  };
}
type Window = ReturnType<typeof run>;

/** The choice lines under the prompt, and which one the pointer is on. */
function choicesOnScreen(screen: string): { lines: string[]; pointer: number } {
  const all = screen.split('\n');
  const start = all.findLastIndex((l) => /^\? /.test(l));
  const rest = all.slice(start + 1);
  const end = rest.findIndex((l) => !l.trim());
  const lines = rest.slice(0, end < 0 ? rest.length : end);
  return { lines, pointer: Math.max(0, lines.findIndex((l) => /^[❯▸]/.test(l))) };
}

/** Answers the question on screen through the real prompt: right, or wrong on purpose. */
async function answer(w: Window, q: Question, right: boolean): Promise<string> {
  const screen = await w.wait(/\? (\[\d+:\d\d left\] )?(Your answer|Pick all|Type the letters|\$)/);
  if (q.kind === 'single' || q.kind === 'error') {
    const { lines, pointer } = choicesOnScreen(screen);
    const text = right ? q.choices[q.answer]! : q.choices[(q.answer + 1) % q.choices.length]!;
    const at = lines.findIndex((l) => l.endsWith(text));
    expect(at, `${text} in\n${screen}`).toBeGreaterThanOrEqual(0);
    for (let i = pointer; i < at; i++) w.keys('Down');
    w.keys('Enter');
    return text;
  }
  if (q.kind === 'multiple') {
    const { lines } = choicesOnScreen(screen);
    const wanted = (right ? q.answers : q.answers.slice(1)).map((i) => q.choices[i]!);
    const positions = wanted.map((text) => lines.findIndex((l) => l.endsWith(text))).sort((a, b) => a - b);
    let pointer = 0;
    for (const at of positions) {
      for (; pointer < at; pointer++) w.keys('Down');
      w.keys('Space');
    }
    // The marks show what is picked without colour: once the last one pressed shows ◉, exactly the wanted ones do.
    const last = lines[positions.at(-1)!]!.replace(/^.*◯ /, '');
    const marked = await w.wait(`◉ ${last}`);
    expect(choicesOnScreen(marked).lines.filter((l) => l.includes('◉')).map((l) => l.replace(/^.*◉ /, '')).sort()).toEqual([...wanted].sort());
    w.keys('Enter');
    return wanted.join('; ');
  }
  if (q.kind === 'order') {
    const shown = [...screen.matchAll(/^ {2}([A-J])\. (.+)$/gm)].slice(-q.steps.length).map((m) => ({ letter: m[1]!, step: m[2]! }));
    const letters = q.steps.map((step) => shown.find((s) => s.step === step)!.letter);
    if (!right) [letters[0], letters[1]] = [letters[1]!, letters[0]!];
    w.type(letters.join(' '));
    w.keys('Enter');
    return letters.join(' ');
  }
  w.type(right ? (q as { answer: string }).answer : 'docker login');
  w.keys('Enter');
  return '';
}

describe('quiz in a terminal: every kind through the real prompts', () => {
  it('"complete the command": three right ways (one over two lines with \\) and two wrong ways, each graded by meaning', async () => {
    const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    const right = [
      [`aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${host}`],
      ['aws --region=eu-west-1 ecr get-login-password \\', `  | docker login --password-stdin -u AWS 'https://${host}'`],
      [`AWS_REGION=eu-west-1 aws ecr get-login-password --profile ecr-workbook | docker login --username=AWS --password-stdin "${host}"`],
    ];
    const wrong: [string, RegExp][] = [
      [`aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin ${host}`, /`aws ecr get-login-password` goes to us-east-1, but this is about eu-west-1/],
      [`docker login -u AWS -p "$(aws ecr get-login-password --region eu-west-1)" ${host}`, /The answer pipes 2 commands/],
    ];
    for (const lines of right) {
      const { env, state } = learner();
      const w = run('quiz --topic authentication --limit 1 --seed 1', env);
      await w.wait('? $');
      for (const [i, line] of lines.entries()) {
        if (i > 0) await w.wait('? >');
        w.type(line);
        w.keys('Enter');
      }
      await w.wait('✔ Right. You wrote:');
      await w.wait('How did that feel?');
      w.keys('Down', 'Down', 'Enter'); // Easy
      await w.wait('[exited 0]');
      expect(w.screen()).toContain('Session done: 1 of 1 right.');
      const card = JSON.parse(fs.readFileSync(path.join(state, 'progress.json'), 'utf8')).review['login-command'];
      expect(card).toMatchObject({ state: 'review', reps: 1, lapses: 0 });
    }
    for (const [line, reason] of wrong) {
      const { env, state } = learner();
      const w = run('quiz --topic authentication --limit 1 --seed 1', env);
      await w.wait('? $');
      w.type(line);
      w.keys('Enter');
      await w.wait('✖ Not quite. You wrote:');
      const screen = await w.wait('[exited 0]');
      expect(screen).toMatch(reason);
      expect(screen).toContain(`A right answer: aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${host}`);
      expect(screen).toContain('Re-read: lesson 04 Authenticate Docker to ECR, “Log in”');
      expect(screen).not.toContain('How did that feel?');
      const card = JSON.parse(fs.readFileSync(path.join(state, 'progress.json'), 'utf8')).review['login-command'];
      expect(card).toMatchObject({ state: 'learning', reps: 1 });
      expect(Date.parse(card.due) - Date.parse(card.lastReview)).toBe(60_000);
    }
  });

  it('single, multiple, error and order: ✔ or ✖ by correctness with the chosen text, never an index', async () => {
    const cases: [string, boolean][] = [
      ['private-by-default', true],
      ['login-username', false],
      ['services-next-to-ecr', true],
      ['pull-actions', false],
      ['get-authorization-token-denied-error', true],
      ['login-wrong-user-error', false],
      ['push-path-order', true],
      ['login-flow-order', false],
    ];
    for (const [id, right] of cases) {
      const q = question(id);
      const { env } = learner(before(id));
      const w = run(`quiz --topic ${q.topic} --limit 1 --seed 9`, env);
      await w.wait(q.question.slice(0, 40));
      if (q.kind === 'error') expect(w.screen()).toContain(`│ ${q.error.slice(0, 40)}`);
      const given = await answer(w, q, right);
      await w.wait(right ? '✔ Right.' : '✖ Not quite.');
      // The verdict's lines follow its mark: read them once what comes after them is on screen (a busy machine draws slowly).
      const verdict = await w.wait(right ? 'How did that feel?' : '[exited 0]');
      if (q.kind !== 'order') expect(verdict).toContain(`You answered: ${given.slice(0, 60)}`);
      expect(verdict).not.toMatch(/·\s*\d+\s*$/m);
      if (!right) expect(verdict).toContain(`The answer: ${q.kind === 'order' ? q.steps.join(' → ').slice(0, 60) : ''}`);
      if (right) w.keys('Enter');
      await w.wait('[exited 0]');
      expect(w.screen()).toContain(`Session done: ${right ? 1 : 0} of 1 right.`);
    }
  });

  it('due questions come first: --review asks only what is due, and says when nothing is', async () => {
    const { env, state } = learner();
    const due = { ...future(), due: '2020-01-01T00:00:00.000Z' };
    fs.writeFileSync(path.join(state, 'progress.json'), JSON.stringify({ version: 1, target: 'sandbox', steps: {}, review: { 'scan-frequency': due, 'gb-month': future() } }));
    const w = run('quiz --review --seed 3', env);
    await w.wait('Interview practice: 1 due for review.');
    await w.wait(/Question 1 of 1 · Image scanning · review/);
    await answer(w, question('scan-frequency'), true);
    await w.wait('How did that feel?');
    w.keys('Enter');
    await w.wait('[exited 0]');
    const again = run('quiz --review', env);
    await again.wait(/Nothing is due for review now; the next question falls due in \d+ (days|months)\./);
  });
});

describe('quiz --exam in a terminal: timed, unanswered counts as wrong, --json on stdout', () => {
  it('shows a countdown, cuts off at the time given, and reports per topic', async () => {
    const { env, state } = learner();
    const out = path.join(state, 'exam.json');
    const w = run(`quiz --exam 2 --minutes 0.25 --seed 11 --json > ${out}`, env);
    const screen = await w.wait(/\[0:1\d left\]/);
    expect(screen).toContain('Mock interview: 2 questions, 15 seconds.');
    const first = bank.questions.find((q) => screen.includes(q.question.slice(0, 50)))!;
    await answer(w, first, true);
    await w.wait('Question 2 of 2');
    await w.wait('Time is up: 1 question left unanswered (they count as wrong).', 20_000);
    await w.wait('[exited 0]');
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(report).toMatchObject({ ok: true, questions: 2, answered: 1, correct: 1, score: 0.5, timedOut: true });
    expect(report.answers[0]).toMatchObject({ id: first.id, answered: true, correct: true });
    expect(report.answers[1]).toMatchObject({ answered: false, correct: false, given: null });
    expect(report.topics).toHaveLength(2);
    expect(report.weakTopics).toEqual([report.answers[1].topic]);
    expect(report.reread).toHaveLength(1);
    // The answered question joins the review schedule; the one the clock cut off does not.
    const review = JSON.parse(fs.readFileSync(path.join(state, 'progress.json'), 'utf8')).review;
    expect(Object.keys(review)).toEqual([first.id]);
  });

  it('Ctrl-C abandons it: exit 130, JSON error, nothing recorded', async () => {
    const { env, state } = learner();
    const out = path.join(state, 'exam.json');
    const w = run(`quiz --exam 3 --json > ${out}`, env);
    await w.wait('[3:00 left]');
    w.keys('C-c');
    await w.wait('[exited 130]');
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({ ok: false, error: 'Mock interview abandoned; nothing was recorded.' });
    expect(fs.existsSync(path.join(state, 'progress.json'))).toBe(false);
  });
});

describe('quiz and status as scripts use them', () => {
  const { env, state } = learner();
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', cwd: state });

  it('without a terminal: says what works instead (exit 2), and with --json says it as JSON', () => {
    const r = cli('quiz');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('ecr-workbook quiz --export anki');
    const j = cli('quiz', '--json');
    expect(j.status).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: expect.stringContaining('terminal') });
  });

  it('bad options are clear errors, JSON with --json', () => {
    expect(JSON.parse(cli('quiz', '--topic', 'iamm', '--json').stdout).error).toMatch(/^There is no topic 'iamm'\. The topics: .*\biam\b/);
    expect(JSON.parse(cli('quiz', '--exam', '0', '--json').stdout).error).toBe("--exam must be a positive whole number, not '0'.");
    expect(JSON.parse(cli('quiz', '--exam', '5', '--minutes', 'soon', '--json').stdout).error).toBe("--minutes must be a positive number, not 'soon'.");
    expect(JSON.parse(cli('quiz', '--export', 'csv', '--json').stdout).error).toMatch(/anki/);
    const r = cli('quiz', '--minutes', '5');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('use it with --exam');
  });

  it('--export anki writes a file Anki imports, for one topic or all', () => {
    const all = cli('quiz', '--export', 'anki');
    expect(all.status).toBe(0);
    expect(all.stdout).toContain(`Wrote ${bank.questions.length} notes to ${path.join(state, 'ecr-workbook-anki.txt')}`);
    expect(fs.readFileSync(path.join(state, 'ecr-workbook-anki.txt'), 'utf8')).toMatch(/^#separator:tab\n#html:true\n/);
    const iam = JSON.parse(cli('quiz', '--export', 'anki', '--topic', 'iam', '--out', 'iam.txt', '--json').stdout);
    expect(iam).toEqual({ ok: true, format: 'anki', file: path.join(state, 'iam.txt'), notes: bank.topics.find((t) => t.id === 'iam')!.questions.length });
  });

  it('status shows practice per topic: due, seen, mastered, drills solved; --json has it too', () => {
    const due = { ...future(), due: '2020-01-01T00:00:00.000Z', stability: 2 };
    fs.writeFileSync(path.join(state, 'progress.json'), JSON.stringify({ version: 1, target: 'sandbox', steps: {}, review: { 'push-actions': due, 'pull-actions': future(), 'gb-month': future() } }));
    const status = JSON.parse(cli('status', '--json').stdout);
    expect(status.practice).toMatchObject({ questions: bank.questions.length, seen: 3, due: 1, mastered: 2, nextDue: '2099-01-01T00:00:00.000Z' });
    const iam = bank.questions.filter((q) => q.topic === 'iam').length;
    expect(status.practice.topics.find((t: { id: string }) => t.id === 'iam')).toEqual({ id: 'iam', title: 'IAM and access control', questions: iam, seen: 2, due: 1, mastered: 1, mastery: 1 / iam, drills: { solved: 0, total: 3 } });
    const text = cli('status').stdout;
    expect(text).toContain(`Interview practice: 1 due, 3 of ${bank.questions.length} questions seen, 2 mastered.`);
    expect(text).toMatch(new RegExp(`^ {2}iam +2/${iam} +1 +${Math.round(100 / iam)}% +0/3 {2}IAM and access control$`, 'm'));
  });
});
