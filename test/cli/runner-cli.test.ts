import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, freePort, installedAwsClis, learnerHome, tempDir } from '../helpers/sandbox.js';

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
    expect(status.lessons).toHaveLength(15);
    const text = cli('status').stdout;
    expect(text).toContain('0 of 34 steps passed');
    expect(text).not.toMatch(/\x1b\[/);
  });

  it('lessons --json lists ids and steps in order', () => {
    const lessons = JSON.parse(cli('lessons', '--json').stdout);
    expect(lessons.map((l: { id: string }) => l.id)).toEqual([
      'why-ecr', 'configure-cli', 'create-repository', 'authenticate-docker', 'build-image', 'tag-image', 'push-image', 'verify', 'clean-up',
      'pull-only-ci', 'share-across-accounts', 'lifecycle-policies', 'promote-image', 'run-on-fargate', 'push-from-pipeline',
    ]);
  });

  it('--partner-account: refused unless 12 digits, remembered, shown by status; the sandbox shares with its own second account', () => {
    const bad = cli('--partner-account', '1234', 'status');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--partner-account must be an AWS account id, 12 digits");
    expect(JSON.parse(cli('status', '--json').stdout).partnerAccount).toBeNull();
    expect(JSON.parse(cli('--partner-account', '444455556666', 'status', '--json').stdout).partnerAccount).toBe('444455556666');
    expect(cli('status').stdout).toContain('second account 444455556666');
    const lesson = cli('lesson', 'share-across-accounts');
    expect(lesson.status).toBe(0);
    expect(lesson.stdout).toContain('arn:aws:iam::111122223333:root');
    expect(lesson.stdout).not.toContain('444455556666');
  });

  it('check --json: exit 1 and a diagnosis while the knowledge check is unanswered (the sandbox starts by itself)', () => {
    const r = cli('check', '--json');
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ step: 'knowledge-check', status: 'fail', check: 'knowledge-check' });
    expect(result.diagnosis.id).toBe('quiz-not-answered');
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

