import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShell } from '../../src/util/shell.js';
import { checkAs, followFixes, mistakeThenFix as fixFollowed, verdict, type TestLearner } from '../helpers/learner.js';
import { installedAwsClis, isolatedCliEnv, scratchBuildContext, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

// Every diagnosis the checks give, each produced by making the learner's mistake for real with
// the docker and aws CLIs against a sandbox, then running the check that should name it, as the
// workbook runs it. Then the test types the fix the workbook printed into the learner's shell,
// exactly as printed (the learner's region, profile, registry and repository filled in), and the
// check must pass.

type Sandbox = TestSandbox;
const aws = installedAwsClis()[0]!;
let sandbox: Sandbox;
let other: Sandbox;
let home: string;
let learner: TestLearner;
const images: string[] = [];
/** The diagnosis ids whose printed fixes a test below followed to a pass. */
const followed = new Set<string>();

/** Runs a shell line asynchronously: the sandbox serves from this same process, so never block it. */
const sh = (script: string, env: NodeJS.ProcessEnv = learner.env) => runShell(script, env);

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

/** The diagnosis ids the check gives now for repository `repo` (['pass'] when it passes). */
async function diagnosis(check: string, repo: string, s: Sandbox = sandbox, who: TestLearner = learner): Promise<string[]> {
  return verdict(await checkAs(who, s, repo, check));
}

/** The check finds `expected`; its printed fixes, typed as printed, make it pass. */
const mistakeThenFix = (check: string, repo: string, expected: string[]) => fixFollowed(learner, sandbox, check, repo, expected, followed);

/** One image pushed to two new repositories (`<prefix>-a`, `<prefix>-b`); their URIs. */
async function pushedToTwo(prefix: string, content: string): Promise<[string, string]> {
  await Promise.all([createRepo(`${prefix}-a`), createRepo(`${prefix}-b`), login()]);
  const [a, b] = [`${sandbox.registryHost}/${prefix}-a:v1`, `${sandbox.registryHost}/${prefix}-b:v1`];
  await build(a, content);
  await sh(`docker tag ${a} ${b}`);
  images.push(b);
  expect((await sh(`docker push ${a} && docker push ${b}`)).code).toBe(0);
  return [a, b];
}

beforeAll(async () => {
  [sandbox, other] = await Promise.all([startTestSandbox(), startTestSandbox()]);
  home = tempDir('ecrwb-diag-');
  // As after `eval "$(ecr-workbook sandbox env)"`: the sandbox's keys and endpoints exported.
  const env = { ...isolatedCliEnv(sandbox, home), AWS_ENDPOINT_URL_ECR: sandbox.endpoint, AWS_ENDPOINT_URL_STS: sandbox.endpoint };
  learner = { env, state: path.join(home, 'state'), client: 'docker' };
}, 180_000);

afterAll(async () => {
  if (images.length) spawnSync('docker', ['rmi', '-f', ...images], { encoding: 'utf8' });
  await Promise.all([sandbox?.stop(), other?.stop()]);
});

describe('credentials (caller-identity)', () => {
  it('no credentials: says what is really there (keys exported, no profile), and lesson 02 fixes it', async () => {
    const result = await checkAs(learner, sandbox, 'creds', 'caller-identity');
    expect(verdict(result)).toEqual(['no-credentials']);
    expect(result.diagnosis?.mistake).toContain("There is no profile 'ecr-workbook'");
    expect(result.diagnosis?.mistake).toContain('Your shell does export AWS_ACCESS_KEY_ID');
    expect(result.diagnosis?.mistake).not.toContain('no access key in the environment');
    expect(result.diagnosis?.command).toContain(`aws configure set aws_access_key_id ${sandbox.credentials.accessKeyId} --profile ecr-workbook`);
    await followFixes(result, learner, followed);
    expect(await diagnosis('caller-identity', 'creds')).toEqual(['pass']);
  });

  it('expired credentials: a credential_process that hands back credentials past their Expiration', async () => {
    // Temporary credentials as a role session or SSO would give them, already expired: the SDK's
    // own expiry check refuses them, as it does on AWS.
    const script = path.join(home, 'expired-credentials.sh');
    fs.writeFileSync(
      script,
      `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"ASIAEXPIREDEXAMPLE01","SecretAccessKey":"expired","SessionToken":"expired","Expiration":"2024-01-01T00:00:00Z"}'\n`,
      { mode: 0o755 },
    );
    fs.rmSync(learner.env.AWS_SHARED_CREDENTIALS_FILE!, { force: true });
    fs.writeFileSync(learner.env.AWS_CONFIG_FILE!, `[profile ecr-workbook]\nregion = us-east-1\ncredential_process = ${script}\n`);
    const result = await checkAs(learner, sandbox, 'creds', 'caller-identity');
    expect(verdict(result)).toEqual(['expired-credentials']);
    expect(result.diagnosis?.mistake).toContain('returned expired credentials');
    await followFixes(result, learner, followed);
    expect(await diagnosis('caller-identity', 'creds')).toEqual(['pass']);
  });

  it('invalid credentials: a mistyped secret in the profile', async () => {
    await sh(`"${aws.path}" configure set aws_secret_access_key wrongwrongwrong --profile ecr-workbook`);
    await mistakeThenFix('caller-identity', 'creds', ['invalid-credentials']);
  });
});

describe('repository (repository-configured, repository-deleted)', () => {
  it('missing: never created; the fix is lesson 03 in full (scan on push, IMMUTABLE)', async () => {
    const result = await checkAs(learner, sandbox, 'never-made', 'repository-configured');
    expect(result.diagnosis?.command).toContain('--image-scanning-configuration scanOnPush=true --image-tag-mutability IMMUTABLE');
    expect(result.diagnosis?.command).toContain('--region us-east-1 --profile ecr-workbook');
    await mistakeThenFix('repository-configured', 'never-made', ['repository-missing']);
  });

  it('in another region: created with the wrong --region', async () => {
    await createRepo('wrong-region', '--image-scanning-configuration scanOnPush=true --image-tag-mutability IMMUTABLE', sandbox, 'us-west-2');
    const result = await checkAs(learner, sandbox, 'wrong-region', 'repository-configured');
    expect(result.diagnosis?.mistake).toContain('us-west-2');
    await mistakeThenFix('repository-configured', 'wrong-region', ['repository-in-other-region']);
  });

  it('both settings wrong: one run reports both, with both fixes', async () => {
    await createRepo('bare');
    await mistakeThenFix('repository-configured', 'bare', ['scan-on-push-wrong', 'tag-mutability-wrong']);
  });

  it('scan on push left off', async () => {
    await createRepo('no-scan', '--image-tag-mutability IMMUTABLE');
    await mistakeThenFix('repository-configured', 'no-scan', ['scan-on-push-wrong']);
  });

  it('tag mutability left MUTABLE', async () => {
    await createRepo('mutable', '--image-scanning-configuration scanOnPush=true');
    await mistakeThenFix('repository-configured', 'mutable', ['tag-mutability-wrong']);
  });

  it('still there at clean-up, its size in human units', async () => {
    await createRepo('leftover');
    const result = await checkAs(learner, sandbox, 'leftover', 'repository-deleted');
    expect(result.diagnosis?.mistake).toContain('0 image(s), 0 B');
    await mistakeThenFix('repository-deleted', 'leftover', ['repository-still-there']);
  });
});

describe('docker login (docker-logged-in)', () => {
  it('not logged in', async () => {
    await mistakeThenFix('docker-logged-in', 'x', ['not-logged-in']);
    await sh(`docker logout ${sandbox.registryHost}`);
  });

  it('logged in to another host (another registry port, as with a wrong region or account)', async () => {
    await login(other);
    await mistakeThenFix('docker-logged-in', 'x', ['logged-in-other-host']);
  });

  it('a username other than AWS: docker login is refused, and a stored non-AWS login is named', async () => {
    const refused = await sh(`${awsCmd('ecr get-login-password')} | docker login --username ecr-learner --password-stdin ${sandbox.registryHost}`);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/401 Unauthorized/);
    // A login stored under another user name (a hand-edited config, an old helper entry).
    const configFile = path.join(learner.env.DOCKER_CONFIG!, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.auths[sandbox.registryHost] = { auth: Buffer.from('ecr-learner:secret').toString('base64') };
    fs.writeFileSync(configFile, JSON.stringify(config));
    await mistakeThenFix('docker-logged-in', 'x', ['username-not-aws']);
  });

  it('token expired', async () => {
    const shortLived = await startTestSandbox({ tokenTtlSeconds: 4 });
    const shortEnv = { ...learner.env, AWS_ENDPOINT_URL_ECR: shortLived.endpoint, AWS_ENDPOINT_URL_STS: shortLived.endpoint };
    const who = { ...learner, env: shortEnv };
    try {
      // The profile holds the first sandbox's key; this one issued its own.
      for (const [k, v] of [['aws_access_key_id', shortLived.credentials.accessKeyId], ['aws_secret_access_key', shortLived.credentials.secretAccessKey]]) {
        await sh(`"${aws.path}" configure set ${k} ${v} --profile ecr-workbook`);
      }
      await login(shortLived);
      expect(await diagnosis('docker-logged-in', 'x', shortLived, who)).toEqual(['pass']);
      await new Promise((r) => setTimeout(r, 4500));
      const result = await checkAs(who, shortLived, 'x', 'docker-logged-in');
      expect(verdict(result)).toEqual(['token-expired']);
      await followFixes(result, who, followed);
      expect(await diagnosis('docker-logged-in', 'x', shortLived, who)).toEqual(['pass']);
    } finally {
      for (const [k, v] of [['aws_access_key_id', sandbox.credentials.accessKeyId], ['aws_secret_access_key', sandbox.credentials.secretAccessKey]]) {
        await sh(`"${aws.path}" configure set ${k} ${v} --profile ecr-workbook`);
      }
      await shortLived.stop();
    }
  });

  it('passes after a correct login', async () => {
    await login();
    expect(await diagnosis('docker-logged-in', 'x')).toEqual(['pass']);
  });
});

describe('more login and push mistakes', () => {
  it('a credential store that is not installed (credsStore: desktop on Linux or WSL)', async () => {
    const configFile = path.join(learner.env.DOCKER_CONFIG!, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, 'utf8')), credsStore: 'desktop' }));
    const result = await checkAs(learner, sandbox, 'x', 'docker-logged-in');
    expect(result.diagnosis?.mistake).toContain('docker-credential-desktop');
    await mistakeThenFix('docker-logged-in', 'x', ['credential-helper-broken']);
    expect(JSON.parse(fs.readFileSync(configFile, 'utf8')).credsStore).toBeUndefined();
  });

  it('a stored login the registry rejects (a typed password instead of a token)', async () => {
    const configFile = path.join(learner.env.DOCKER_CONFIG!, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.auths[sandbox.registryHost] = { auth: Buffer.from('AWS:hunter2').toString('base64') };
    fs.writeFileSync(configFile, JSON.stringify(config));
    await mistakeThenFix('docker-logged-in', 'x', ['login-rejected']);
  });

  it('tagged for another registry host (the other sandbox, as another region or account would be)', async () => {
    await build('otherhost:v1', 'oh');
    await sh(`docker tag otherhost:v1 ${other.registryHost}/otherhost:v1`);
    images.push(`${other.registryHost}/otherhost:v1`, `${sandbox.registryHost}/otherhost:v1`);
    await mistakeThenFix('image-tagged', 'otherhost', ['tagged-other-host']);
  });

  it('tagged but not pushed, then pushed but not pulled back, then pulled back', async () => {
    await createRepo('verify-app');
    const uri = `${sandbox.registryHost}/verify-app:v1`;
    await build('verify-app:v1', 'verify');
    await sh(`docker tag verify-app:v1 ${uri}`);
    images.push(uri);
    await mistakeThenFix('image-pushed', 'verify-app', ['not-pushed']);
    await mistakeThenFix('image-verified', 'verify-app', ['not-pulled-back']);
  });

  it('a pull from before lesson 07 verified the push does not count for lesson 08; a pull after it does', async () => {
    const early = { ...learner, state: path.join(home, 'state-early-pull') };
    await Promise.all([createRepo('early-pull'), login()]);
    const uri = `${sandbox.registryHost}/early-pull:v1`;
    await build('early-pull:v1', 'pulled before lesson 08');
    await sh(`docker tag early-pull:v1 ${uri}`);
    images.push(uri);
    // The learner pushes and, curious, pulls straight away; then lesson 07's check passes.
    expect((await sh(`docker push ${uri} && docker pull ${uri}`)).code).toBe(0);
    expect(verdict(await checkAs(early, sandbox, 'early-pull', 'image-pushed', { record: true }))).toEqual(['pass']);
    const before = await checkAs(early, sandbox, 'early-pull', 'image-verified');
    expect(verdict(before)).toEqual(['not-pulled-back']);
    expect(before.diagnosis?.mistake).toContain("since lesson 07's check verified the push");
    await followFixes(before, early, followed);
    expect(verdict(await checkAs(early, sandbox, 'early-pull', 'image-verified'))).toEqual(['pass']);
  });

  it('a pull of an image the client already holds (the same image from a second repository) counts', async () => {
    const [, b] = await pushedToTwo('pull', 'one image, two repositories');
    expect(await diagnosis('image-verified', 'pull-b')).toEqual(['not-pulled-back']);
    // docker still has every byte of it under pull-a: pulling pull-b fetches no manifest body.
    expect((await sh(`docker rmi ${b} && docker pull ${b}`)).code).toBe(0);
    expect(await diagnosis('image-verified', 'pull-b')).toEqual(['pass']);
  });
});

