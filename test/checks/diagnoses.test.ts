import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { runShell } from '../../src/util/shell.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/registry.js';
import type { CheckContext } from '../../src/check/types.js';
import { checkContext, learnerChain, type ResolvedTarget } from '../../src/targets/index.js';
import { installedAwsClis, isolatedCliEnv, scratchBuildContext, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

// Every diagnosis the checks give, each produced by making the learner's mistake for real with
// the docker and aws CLIs against a sandbox, then running the check that should name it.

type Sandbox = TestSandbox;
const aws = installedAwsClis()[0]!;
let sandbox: Sandbox;
let other: Sandbox;
let home: string;
let env: NodeJS.ProcessEnv;
const images: string[] = [];

/** Runs a shell line asynchronously: the sandbox serves from this same process, so never block it. */
const sh = (script: string) => runShell(script, env);

function awsCmd(args: string, s: Sandbox = sandbox): string {
  const keys = `AWS_ACCESS_KEY_ID=${s.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${s.credentials.secretAccessKey}`;
  return `${keys} "${aws.path}" --endpoint-url ${s.endpoint} ${args}`;
}

async function login(s: Sandbox = sandbox): Promise<void> {
  const r = await sh(`${awsCmd('ecr get-login-password', s)} | docker login --username AWS --password-stdin ${s.registryHost}`);
  expect(r.code, r.output).toBe(0);
}

/** Builds a distinct scratch image and returns its name. */
async function build(name: string, content: string): Promise<string> {
  const dir = scratchBuildContext(path.join(home, 'ctx', name.replace(/[/:]/g, '_')), content);
  const r = await sh(`docker build -q -t ${name} ${dir}`);
  expect(r.code, r.output).toBe(0);
  // By id too: an image a rebuild untagged keeps its repository digest and would stay behind.
  images.push(name, ...(r.output.match(/sha256:[0-9a-f]{64}/g) ?? []));
  return name;
}

async function createRepo(name: string, extra = '', s: Sandbox = sandbox, region = s.region): Promise<void> {
  const r = await sh(awsCmd(`ecr create-repository --repository-name ${name} --region ${region} ${extra}`, s));
  expect(r.code, r.output).toBe(0);
}

/** The sandbox target a learner with repository `repo` resolves to. */
async function resolvedFor(repo: string, s: Sandbox = sandbox): Promise<ResolvedTarget> {
  return {
    target: 'sandbox',
    region: s.region,
    accountId: s.accountId,
    registryHost: s.registryHost,
    repositoryName: repo,
    endpoint: s.endpoint,
    credentials: s.credentials,
    learnerCredentials: await learnerChain('ecr-workbook', env),
  };
}

/** The check context a learner with repository `repo` would get, with their docker env. */
async function context(repo: string, overrides: Partial<CheckContext> = {}, s: Sandbox = sandbox): Promise<CheckContext> {
  return checkContext(await resolvedFor(repo, s), env, { localImage: `${repo}:v1`, ...overrides });
}

async function diagnosis(check: string, ctx: CheckContext, params: Record<string, unknown> = {}): Promise<string | undefined> {
  const result = await runCheck(check, ctx, params);
  if (result.status === 'pass') return 'pass';
  return result.diagnosis?.id;
}

beforeAll(async () => {
  [sandbox, other] = await Promise.all([startTestSandbox(), startTestSandbox()]);
  home = tempDir('ecrwb-diag-');
  env = isolatedCliEnv(sandbox, home);
}, 180_000);

afterAll(async () => {
  if (images.length) spawnSync('docker', ['rmi', '-f', ...images], { encoding: 'utf8' });
  await Promise.all([sandbox?.stop(), other?.stop()]);
});

describe('credentials (caller-identity)', () => {
  it('no credentials: the profile was never configured', async () => {
    expect(await diagnosis('caller-identity', await context('creds'))).toBe('no-credentials');
  });

  it('invalid credentials: a mistyped secret in the profile', async () => {
    await sh(`"${aws.path}" configure set aws_access_key_id ${sandbox.credentials.accessKeyId} --profile ecr-workbook && "${aws.path}" configure set aws_secret_access_key wrongwrongwrong --profile ecr-workbook`);
    expect(await diagnosis('caller-identity', await context('creds'))).toBe('invalid-credentials');
    await sh(`"${aws.path}" configure set aws_secret_access_key ${sandbox.credentials.secretAccessKey} --profile ecr-workbook`);
    expect(await diagnosis('caller-identity', await context('creds'))).toBe('pass');
  });
});

describe('repository (repository-configured, repository-deleted)', () => {
  const want = { scanOnPush: true, imageTagMutability: 'IMMUTABLE' };

  it('missing: never created', async () => {
    expect(await diagnosis('repository-configured', await context('never-made'), want)).toBe('repository-missing');
  });

  it('in another region: created with the wrong --region', async () => {
    await createRepo('wrong-region', '--image-scanning-configuration scanOnPush=true --image-tag-mutability IMMUTABLE', sandbox, 'us-west-2');
    const result = await runCheck('repository-configured', await context('wrong-region'), want);
    expect(result.diagnosis?.id).toBe('repository-in-other-region');
    expect(result.diagnosis?.mistake).toContain('us-west-2');
  });

  it('scan on push left off', async () => {
    await createRepo('no-scan', '--image-tag-mutability IMMUTABLE');
    expect(await diagnosis('repository-configured', await context('no-scan'), want)).toBe('scan-on-push-wrong');
  });

  it('tag mutability left MUTABLE', async () => {
    await createRepo('mutable', '--image-scanning-configuration scanOnPush=true');
    expect(await diagnosis('repository-configured', await context('mutable'), want)).toBe('tag-mutability-wrong');
    await sh(awsCmd('ecr put-image-tag-mutability --repository-name mutable --image-tag-mutability IMMUTABLE'));
    expect(await diagnosis('repository-configured', await context('mutable'), want)).toBe('pass');
  });

  it('still there at clean-up', async () => {
    await createRepo('leftover');
    expect(await diagnosis('repository-deleted', await context('leftover'))).toBe('repository-still-there');
    await sh(awsCmd('ecr delete-repository --repository-name leftover --force'));
    expect(await diagnosis('repository-deleted', await context('leftover'))).toBe('pass');
  });
});

describe('docker login (docker-logged-in)', () => {
  it('not logged in', async () => {
    expect(await diagnosis('docker-logged-in', await context('x'))).toBe('not-logged-in');
  });

  it('logged in to another host (another registry port, as with a wrong region or account)', async () => {
    await login(other);
    expect(await diagnosis('docker-logged-in', await context('x'))).toBe('logged-in-other-host');
  });

  it('a username other than AWS: docker login is refused, and a stored non-AWS login is named', async () => {
    const refused = await sh(`${awsCmd('ecr get-login-password')} | docker login --username ecr-learner --password-stdin ${sandbox.registryHost}`);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/401 Unauthorized/);
    // A login stored under another user name (a hand-edited config, an old helper entry).
    const configFile = path.join(env.DOCKER_CONFIG!, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.auths[sandbox.registryHost] = { auth: Buffer.from('ecr-learner:secret').toString('base64') };
    fs.writeFileSync(configFile, JSON.stringify(config));
    expect(await diagnosis('docker-logged-in', await context('x'))).toBe('username-not-aws');
  });

  it('token expired', async () => {
    const shortLived = await startTestSandbox({ tokenTtlSeconds: 2 });
    try {
      await login(shortLived);
      expect(await diagnosis('docker-logged-in', await context('x', {}, shortLived), {})).toBe('pass');
      await new Promise((r) => setTimeout(r, 2500));
      expect(await diagnosis('docker-logged-in', await context('x', {}, shortLived))).toBe('token-expired');
    } finally {
      await shortLived.stop();
    }
  });

  it('passes after a correct login', async () => {
    await login();
    expect(await diagnosis('docker-logged-in', await context('x'))).toBe('pass');
  });
});

describe('more login and push mistakes', () => {
  it('a credential store that is not installed (credsStore: desktop on Linux or WSL)', async () => {
    const configFile = path.join(env.DOCKER_CONFIG!, 'config.json');
    const saved = fs.readFileSync(configFile, 'utf8');
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(saved), credsStore: 'desktop' }));
    try {
      const result = await runCheck('docker-logged-in', await context('x'));
      expect(result.diagnosis?.id).toBe('credential-helper-broken');
      expect(result.diagnosis?.mistake).toContain('docker-credential-desktop');
    } finally {
      fs.writeFileSync(configFile, saved);
    }
  });

  it('a stored login the registry rejects (a typed password instead of a token)', async () => {
    const configFile = path.join(env.DOCKER_CONFIG!, 'config.json');
    const saved = fs.readFileSync(configFile, 'utf8');
    const config = JSON.parse(saved);
    config.auths[sandbox.registryHost] = { auth: Buffer.from('AWS:hunter2').toString('base64') };
    fs.writeFileSync(configFile, JSON.stringify(config));
    try {
      expect(await diagnosis('docker-logged-in', await context('x'))).toBe('login-rejected');
    } finally {
      fs.writeFileSync(configFile, saved);
    }
  });

  it('tagged for another registry host (the other sandbox, as another region or account would be)', async () => {
    await build('otherhost:v1', 'oh');
    await sh(`docker tag otherhost:v1 ${other.registryHost}/otherhost:v1`);
    images.push(`${other.registryHost}/otherhost:v1`);
    expect(await diagnosis('image-tagged', await context('otherhost'))).toBe('tagged-other-host');
  });

  it('tagged but not pushed, then pushed but not pulled back, then pulled back', async () => {
    await createRepo('verify-app');
    await login();
    const uri = `${sandbox.registryHost}/verify-app:v1`;
    await build('verify-app:v1', 'verify');
    await sh(`docker tag verify-app:v1 ${uri}`);
    images.push(uri);
    expect(await diagnosis('image-pushed', await context('verify-app'))).toBe('not-pushed');
    expect((await sh(`docker push ${uri}`)).code).toBe(0);
    expect(await diagnosis('image-verified', await context('verify-app'))).toBe('not-pulled-back');
    expect((await sh(`docker rmi ${uri} && docker pull ${uri}`)).code).toBe(0);
    expect(await diagnosis('image-verified', await context('verify-app'))).toBe('pass');
  });
});

