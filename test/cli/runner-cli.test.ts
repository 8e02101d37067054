import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, learnerHome, tempDir } from '../helpers/sandbox.js';

// The learner's non-interactive commands, run as a script would: exit codes, --json shapes,
// and what happens with bad input (no terminal, a corrupt progress file, an unknown step).
const home = tempDir('ecrwb-runner-cli-');
const env: NodeJS.ProcessEnv = { ...process.env, ...learnerHome(home), NO_COLOR: '1' };
const state = env.ECR_WORKBOOK_HOME!;
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });

afterAll(() => {
  cli('sandbox', 'down');
});

describe('ecr-workbook without a terminal', () => {
  it('does not prompt: the menu names the non-interactive commands and exits 2', () => {
    const r = cli();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('needs a terminal');
    expect(r.stderr).toContain('ecr-workbook check');
  });

  it('reset refuses to forget progress without --yes', () => {
    const r = cli('reset');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('reset --yes');
  });

  it('an unknown command or step is a clear error with exit 2', () => {
    expect(cli('chekc').stderr).toContain("unknown command 'chekc'");
    const r = cli('hint', 'no-such-step');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("There is no step or lesson 'no-such-step'");
  });
});

describe('status, lessons, check, skip, hint as scripts use them', () => {
  it('status --json on a fresh start: every lesson, the first step current, plain colourless text otherwise', () => {
    const r = cli('status', '--json');
    expect(r.status).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({ target: 'sandbox', currentStep: 'knowledge-check' });
    expect(status.lessons).toHaveLength(13);
    const text = cli('status').stdout;
    expect(text).toContain('0 of 23 steps passed');
    expect(text).not.toMatch(/\x1b\[/);
  });

  it('lessons --json lists ids and steps in order', () => {
    const lessons = JSON.parse(cli('lessons', '--json').stdout);
    expect(lessons.map((l: { id: string }) => l.id)).toEqual([
      'why-ecr', 'configure-cli', 'create-repository', 'authenticate-docker', 'build-image', 'tag-image', 'push-image', 'verify', 'clean-up',
      'lifecycle-policies', 'promote-image', 'run-on-fargate', 'push-from-pipeline',
    ]);
  });

  it('check --json: exit 1 and a diagnosis while the knowledge check is unanswered (the sandbox starts by itself)', () => {
    const r = cli('check', '--json');
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ step: 'knowledge-check', status: 'fail', check: 'knowledge-check' });
    expect(result.diagnosis.id).toBe('quiz-not-passed');
    expect(JSON.parse(cli('sandbox', 'status', '--json').stdout).running).toBe(true);
  });

  it('skip is recorded as skipped, never passed, and the next step becomes current', () => {
    expect(JSON.parse(cli('skip', '--json').stdout)).toEqual({ step: 'knowledge-check', status: 'skipped' });
    const status = JSON.parse(cli('status', '--json').stdout);
    expect(status.lessons[0]).toMatchObject({ passed: 0, skipped: 1 });
    expect(status.currentStep).toBe('caller-identity');
  });

  it('hint shows the gentle hint first, all of them with --all, rendered for the sandbox', () => {
    const first = JSON.parse(cli('hint', '--json').stdout);
    expect(first.hints).toHaveLength(1);
    const all = JSON.parse(cli('hint', '--all', '--json').stdout);
    expect(all.hints.length).toBe(all.total);
    expect(all.hints.join('\n')).toContain('--profile ecr-workbook');
    expect(all.hints.join('\n')).not.toContain('{{');
  });

  it('solution prints the commands with the sandbox key filled in', () => {
    const r = JSON.parse(cli('solution', 'caller-identity', '--json').stdout);
    const key = JSON.parse(fs.readFileSync(path.join(state, 'sandbox', 'state.json'), 'utf8')).credentials.accessKeyId;
    expect(r.solution[0]).toContain(key);
  });

  it('a corrupt progress file is moved aside with a message, and the runner goes on', () => {
    fs.writeFileSync(path.join(state, 'progress.json'), '{"version":1,"steps":');
    const r = cli('status', '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('progress');
    expect(JSON.parse(r.stdout).currentStep).toBe('knowledge-check');
    expect(fs.readdirSync(state).some((f) => f.startsWith('progress.json.corrupt-'))).toBe(true);
  });

  it('reset --yes forgets progress', () => {
    cli('skip', 'knowledge-check');
    expect(cli('reset', '--yes').status).toBe(0);
    expect(JSON.parse(cli('status', '--json').stdout).currentStep).toBe('knowledge-check');
  });
});