/** containerd's socket (Docker's own, or a system containerd), if this machine has one: Docker's containerd image store and nerdctl pull through it. */
const containerdSocket = ['/run/containerd/containerd.sock', '/run/docker/containerd/containerd.sock'].find((f) => fs.existsSync(f));

describe("a pull by containerd's client, which resolves a tag with HEAD and fetches only what it lacks", () => {
  // CI has dockerd's containerd; elsewhere the test needs one too, and says so when skipped.
  it.runIf(containerdSocket || process.env.CI)('the same image pulled from a second repository is a recorded pull, though only a HEAD reached the registry', async () => {
    const ctr = `ctr --address ${containerdSocket} --namespace ecrwb-test-${process.pid}`;
    const [a, b] = await pushedToTwo('ctr', 'pulled through containerd');
    const user = `AWS:$(${awsCmd('ecr get-login-password')})`;
    try {
      expect((await sh(`${ctr} content fetch --plain-http --user "${user}" ${a}`)).code).toBe(0);
      expect(await diagnosis('image-verified', 'ctr-b')).toEqual(['not-pulled-back']);
      // Every blob of ctr-b is in containerd already: it HEADs the tag and fetches nothing.
      const second = await sh(`${ctr} content fetch --plain-http --user "${user}" ${b}`);
      expect(second.code, second.output).toBe(0);
      expect(second.output).toMatch(/total:\s+0\.0 B/);
      expect(await diagnosis('image-verified', 'ctr-b')).toEqual(['pass']);
    } finally {
      await sh(`${ctr} images ls -q | xargs -r ${ctr} images rm; ${ctr} content ls -q | xargs -r ${ctr} content rm; ${ctr} namespaces rm ecrwb-test-${process.pid}`);
    }
  });
});

