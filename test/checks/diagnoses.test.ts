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

/** The check context a learner with repository `repo` would get, with their docker env. */
async function context(repo: string, overrides: Partial<CheckContext> = {}, s: Sandbox = sandbox): Promise<CheckContext> {
  const resolved: ResolvedTarget = {
    target: 'sandbox',
    region: s.region,
    accountId: s.accountId,
    registryHost: s.registryHost,
    repositoryName: repo,
    endpoint: s.endpoint,
    credentials: s.credentials,
    learnerCredentials: await learnerChain('ecr-workbook', env),
  };
  return checkContext(resolved, env, { localImage: `${repo}:v1`, ...overrides });
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

describe('every diagnosis in the table has a test above', () => {
  it('lists them', async () => {
    const source = fs.readFileSync(path.resolve(import.meta.dirname, '../../src/check/diagnoses.ts'), 'utf8');
    const ids = [...source.matchAll(/\bd\(\s*'([a-z-]+)'/g)].map((m) => m[1]);
    const tested = fs.readFileSync(import.meta.filename, 'utf8');
    // Diagnoses about the environment (docker down, network, throttling) or made only by the
    // runner are covered in their own tests.
    const elsewhere = ['expired-credentials', 'access-denied', 'throttled', 'unreachable', 'docker-down', 'quiz-not-passed', 'sso-expired', 'unknown-region'];
    for (const id of ids) if (!elsewhere.includes(id!)) expect(tested, id).toContain(`'${id}'`);
    expect(ids.length).toBeGreaterThan(15);
  });
});