describe('what a new learner tripped over, as scripts see it', () => {
  const aws = installedAwsClis()[0]!;
  /** The sandbox's endpoint and keys, as `sandbox env --json` prints them. */
  const sandboxVars = () => JSON.parse(cli('sandbox', 'env', '--json').stdout) as Record<string, string>;
  const awsIn = (vars: Record<string, string>, args: string[]) =>
    spawnSync(aws.path, [...args, '--endpoint-url', vars.AWS_ENDPOINT_URL_ECR!], { env: { ...env, AWS_PAGER: '' }, encoding: 'utf8' });
  const run = (extra: NodeJS.ProcessEnv, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });

  it('a made-up --region is refused with the nearest real one, and never remembered', () => {
    const r = cli('--region', 'not_a_region', 'lessons');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'not_a_region' is not an AWS region");
    expect(cli('--region', 'us-esat-1', 'lessons').stderr).toContain('nearest one is us-east-1');
    expect(JSON.parse(cli('status', '--json').stdout).region).toBe('us-east-1');
    expect(fs.readFileSync(path.join(state, 'progress.json'), 'utf8')).not.toContain('not_a_region');
  });

  it('a region remembered by an older version that does not exist is forgotten, with a warning', () => {
    const file = path.join(state, 'progress.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), region: 'not_a_region' }));
    const r = cli('status', '--json');
    expect(r.stderr).toContain("remembered the region 'not_a_region'");
    expect(JSON.parse(r.stdout).region).toBe('us-east-1');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).region).toBeUndefined();
  });

  it('a region other than the running sandbox\'s is remembered, and each command warns what will break', () => {
    const r = cli('--region', 'eu-west-1', 'hint', 'docker-login', '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('but the running sandbox serves us-east-1');
    expect(r.stderr).toContain('ecr-workbook sandbox down && ecr-workbook sandbox up --region eu-west-1');
    expect(JSON.parse(cli('status', '--json').stdout).region).toBe('eu-west-1');
    const exports = cli('sandbox', 'env');
    expect(exports.stdout).toContain('export AWS_REGION=us-east-1');
    expect(exports.stderr).toContain('Your region is eu-west-1, but the running sandbox serves us-east-1');
    cli('--region', 'us-east-1', 'status');
    expect(cli('sandbox', 'env').stderr).not.toContain('Your region is');
    expect(cli('hint', 'docker-login').stderr).not.toContain('running sandbox serves');
  });

  it('the knowledge check: unanswered says so; the pass mark (3 of 4) is what the check applies', async () => {
    const first = JSON.parse(cli('check', 'knowledge-check', '--json').stdout);
    expect(first.diagnosis.id).toBe('quiz-not-answered');
    expect(first.diagnosis.mistake).toContain('not answered yet');
    const { ProgressStore } = await import('../../src/progress/store.js');
    const { loadCourse } = await import('../../src/course/load.js');
    const { scoreQuiz } = await import('../../src/course/quiz.js');
    const quiz = (await loadCourse()).lessons[0]!.quiz!;
    const right = quiz.map((q) => q.answer);
    const wrong = (i: number) => (right[i]! + 1) % quiz[i]!.choices.length;
    const { store } = await ProgressStore.open({ home: state });
    await store.recordQuiz('why-ecr', scoreQuiz(quiz, [right[0]!, right[1]!, wrong(2), wrong(3)]));
    const two = cli('check', 'knowledge-check', '--json');
    expect(two.status).toBe(1);
    expect(JSON.parse(two.stdout).diagnosis).toMatchObject({ id: 'quiz-not-passed', mistake: '2 of 4 answers are right; 3 are needed.' });
    await store.recordQuiz('why-ecr', scoreQuiz(quiz, [right[0]!, right[1]!, right[2]!, wrong(3)]));
    const three = cli('check', 'knowledge-check');
    expect(three.status).toBe(0);
    // The Next line names the next step in full (it lost words to unfilled placeholders).
    expect(three.stdout).toContain('Next: Check who you are with a named profile (lesson 2).');
  });

  it('after `eval "$(ecr-workbook sandbox env)"`, check caller-identity passes with no SDK warning', () => {
    const vars = sandboxVars();
    for (const [k, v] of [['aws_access_key_id', vars.AWS_ACCESS_KEY_ID!], ['aws_secret_access_key', vars.AWS_SECRET_ACCESS_KEY!], ['region', 'us-east-1']]) {
      execFileSync(aws.path, ['configure', 'set', k!, v!, '--profile', 'ecr-workbook'], { env });
    }
    const r = run(vars, 'check', 'caller-identity');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toContain('Multiple credential sources');
    expect(r.stdout).toContain('Next: Create demo-app with scan on push and immutable tags (lesson 3).');
  });

  it('an expired SSO session (a real token cache) is told apart, with `aws sso login` for the profile', () => {
    const ssoHome = tempDir('ecrwb-sso-');
    const startUrl = 'https://ecr-workbook-test.awsapps.com/start';
    const config = path.join(ssoHome, 'aws-config');
    fs.writeFileSync(config, `[profile ecr-workbook]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Learner\nregion = us-east-1\n`);
    const cache = path.join(ssoHome, '.aws', 'sso', 'cache');
    fs.mkdirSync(cache, { recursive: true });
    const name = crypto.createHash('sha1').update(startUrl).digest('hex');
    fs.writeFileSync(path.join(cache, `${name}.json`), JSON.stringify({ startUrl, region: 'us-east-1', accessToken: 'expired', expiresAt: '2024-01-01T00:00:00Z' }));
    const r = run({ HOME: ssoHome, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: path.join(ssoHome, 'none') }, 'check', 'caller-identity', '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).diagnosis).toMatchObject({ id: 'sso-expired', command: 'aws sso login --profile ecr-workbook' });
  });

  it('a lesson number is a step (its first step not passed), and `lessons` lists the step ids', () => {
    expect(JSON.parse(cli('check', '03', '--json').stdout).step).toBe('create-repository');
    expect(JSON.parse(cli('hint', '3', '--json').stdout).step).toBe('create-repository');
    const list = cli('lessons').stdout;
    expect(list).toContain('step: create-repository');
    expect(list).toContain('step: caller-identity ✔');
  });

  it('a repository that drifted after it passed: status --verify shows it, and check reports both problems at once', () => {
    const vars = sandboxVars();
    const create = awsIn(vars, ['ecr', 'create-repository', '--repository-name', 'demo-app', '--image-scanning-configuration', 'scanOnPush=true', '--image-tag-mutability', 'IMMUTABLE', '--profile', 'ecr-workbook', '--region', 'us-east-1']);
    expect(create.status, create.stderr).toBe(0);
    expect(cli('check', '03').status).toBe(0);
    expect(JSON.parse(cli('status', '--verify', '--json').stdout).drifted).toEqual([]);
    awsIn(vars, ['ecr', 'put-image-tag-mutability', '--repository-name', 'demo-app', '--image-tag-mutability', 'MUTABLE', '--profile', 'ecr-workbook', '--region', 'us-east-1']);
    awsIn(vars, ['ecr', 'put-image-scanning-configuration', '--repository-name', 'demo-app', '--image-scanning-configuration', 'scanOnPush=false', '--profile', 'ecr-workbook', '--region', 'us-east-1']);
    // Plain status still shows what was achieved; --verify looks at real state now.
    expect(cli('status').stdout).toMatch(/✔ 03 Create a private repository/);
    const verified = JSON.parse(cli('status', '--verify', '--json').stdout);
    expect(verified.drifted).toEqual(['create-repository']);
    const text = cli('status', '--verify').stdout;
    expect(text).toMatch(/! 03 Create a private repository/);
    expect(text).toContain('Passed before, not any more (1):');
    expect(text).toContain('$ aws ecr put-image-tag-mutability --repository-name demo-app --image-tag-mutability IMMUTABLE --region us-east-1 --profile ecr-workbook');
    const both = JSON.parse(cli('check', '03', '--json').stdout);
    expect([both.diagnosis.id, ...both.more.map((d: { id: string }) => d.id)]).toEqual(['scan-on-push-wrong', 'tag-mutability-wrong']);
  });

  it('with --json, stdout is JSON whatever happens: a finished course, a usage mistake, a refusal', async () => {
    const { ProgressStore } = await import('../../src/progress/store.js');
    const { loadCourse } = await import('../../src/course/load.js');
    const { store } = await ProgressStore.open({ home: state });
    for (const step of (await loadCourse()).steps) if (!store.progress.steps[step.id]) await store.markSkipped(step.id);
    const done = cli('check', '--json');
    expect(done.status).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ step: null, status: 'complete' });
    const usage = cli('check', '--json', '--bogus');
    expect(usage.status).toBe(2);
    expect(JSON.parse(usage.stdout).error).toContain("unknown option '--bogus'");
    const refused = cli('--region', 'nowhere-1', 'status', '--json');
    expect(JSON.parse(refused.stdout)).toMatchObject({ exitCode: 2 });
    expect(JSON.parse(refused.stdout).error).toContain("'nowhere-1' is not an AWS region");
  });

  it('sandbox --help names no fixed port; the registry host comes from `sandbox env`', () => {
    const help = cli('sandbox', '--help').stdout;
    expect(help).not.toContain('5123');
    expect(help).toContain('"$ECR_WORKBOOK_REGISTRY"');
  });
});

describe('--port chooses the port the workbook starts the sandbox on', () => {
  const portHome = tempDir('ecrwb-port-');
  const portEnv: NodeJS.ProcessEnv = { ...process.env, ...learnerHome(portHome), NO_COLOR: '1' };
  const pcli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: portEnv, encoding: 'utf8', timeout: 120_000 });
  afterAll(() => {
    pcli('sandbox', 'down');
  });

  it('ecr-workbook --port N check starts it on N, and a different --port while it runs says how to move it', async () => {
    const port = await freePort();
    const r = pcli('--port', String(port), 'check', '--json');
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(pcli('sandbox', 'status', '--json').stdout).port).toBe(port);
    const other = pcli('--port', String(port + 1), 'check', '--json');
    expect(other.status).toBe(2);
    expect(JSON.parse(other.stdout).error).toContain(`already running on port ${port}`);
    // --port 0 asks for any free port: the running one will do.
    expect(pcli('--port', '0', 'check', '--json').status).toBe(1);
  });
});