describe('build, tag, push (image-built, image-tagged, image-pushed)', () => {
  it('image not built (built under another tag); the fix builds the lesson image', async () => {
    await build('notbuilt:latest', 'a');
    images.push('notbuilt:v1');
    const result = await checkAs(learner, sandbox, 'notbuilt', 'image-built');
    expect(result.diagnosis?.mistake).toContain('notbuilt:latest');
    await mistakeThenFix('image-built', 'notbuilt', ['image-not-built']);
  });

  it('tag missing, then tag pointing at another image, then the build gone', async () => {
    await build('tagapp:v1', 'first build');
    const uri = `${sandbox.registryHost}/tagapp:v1`;
    images.push(uri);
    await mistakeThenFix('image-tagged', 'tagapp', ['tag-missing']);
    await build(uri, 'some other build');
    await mistakeThenFix('image-tagged', 'tagapp', ['tag-points-elsewhere']);
    // The build removed: nothing to compare the tag with, so no pass on half the evidence.
    await sh('docker rmi tagapp:v1');
    const gone = await checkAs(learner, sandbox, 'tagapp', 'image-tagged');
    expect(gone.status).toBe('fail');
    await mistakeThenFix('image-tagged', 'tagapp', ['build-gone']);
  });

  it('pushed to Docker Hub by mistake (no registry host in the tag)', async () => {
    await createRepo('hubapp');
    await build('hubapp:v1', 'hub');
    images.push(`${sandbox.registryHost}/hubapp:v1`);
    const push = await sh('docker push hubapp:v1');
    expect(push.code).not.toBe(0); // Docker Hub refuses it (or, offline, cannot be reached)
    await mistakeThenFix('image-pushed', 'hubapp', ['pushed-to-docker-hub']);
  });

  it('rebuilt and re-tagged after pushing to an IMMUTABLE repository: compared by image id, and the fix leads to a pass', async () => {
    await createRepo('rebuilt', '--image-tag-mutability IMMUTABLE');
    const uri = `${sandbox.registryHost}/rebuilt:v1`;
    await build('rebuilt:v1', 'pushed version');
    await sh(`docker tag rebuilt:v1 ${uri}`);
    images.push(uri);
    expect((await sh(`docker push ${uri}`)).code).toBe(0);
    expect(await diagnosis('image-pushed', 'rebuilt')).toEqual(['pass']);
    // The learner changes the page, builds again and re-tags, as lesson 06 taught.
    await build('rebuilt:v1', 'changed after the push');
    await sh(`docker tag rebuilt:v1 ${uri}`);
    const result = await checkAs(learner, sandbox, 'rebuilt', 'image-pushed');
    expect(result.diagnosis?.mistake).toMatch(/image id sha256:[0-9a-f]{64}\) is another image than your local .*\(image id sha256:/);
    expect(result.diagnosis?.command).toContain('ecr batch-delete-image --repository-name rebuilt --image-ids imageTag=v1 --region us-east-1 --profile ecr-workbook');
    await mistakeThenFix('image-pushed', 'rebuilt', ['digest-mismatch']);
  });

  it('a MUTABLE repository holding an older push: the fix pushes over it', async () => {
    await createRepo('mutated');
    const uri = `${sandbox.registryHost}/mutated:v1`;
    await build(uri, 'first');
    expect((await sh(`docker push ${uri}`)).code).toBe(0);
    await build(uri, 'second');
    const result = await checkAs(learner, sandbox, 'mutated', 'image-pushed');
    expect(result.diagnosis?.command).toBe(`docker push ${uri}`);
    await mistakeThenFix('image-pushed', 'mutated', ['digest-mismatch']);
  });

  it('pushed, then every local copy removed: "could not compare", never a pass', async () => {
    await createRepo('nolocal');
    const uri = `${sandbox.registryHost}/nolocal:v1`;
    await build(uri, 'no local copy');
    expect((await sh(`docker push ${uri} && docker rmi ${uri}`)).code).toBe(0);
    const result = await checkAs(learner, sandbox, 'nolocal', 'image-pushed');
    expect(result.status).toBe('error');
    expect(result.evidence.join('\n')).toContain('not compared');
    await mistakeThenFix('image-pushed', 'nolocal', ['no-local-image']);
  });

  it('the repository is missing at push time', async () => {
    await build(`${sandbox.registryHost}/nopush:v1`, 'np');
    expect(await diagnosis('image-pushed', 'nopush')).toEqual(['repository-missing']);
  });
});

