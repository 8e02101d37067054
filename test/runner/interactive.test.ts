import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/load.js';
import { BIN, installedAwsClis, learnerHome, tempDir } from '../helpers/sandbox.js';
import { waitOn } from '../helpers/tmux.js';

// The interactive workbook driven through a real pseudo-terminal (tmux send-keys and
// capture-pane), as a learner at a keyboard: lesson 01 (the knowledge check) and lesson 02
// (configure a profile in a second shell, then "Check now").
const socket = `ecrwb-test-${process.pid}`;
const home = tempDir('ecrwb-tty-');
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  ...learnerHome(home),
  TERM: 'xterm-256color',
  LANG: 'C.UTF-8',
  ...(process.env.ECR_WORKBOOK_REGISTRY_IMAGE ? { ECR_WORKBOOK_REGISTRY_IMAGE: process.env.ECR_WORKBOOK_REGISTRY_IMAGE } : {}),
  ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
  TESTCONTAINERS_RYUK_DISABLED: 'true',
};

/** The learner's own shell doing lesson 02: `aws configure set` with the key the sandbox issued. */
function configureLearnerProfile(learnerEnv: NodeJS.ProcessEnv): void {
  const state = JSON.parse(fs.readFileSync(path.join(learnerEnv.ECR_WORKBOOK_HOME!, 'sandbox', 'state.json'), 'utf8'));
  const aws = installedAwsClis()[0]!.path;
  for (const [k, v] of [['aws_access_key_id', state.credentials.accessKeyId], ['aws_secret_access_key', state.credentials.secretAccessKey], ['region', 'us-east-1']]) {
    execFileSync(aws, ['configure', 'set', k!, v!, '--profile', 'ecr-workbook'], { env: learnerEnv });
  }
}

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { env, encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'wb:0');
const keys = (...k: string[]) => tmux('send-keys', '-t', 'wb:0', ...k);

const waitFor = (text: string | RegExp, timeoutMs?: number) => waitOn(screen, text, timeoutMs);

describe('the interactive workbook in a terminal', () => {
  beforeAll(() => {
    tmux('new-session', '-d', '-s', 'wb', '-x', '160', '-y', '50', `node ${BIN}; echo "[exited $?]"; sleep 600`);
  });

  afterAll(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { env });
    spawnSync(process.execPath, [BIN, 'sandbox', 'down'], { env });
  });

  it('starts the sandbox by itself and opens the menu', async () => {
    await waitFor('What next?', 120_000);
    expect(screen()).toContain('Continue: lesson 1');
  });

  it('goes through lesson 01: reads it, answers the knowledge check (one answer wrong), passes the check', async () => {
    const course = await loadCourse();
    const quiz = course.lessons[0]!.quiz!;
    const wrongOne = 2; // 3 of 4 right still passes (minCorrect: 3)
    keys('Enter'); // Continue
    for (const [i, q] of quiz.entries()) {
      await waitFor(`Knowledge check · question ${i + 1} of ${quiz.length}`);
      await waitFor(q.question.slice(0, 30));
      const pick = i === wrongOne ? (q.answer + 1) % q.choices.length : q.answer;
      for (let d = 0; d < pick; d++) keys('Down');
      keys('Enter');
      // The verdict: ✔ or ✖ by correctness, with the chosen answer's words (never its index).
      const verdicts = () => (screen().match(/[✔✖] (Right|Not quite)\. You answered: .*/g) ?? []);
      await waitOn(() => String(verdicts().length), String(i + 1));
      const verdict = verdicts().at(-1)!;
      expect(verdict).toBe(`${i === wrongOne ? '✖ Not quite.' : '✔ Right.'} You answered: ${q.choices[pick]}`);
      if (i === wrongOne) await waitFor(`The answer: ${q.choices[q.answer]}`);
      await waitFor(q.explanation.replace(/\s+/g, ' ').slice(0, 40));
    }
    // A knowledge check has no commands to run: its step menu says so.
    await waitFor('Your answers are recorded. Now:');
    expect(screen()).not.toContain('When you have run the commands');
    expect(screen()).toContain('Answer the questions again');
    keys('Enter');
    await waitFor('✔ PASS');
    expect(screen()).toContain('3 of 4 right');
    await waitFor('Lesson 1 is done.');
  });

  it('lesson 02: hint, then the learner configures the profile in another shell, then the check passes', async () => {
    await waitFor('What next?');
    await waitFor('Continue: lesson 2');
    keys('Enter');
    await waitFor('Check now');
    keys('Enter'); // check before doing anything: not yet
    await waitFor('✖ NOT YET');
    expect(screen()).toContain("No AWS credentials for the profile 'ecr-workbook'");
    keys('Down', 'Enter'); // Hint
    await waitFor('Hint 1:');
    configureLearnerProfile(env);
    keys('Enter'); // each prompt starts on its first choice: "Check now"
    await waitFor(/✔ PASS.*arn:aws:iam::123456789012:user\/ecr-learner/);
    await waitFor('Lesson 2 is done.');
  });

  it('lesson 03 in colour: inline code inside list items shows no raw colour codes', async () => {
    await waitFor('What next?');
    await waitFor('Continue: lesson 3');
    keys('Enter');
    await waitFor('Create a private repository');
    await waitFor('What each option does');
    const shown = screen();
    expect(shown).toMatch(/\* --repository-name demo-app: lowercase letters/);
    expect(shown).not.toMatch(/\[3\dm|\[39m/);
    await waitFor('When you have run the commands in your own shell:');
    keys('Up', 'Enter'); // the last choice: Back to the menu
    await waitFor(/What next\?[\s\S]*Interview practice[\s\S]*Status[\s\S]*Quit\s*$/);
  });

  it('the menu has Interview practice: its own menu, a review with nothing due, and back', async () => {
    await waitFor('What next?');
    // Meanwhile, in the learner's other shell, lesson 03's step is skipped from the command line.
    execFileSync(process.execPath, [BIN, 'skip', 'create-repository'], { env });
    keys('Down', 'Down', 'Enter'); // Continue, Choose a lesson, Interview practice
    await waitFor(/Interview practice: 0 due, 0 of \d+ questions seen, 0 mastered/);
    keys('Down', 'Enter'); // Review only what is due (0)
    await waitFor('Nothing is due for review. Start with new questions: ecr-workbook quiz');
    keys('Up', 'Enter'); // Back (the last choice; the list wraps)
    await waitFor(/What next\?[\s\S]*Interview practice[\s\S]*Status[\s\S]*Quit\s*$/);
    // The menu drawn again reads what the other shell recorded: lesson 03 was skipped there.
    await waitFor(/Continue: lesson 4, Log Docker in to localhost:\d+\s[\s\S]*Quit\s*$/);
  });

  it('quits cleanly from the menu and saves progress', async () => {
    await waitFor('What next?');
    keys('Up', 'Enter'); // the last choice: Quit (the list wraps)
    await waitFor('[exited 0]');
    expect(screen()).toContain('Your progress is saved');
    const status = JSON.parse(execFileSync(process.execPath, [BIN, 'status', '--json'], { env, encoding: 'utf8' }));
    expect(status.lessons[0].passed).toBe(1);
    expect(status.lessons[1].passed).toBe(1);
    expect(status.currentStep).toBe('docker-login');
  });
});