describe('build, tag, push (image-built, image-tagged, image-pushed)', () => {
  it('image not built (built under another tag)', async () => {
    await build('notbuilt:latest', 'a');
    const result = await runCheck('image-built', await context('notbuilt'), { image: 'notbuilt:v1' });
    expect(result.diagnosis?.id).toBe('image-not-built');
    expect(result.diagnosis?.mistake).toContain('notbuilt:latest');
  });

  it('tag missing, then tag pointing at another image', async () => {
    await build('tagapp:v1', 'first build');
    const ctx = await context('tagapp');
    expect(await diagnosis('image-tagged', ctx)).toBe('tag-missing');
    await build(`${sandbox.registryHost}/tagapp:v1`, 'some other build');
    expect(await diagnosis('image-tagged', ctx)).toBe('tag-points-elsewhere');
    await sh(`docker tag tagapp:v1 ${sandbox.registryHost}/tagapp:v1`);
    expect(await diagnosis('image-tagged', ctx)).toBe('pass');
  });

  it('pushed to Docker Hub by mistake (no registry host in the tag)', async () => {
    await createRepo('hubapp');
    await login();
    await build('hubapp:v1', 'hub');
    const push = await sh('docker push hubapp:v1');
    expect(push.code).not.toBe(0); // Docker Hub refuses it (or, offline, cannot be reached)
    expect(await diagnosis('image-pushed', await context('hubapp'))).toBe('pushed-to-docker-hub');
  });

  it('digest in the registry differs from the local image (rebuilt after pushing)', async () => {
    await createRepo('rebuilt');
    await login();
    const uri = `${sandbox.registryHost}/rebuilt:v1`;
    await build(uri, 'pushed version');
    expect((await sh(`docker push ${uri}`)).code).toBe(0);
    expect(await diagnosis('image-pushed', await context('rebuilt'))).toBe('pass');
    await build(uri, 'changed after the push');
    expect(await diagnosis('image-pushed', await context('rebuilt'))).toBe('digest-mismatch');
  });

  it('the repository is missing at push time', async () => {
    await build(`${sandbox.registryHost}/nopush:v1`, 'np');
    expect(await diagnosis('image-pushed', await context('nopush'))).toBe('repository-missing');
  });
});