describe('the engine out of reach (docker-down)', () => {
  it('DOCKER_HOST names a socket that does not exist: could not check, and the fix is to unset it', async () => {
    const stray = { ...learner, env: { ...learner.env, DOCKER_HOST: `unix://${path.join(home, 'no-such-docker.sock')}` } };
    const result = await checkAs(stray, sandbox, 'verify-app', 'image-built');
    expect(result.status).toBe('error');
    expect(verdict(result)).toEqual(['docker-down']);
    expect(result.diagnosis?.mistake).toContain('no-such-docker.sock');
    const after = await followFixes(result, stray, followed);
    expect(after.DOCKER_HOST).toBeUndefined();
    expect(verdict(await checkAs({ ...learner, env: after }, sandbox, 'verify-app', 'image-built'))).toEqual(['pass']);
  });
});

describe('every diagnosis in the table is made for real above, and its printed fix followed', () => {
  const source = fs.readFileSync(path.resolve(import.meta.dirname, '../../src/check/diagnoses.ts'), 'utf8');
  const ids = [...source.matchAll(/\bd\(\s*'([a-z-]+)'/g)].map((m) => m[1]!);
  // Made elsewhere, or not followable here, each for a reason:
  const elsewhere: Record<string, string> = {
    'access-denied': 'the IAM tests deny for real; the fix is an admin attaching `iam-policy`',
    throttled: 'only AWS throttles; its fix is to wait',
    unreachable: 'a network that is down (test/aws/errors.test.ts)',
    'unknown-region': 'a DNS name of real AWS (test/aws/errors.test.ts); the sandbox refuses made-up regions outright',
    'sso-expired': 'made for real in test/cli/runner-cli.test.ts (an expired SSO token cache); its fix needs an SSO portal',
    'quiz-not-answered': 'the knowledge check, through the CLI (test/cli/runner-cli.test.ts) and the terminal (test/runner/interactive.test.ts)',
    'quiz-not-passed': 'the knowledge check, through the CLI (test/cli/runner-cli.test.ts)',
  };

  it('lists them', () => {
    expect(ids.length).toBeGreaterThan(20);
    const tested = fs.readFileSync(import.meta.filename, 'utf8');
    for (const id of ids) if (!(id in elsewhere)) expect(tested, id).toContain(`'${id}'`);
  });

  it('followed every fix but those made elsewhere', () => {
    expect(ids.filter((id) => !(id in elsewhere) && !followed.has(id))).toEqual([]);
  });
});