describe('watch mode in a terminal', () => {
  const wsocket = `ecrwb-watch-${process.pid}`;
  const whome = tempDir('ecrwb-watch-');
  const wenv = { ...env, ...learnerHome(whome) };
  const wtmux = (...args: string[]) => execFileSync('tmux', ['-L', wsocket, ...args], { env: wenv, encoding: 'utf8' });
  const wscreen = () => wtmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'w:0');
  const wwait = (text: string | RegExp, timeoutMs?: number) => waitOn(wscreen, text, timeoutMs);

  beforeAll(() => {
    // Start at lesson 02: the knowledge check is skipped from the command line first.
    execFileSync(process.execPath, [BIN, 'skip', 'knowledge-check'], { env: wenv });
    wtmux('new-session', '-d', '-s', 'w', '-x', '160', '-y', '50', `node ${BIN} watch; echo "[watch exited $?]"; sleep 600`);
  });

  afterAll(() => {
    spawnSync('tmux', ['-L', wsocket, 'kill-server'], { env: wenv });
    spawnSync(process.execPath, [BIN, 'sandbox', 'down'], { env: wenv });
  });

  it('re-checks until the step passes, then moves on; h shows a hint, s skips, q quits', async () => {
    await wwait('h hint · s skip · q quit', 120_000);
    await wwait('✖ NOT YET');
    wtmux('send-keys', '-t', 'w:0', 'h');
    await wwait('Hint 1/3:');
    configureLearnerProfile(wenv);
    // No key pressed: the 2-second re-check finds the profile and moves on to lesson 03.
    await wwait(/✔ PASS.*signed in as arn:aws:iam::123456789012:user\/ecr-learner/);
    await wwait('Lesson 3:');
    wtmux('send-keys', '-t', 'w:0', 's');
    await wwait("Skipped 'create-repository'");
    await wwait('Lesson 4:');
    wtmux('send-keys', '-t', 'w:0', 'q');
    await wwait('[watch exited 0]');
    // Ctrl-C is an interrupt: 130, as for any command a shell interrupts.
    wtmux('new-window', '-t', 'w:1', `node ${BIN} watch; echo "[watch interrupted $?]"; sleep 600`);
    const second = () => wtmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'w:1');
    await waitOn(second, 'h hint · s skip · q quit', 60_000);
    wtmux('send-keys', '-t', 'w:1', 'C-c');
    await waitOn(second, '[watch interrupted 130]');
    const status = JSON.parse(execFileSync(process.execPath, [BIN, 'status', '--json'], { env: wenv, encoding: 'utf8' }));
    expect(status.lessons[1].passed).toBe(1);
    expect(status.lessons[2]).toMatchObject({ passed: 0, skipped: 1 });
    expect(status.currentStep).toBe('docker-login');
  });
});

describe('a terminal that reports 0 columns', () => {
  const zsocket = `ecrwb-zero-${process.pid}`;
  const ztmux = (...args: string[]) => execFileSync('tmux', ['-L', zsocket, ...args], { env, encoding: 'utf8' });
  afterAll(() => {
    spawnSync('tmux', ['-L', zsocket, 'kill-server'], { env });
    // `lesson` started the sandbox again (the first describe's afterAll stopped it): stop it.
    spawnSync(process.execPath, [BIN, 'sandbox', 'down'], { env });
  });

  it('shows every word of a lesson, wrapped at 80 (`stty cols 0`, as some pseudo-terminals report)', async () => {
    ztmux('new-session', '-d', '-s', 'z', '-x', '160', '-y', '200', `stty cols 0; node ${BIN} lesson 03; echo "[lesson exited $?]"; sleep 600`);
    const zscreen = () => ztmux('capture-pane', '-p', '-J', '-S', '-400', '-t', 'z:0');
    const shown = await waitOn(zscreen, '[lesson exited 0]', 120_000);
    for (const words of ['Unlike Docker Hub, ECR does not create a repository', 'What each option does', 'RepositoryAlreadyExistsException']) expect(shown).toContain(words);
  });
});