describe('lifecycle policies (lifecycle-images, lifecycle-preview, lifecycle-applied)', () => {
  const offline = path.resolve(import.meta.dirname, '../../lessons/assets/demo-app');
  const intent = { versionPattern: 'v*', keepVersions: 3, untaggedDays: 1, protect: 'v1' };
  const rule = (priority: number, selection: Record<string, unknown>) => ({ rulePriority: priority, selection, action: { type: 'expire' } });
  const keepV1 = rule(1, { tagStatus: 'tagged', tagPatternList: ['v1'], countType: 'imageCountMoreThan', countNumber: 1 });
  const untaggedAfter = (days: number, priority = 2) => rule(priority, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: days });
  const keepVersions = (n: number, patterns = ['v*'], priority = 3) => rule(priority, { tagStatus: 'tagged', tagPatternList: patterns, countType: 'imageCountMoreThan', countNumber: n });
  const good = [keepV1, untaggedAfter(1), keepVersions(3)];

  /** Pushes versions and nightly builds the way the lesson does (labels make each build its own image). */
  async function pushBuilds(repo: string, versions: number[], nightly: number): Promise<void> {
    const uri = `${sandbox.registryHost}/${repo}`;
    const script = [
      ...versions.map((v) => `docker build -q -t ${uri}:v${v} --label version=v${v} --label diag=${repo} -f ${offline}/Dockerfile.offline ${offline} && docker push -q ${uri}:v${v}`),
      ...Array.from({ length: nightly }, (_, n) => `docker build -q -t ${uri}:nightly --label build=${n}-${crypto.randomUUID()} --label diag=${repo} -f ${offline}/Dockerfile.offline ${offline} && docker push -q ${uri}:nightly`),
    ].join(' && ');
    const r = await sh(script);
    expect(r.code, r.output).toBe(0);
    images.push(...versions.map((v) => `${uri}:v${v}`), `${uri}:nightly`, ...(r.output.match(/sha256:[0-9a-f]{64}/g) ?? []));
  }

  /** A repository as lesson 12's first step leaves it. */
  async function lessonRepository(name: string): Promise<void> {
    await createRepo(name);
    await login();
    await pushBuilds(name, [1, 2, 3, 4, 5, 6], 3);
  }

  /** Previews a policy with the aws CLI, as the learner does; returns the CLI's exit code and output. */
  function preview(repo: string, rules: unknown[]): Promise<{ code: number; output: string }> {
    const file = path.join(home, `${repo}-policy.json`);
    fs.writeFileSync(file, JSON.stringify({ rules }, null, 2));
    return sh(awsCmd(`ecr start-lifecycle-policy-preview --repository-name ${repo} --lifecycle-policy-text file://${file}`));
  }

  function putPolicy(repo: string, rules: unknown[]): Promise<{ code: number; output: string }> {
    const file = path.join(home, `${repo}-policy.json`);
    fs.writeFileSync(file, JSON.stringify({ rules }, null, 2));
    return sh(awsCmd(`ecr put-lifecycle-policy --repository-name ${repo} --lifecycle-policy-text file://${file}`));
  }

  it('versions missing, then no untagged images, then ready', async () => {
    await createRepo('lc-images');
    await login();
    await pushBuilds('lc-images', [1, 2, 3], 0);
    const params = { versions: 6, untagged: 2 };
    const missing = await runCheck('lifecycle-images', await context('lc-images'), params);
    expect(missing.diagnosis?.id).toBe('lifecycle-versions-missing');
    expect(missing.diagnosis?.mistake).toContain('v4, v5, v6');
    await pushBuilds('lc-images', [4, 5, 6], 1);
    expect(await diagnosis('lifecycle-images', await context('lc-images'), params)).toBe('lifecycle-no-untagged');
    await pushBuilds('lc-images', [], 2);
    expect(await diagnosis('lifecycle-images', await context('lc-images'), params)).toBe('pass');
  });

  it('every mistake in a previewed policy, named from what it would do to the real images', async () => {
    const repo = 'lc-preview';
    await lessonRepository(repo);
    const check = async () => runCheck('lifecycle-preview', await context(repo), intent);
    expect((await check()).diagnosis?.id).toBe('lifecycle-not-previewed');

    // Refused by ECR: the CLI shows the error, the check names the rule that broke it.
    const tagless = await preview(repo, [rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 3 })]);
    expect(tagless.code).not.toBe(0);
    expect(tagless.output).toContain('tagPrefixList or tagPatternList is required');
    expect((await check()).diagnosis?.id).toBe('lifecycle-tagged-without-filter');
    const anyFirst = await preview(repo, [rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 }), keepVersions(3, ['v*'], 2)]);
    expect(anyFirst.code).not.toBe(0);
    expect((await check()).diagnosis?.id).toBe('lifecycle-any-not-last');
    expect((await preview(repo, [untaggedAfter(1, 1), untaggedAfter(2, 2)])).output).toContain('Only one rule can select Untagged images.');
    expect((await check()).diagnosis?.id).toBe('lifecycle-policy-refused');

    // Accepted, and wrong: judged by what the evaluator expires from these very images.
    expect((await preview(repo, [untaggedAfter(1, 1), keepVersions(3, ['V*'], 2)])).code).toBe(0);
    const nothing = await check();
    expect(nothing.diagnosis?.id).toBe('lifecycle-rule-selects-nothing');
    expect(nothing.diagnosis?.mistake).toContain('v1, v2, v3, v4, v5, v6');
    await preview(repo, [untaggedAfter(1, 1), keepVersions(3, ['v*'], 2)]);
    const naive = await check();
    expect(naive.diagnosis?.id).toBe('lifecycle-expires-needed-image');
    expect(naive.diagnosis?.mistake).toContain('v1 (rule 2)');
    await preview(repo, [keepV1, untaggedAfter(7), keepVersions(3)]);
    const keeps = await check();
    expect(keeps.diagnosis?.id).toBe('lifecycle-keeps-too-much');
    expect(keeps.diagnosis?.mistake).toMatch(/<untagged sha256:.*\$[0-9.e-]+ a month .*500 MB application image, \$0\.10 a month/);
    await preview(repo, [keepV1, untaggedAfter(1), keepVersions(2)]);
    const tooMuch = await check();
    expect(tooMuch.diagnosis?.id).toBe('lifecycle-expires-too-much');
    expect(tooMuch.diagnosis?.mistake).toContain('v4');
    await preview(repo, good);
    const passed = await check();
    expect(passed.status, passed.summary).toBe('pass');
    expect(passed.evidence.join('\n')).toMatch(/Storage it frees: \$/);

    // The image lesson 13 needs, deleted by hand: named as gone.
    await sh(awsCmd(`ecr batch-delete-image --repository-name ${repo} --image-ids imageTag=v1`));
    expect((await check()).diagnosis?.id).toBe('lifecycle-needed-image-gone');
  });

  it('applied: not saved, saved but not yet due, then expired once the clock moves; on AWS the saved policy alone', async () => {
    const repo = 'lc-applied';
    await lessonRepository(repo);
    const check = async () => runCheck('lifecycle-applied', await context(repo), intent);
    expect((await check()).diagnosis?.id).toBe('lifecycle-not-applied');
    const refused = await putPolicy(repo, [rule(1, { tagStatus: 'tagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 })]);
    expect(refused.code).not.toBe(0);
    expect((await check()).diagnosis?.id).toBe('lifecycle-tagged-without-filter');
    expect((await putPolicy(repo, good)).code).toBe(0);
    // v2 and v3 go at the next run; the untagged images are minutes old, so they stay.
    await sandbox.backend.applyLifecyclePolicies({ repositoryName: repo });
    const early = await check();
    expect(early.diagnosis?.id).toBe('lifecycle-not-yet-expired');
    expect(early.diagnosis?.mistake).toContain('<untagged');

    // On the aws target the check verifies the saved policy, and says why it stops there.
    const onAws = await runCheck('lifecycle-applied', checkContext({ ...(await resolvedFor(repo)), target: 'aws' }, env), intent);
    expect(onAws.status).toBe('pass');
    expect(onAws.evidence.join('\n')).toContain('AWS applies a lifecycle policy within 24 hours');

    await sandbox.store.advanceClock(2 * 86_400);
    try {
      await sandbox.backend.applyLifecyclePolicies({ repositoryName: repo });
      const done = await check();
      expect(done.status, done.summary).toBe('pass');
      expect(done.summary).toContain('5 remain');
      const left = (await sh(awsCmd(`ecr list-images --repository-name ${repo} --query 'imageIds[].imageTag' --output text`))).output.split(/\s+/).filter(Boolean).sort();
      expect(left).toEqual(['nightly', 'v1', 'v4', 'v5', 'v6']);
    } finally {
      await sandbox.store.resetClock();
    }
  });
});

describe('promotion without pulling (image-promoted)', () => {
  const params = { from: 'v1', to: 'prod' };
  const uriOf = (repo: string) => `${sandbox.registryHost}/${repo}`;
  const manifestCmd = (repo: string, tag: string) => awsCmd(`ecr batch-get-image --repository-name ${repo} --image-ids imageTag=${tag} --output text --query 'images[].imageManifest'`);
  const promote = (repo: string, from: string, extra = '') =>
    sh(`MANIFEST=$(${manifestCmd(repo, from)}) && ${awsCmd(`ecr put-image --repository-name ${repo} --image-tag prod --image-manifest "$MANIFEST" ${extra}`)}`);

  async function repoWithVersions(repo: string, mutability = 'MUTABLE'): Promise<void> {
    await createRepo(repo, `--image-tag-mutability ${mutability}`);
    await login();
    for (const v of ['v1', 'v2']) {
      await build(`${uriOf(repo)}:${v}`, `${repo} ${v}`);
      expect((await sh(`docker push ${uriOf(repo)}:${v}`)).code).toBe(0);
    }
  }

  it('the source missing, then not promoted, then a wrong media type, then promoted; on AWS the digest alone', async () => {
    const repo = 'promote-ok';
    await createRepo(repo);
    expect(await diagnosis('image-promoted', await context(repo), params)).toBe('promotion-source-missing');
    await login();
    await build(`${uriOf(repo)}:v1`, repo);
    expect((await sh(`docker push ${uriOf(repo)}:v1`)).code).toBe(0);
    expect(await diagnosis('image-promoted', await context(repo), params)).toBe('not-promoted');
    const wrongType = await promote(repo, 'v1', '--image-manifest-media-type application/vnd.oci.image.manifest.v1+json');
    expect(wrongType.code).not.toBe(0);
    expect(wrongType.output).toContain('InvalidParameterException');
    expect(await diagnosis('image-promoted', await context(repo), params)).toBe('put-image-media-type');
    expect((await promote(repo, 'v1')).code).toBe(0);
    const promoted = await runCheck('image-promoted', await context(repo), params);
    expect(promoted.status).toBe('pass');
    expect(promoted.evidence.join('\n')).toContain('How prod arrived: the PutImage API');
    const onAws = await runCheck('image-promoted', checkContext({ ...(await resolvedFor(repo)), target: 'aws' }, env), params);
    expect(onAws.status).toBe('pass');
    expect(onAws.evidence.join('\n')).toContain('verified the digest only');
  });

  it("the manifest of another image put as prod", async () => {
    const repo = 'promote-other';
    await repoWithVersions(repo);
    expect((await promote(repo, 'v2')).code).toBe(0);
    const result = await runCheck('image-promoted', await context(repo), params);
    expect(result.diagnosis?.id).toBe('promoted-other-image');
    expect(result.diagnosis?.mistake).toContain('the image tagged v2');
  });

  it('prod already taken in an IMMUTABLE repository', async () => {
    const repo = 'promote-immutable';
    await repoWithVersions(repo, 'IMMUTABLE');
    expect((await promote(repo, 'v2')).code).toBe(0);
    const refused = await promote(repo, 'v1');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('ImageTagAlreadyExistsException');
    expect(await diagnosis('image-promoted', await context(repo), params)).toBe('promoted-tag-immutable');
  });

  it('promoted by pulling, tagging and pushing through the learner’s machine', async () => {
    const repo = 'promote-push';
    await repoWithVersions(repo);
    const pulled = await sh(`docker rmi ${uriOf(repo)}:v1 && docker pull ${uriOf(repo)}:v1 && docker tag ${uriOf(repo)}:v1 ${uriOf(repo)}:prod && docker push ${uriOf(repo)}:prod`);
    expect(pulled.code, pulled.output).toBe(0);
    images.push(`${uriOf(repo)}:prod`);
    expect(await diagnosis('image-promoted', await context(repo), params)).toBe('promoted-by-push');
    // The fix the diagnosis gives: remove the tag, then promote with the API.
    expect((await sh(awsCmd(`ecr batch-delete-image --repository-name ${repo} --image-ids imageTag=prod`))).code).toBe(0);
    expect((await promote(repo, 'v1')).code).toBe(0);
    expect(await diagnosis('image-promoted', await context(repo), params)).toBe('pass');
  });
});

describe('every diagnosis in the table has a test above', () => {
  it('lists them', async () => {
    const source = fs.readFileSync(path.resolve(import.meta.dirname, '../../src/check/diagnoses.ts'), 'utf8');
    const ids = [...source.matchAll(/\bd\(\s*'([a-z-]+)'/g)].map((m) => m[1]);
    // The break-fix drills make their own mistakes for real in test/drills: each drill's
    // diagnosis is asserted by solveDrill for every drill those tests solve, and the others
    // they name are quoted there.
    const drillTests = path.resolve(import.meta.dirname, '../drills');
    const drillTexts = fs.readdirSync(drillTests).filter((f) => f.endsWith('.test.ts')).map((f) => fs.readFileSync(path.join(drillTests, f), 'utf8'));
    const drillsDir = path.resolve(import.meta.dirname, '../../lessons/drills');
    const solvedDrills = fs
      .readdirSync(drillsDir)
      .filter((f) => f.endsWith('.md') && drillTexts.some((t) => t.includes(`solveDrill(lab(), '${f.slice(0, -3)}'`)))
      .map((f) => /^diagnosis: ([a-z-]+)$/m.exec(fs.readFileSync(path.join(drillsDir, f), 'utf8'))?.[1]);
    const tested = [fs.readFileSync(import.meta.filename, 'utf8'), ...drillTexts, ...solvedDrills.map((id) => `'${id}'`)].join('\n');
    // Diagnoses about the environment (docker down, network, throttling) or made only by the
    // runner are covered in their own tests.
    // lifecycle-preview-running needs AWS's slow preview: test/checks/lifecycle.test.ts.
    const elsewhere = ['expired-credentials', 'access-denied', 'throttled', 'unreachable', 'docker-down', 'quiz-not-passed', 'sso-expired', 'unknown-region', 'lifecycle-preview-running'];
    for (const id of ids) if (!elsewhere.includes(id!)) expect(tested, id).toContain(`'${id}'`);
    expect(ids.length).toBeGreaterThan(15);
  });
});
