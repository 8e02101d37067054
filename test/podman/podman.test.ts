import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectClient } from '../../src/docker/client.js';
import { podmanAuthFiles } from '../../src/docker/config.js';
import { runShell } from '../../src/util/shell.js';
import { removeRepositoryImages } from '../../src/docker/cli.js';
import { podmanLeftovers } from '../helpers/docker.js';
import { checkAs, followFixes, mistakeThenFix as fixFollowed, verdict, type TestLearner } from '../helpers/learner.js';
import { BIN, installedAwsClis, isolatedCliEnv, learnerHome, scratchBuildContext, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

// A Podman learner (no docker in their commands): the checks read Podman's own credential files
// and images, diagnose Podman's own wording, and the fixes they print are podman commands that
// work against the plain-HTTP sandbox. skopeo, a second registry client, inspects and copies.
// CI installs Debian's podman and skopeo; elsewhere these tests need them, and say so when skipped.
const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const ready = (has('podman') && has('skopeo')) || !!process.env.CI;
if (!ready) console.info('test/podman: skipped, podman and skopeo are not installed');

const aws = installedAwsClis()[0]!;
let sandbox: TestSandbox;
let home: string;
let learner: TestLearner;
const images: string[] = [];
const followed = new Set<string>();
const sh = (script: string, env: NodeJS.ProcessEnv = learner.env) => runShell(script, env);
const token = () => `$(AWS_ACCESS_KEY_ID=${sandbox.credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${sandbox.credentials.secretAccessKey} "${aws.path}" --endpoint-url ${sandbox.endpoint} ecr get-login-password)`;

async function createRepo(name: string, extra = ''): Promise<void> {
  const r = await sh(`"${aws.path}" --endpoint-url ${sandbox.endpoint} ecr create-repository --repository-name ${name} ${extra} --profile ecr-workbook --region us-east-1`);
  expect(r.code, r.output).toBe(0);
}

async function build(name: string, content: string): Promise<void> {
  const dir = scratchBuildContext(path.join(home, 'ctx', name.replace(/[/:]/g, '_')), content);
  const r = await sh(`podman build -q -t ${name} ${dir}`);
  expect(r.code, r.output).toBe(0);
  images.push(name);
}

const mistakeThenFix = (check: string, repo: string, expected: string[]) => fixFollowed(learner, sandbox, check, repo, expected, followed);

describe.runIf(ready)('a Podman learner', () => {
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    home = tempDir('ecrwb-podman-');
    fs.mkdirSync(path.join(home, 'run'), { recursive: true, mode: 0o700 });
    // Podman's logins go to $XDG_RUNTIME_DIR/containers/auth.json (a folder of this test's own)
    // unless DOCKER_CONFIG is set, which podman 4 then uses instead: a Podman learner has none.
    const env: NodeJS.ProcessEnv = { ...isolatedCliEnv(sandbox, home), XDG_RUNTIME_DIR: path.join(home, 'run'), AWS_ENDPOINT_URL_ECR: sandbox.endpoint, AWS_ENDPOINT_URL_STS: sandbox.endpoint };
    delete env.DOCKER_CONFIG;
    learner = { env, state: path.join(home, 'state'), client: 'podman' };
    for (const [k, v] of [['aws_access_key_id', sandbox.credentials.accessKeyId], ['aws_secret_access_key', sandbox.credentials.secretAccessKey], ['region', 'us-east-1']]) {
      execFileSync(aws.path, ['configure', 'set', k!, v!, '--profile', 'ecr-workbook'], { env });
    }
  }, 180_000);

  afterAll(async () => {
    if (images.length) spawnSync('podman', ['rmi', '-f', ...images], { encoding: 'utf8' });
    // The first prebuilt:v1, which the rebuild left without a name, goes too.
    for (const repo of ['pcopy', 'phub', 'prebuilt']) {
      for (const name of [`localhost/${repo}`, `${sandbox.registryHost}/${repo}`]) await removeRepositoryImages(name, { client: 'podman', env: process.env });
    }
    await sandbox?.stop();
    expect(podmanLeftovers((name) => name.startsWith(`${sandbox.registryHost}/`))).toEqual([]);
  });

  it('logs in: podman login without --tls-verify=false fails on the sandbox, the check says why, and its printed fix works', async () => {
    const plain = await sh(`podman login --username AWS --password ${token()} ${sandbox.registryHost}`);
    expect(plain.code).not.toBe(0);
    expect(plain.output).toContain('server gave HTTP response to HTTPS client');
    const result = await checkAs(learner, sandbox, 'x', 'docker-logged-in');
    expect(verdict(result)).toEqual(['not-logged-in']);
    expect(result.diagnosis?.mistake).toContain('Podman has no login');
    expect(result.diagnosis?.fix).toContain('server gave HTTP response to HTTPS client');
    expect(result.diagnosis?.command).toBe(
      `aws ecr get-login-password --region us-east-1 --profile ecr-workbook | podman login --tls-verify=false --username AWS --password-stdin ${sandbox.registryHost}`,
    );
    await followFixes(result, learner, followed);
    expect(fs.existsSync(path.join(home, 'run', 'containers', 'auth.json'))).toBe(true);
    const after = await checkAs(learner, sandbox, 'x', 'docker-logged-in');
    expect(verdict(after)).toEqual(['pass']);
    expect(after.evidence.join('\n')).toContain(path.join(home, 'run', 'containers', 'auth.json'));
  });

  it("reads every file Podman reads, in its order: REGISTRY_AUTH_FILE alone, else the runtime file, ~/.config/containers, docker's config", async () => {
    expect(podmanAuthFiles({ REGISTRY_AUTH_FILE: '/a/auth.json', HOME: '/h', XDG_RUNTIME_DIR: '/r' })).toEqual(['/a/auth.json']);
    expect(podmanAuthFiles({ DOCKER_CONFIG: '/d', HOME: '/h', XDG_RUNTIME_DIR: '/r' })).toEqual(['/d/config.json']);
    expect(podmanAuthFiles({ HOME: '/h', XDG_RUNTIME_DIR: '/r' })).toEqual(['/r/containers/auth.json', '/h/.config/containers/auth.json', '/h/.docker/config.json']);
    // With DOCKER_CONFIG set, podman logs in there, and the check looks there.
    const dockerConfig = { ...learner, env: { ...learner.env, DOCKER_CONFIG: path.join(home, 'docker-config') } };
    expect((await sh(`podman login --tls-verify=false --username AWS --password ${token()} ${sandbox.registryHost}`, dockerConfig.env)).code).toBe(0);
    expect(fs.existsSync(path.join(home, 'docker-config', 'config.json'))).toBe(true);
    expect(verdict(await checkAs(dockerConfig, sandbox, 'x', 'docker-logged-in'))).toEqual(['pass']);
    // A login kept where REGISTRY_AUTH_FILE points (CI systems, rootless setups do this).
    const authFile = path.join(home, 'elsewhere', 'auth.json');
    const withFile = { ...learner, env: { ...learner.env, REGISTRY_AUTH_FILE: authFile } };
    expect(verdict(await checkAs(withFile, sandbox, 'x', 'docker-logged-in'))).toEqual(['not-logged-in']);
    expect((await sh(`podman login --tls-verify=false --username AWS --password ${token()} ${sandbox.registryHost}`, withFile.env)).code).toBe(0);
    const found = await checkAs(withFile, sandbox, 'x', 'docker-logged-in');
    expect(verdict(found)).toEqual(['pass']);
    expect(found.evidence.join('\n')).toContain(authFile);
    // With no runtime file, ~/.config/containers/auth.json counts, as it does for podman.
    const noRuntime = { ...learner, env: { ...learner.env, XDG_RUNTIME_DIR: path.join(home, 'empty-run') } };
    fs.mkdirSync(path.join(home, '.config', 'containers'), { recursive: true });
    fs.copyFileSync(authFile, path.join(home, '.config', 'containers', 'auth.json'));
    expect(verdict(await checkAs(noRuntime, sandbox, 'x', 'docker-logged-in'))).toEqual(['pass']);
  });

  it("a login with another username, in Podman's auth file, is named", async () => {
    const authFile = path.join(home, 'run', 'containers', 'auth.json');
    const saved = fs.readFileSync(authFile, 'utf8');
    const refused = await sh(`podman login --tls-verify=false --username ecr-learner --password ${token()} ${sandbox.registryHost}`);
    expect(refused.output).toContain('invalid username/password');
    const auth = JSON.parse(saved);
    auth.auths[sandbox.registryHost] = { auth: Buffer.from('ecr-learner:secret').toString('base64') };
    fs.writeFileSync(authFile, JSON.stringify(auth));
    await mistakeThenFix('docker-logged-in', 'x', ['username-not-aws']);
  });

  it('podman push without the registry host: Podman words, and the printed fix pushes to the sandbox', async () => {
    await createRepo('phub');
    await build('phub:v1', 'podman to the hub');
    images.push(`${sandbox.registryHost}/phub:v1`);
    const push = await sh('podman push phub:v1');
    expect(push.code).not.toBe(0);
    const result = await checkAs(learner, sandbox, 'phub', 'image-pushed');
    expect(result.diagnosis?.mistake).toContain('`podman push phub:v1` goes to Docker Hub');
    expect(result.diagnosis?.command).toBe(`podman tag phub:v1 ${sandbox.registryHost}/phub:v1 && podman push --tls-verify=false ${sandbox.registryHost}/phub:v1`);
    await mistakeThenFix('image-pushed', 'phub', ['pushed-to-docker-hub']);
  });

  it('a rebuild after the push: Podman image ids compared with the pushed image, and the fix leads to a pass', async () => {
    await createRepo('prebuilt', '--image-tag-mutability IMMUTABLE');
    const uri = `${sandbox.registryHost}/prebuilt:v1`;
    await build('prebuilt:v1', 'first');
    images.push(uri);
    expect((await sh(`podman tag prebuilt:v1 ${uri} && podman push --tls-verify=false ${uri}`)).code).toBe(0);
    expect(verdict(await checkAs(learner, sandbox, 'prebuilt', 'image-pushed'))).toEqual(['pass']);
    await build('prebuilt:v1', 'second');
    expect((await sh(`podman tag prebuilt:v1 ${uri}`)).code).toBe(0);
    await mistakeThenFix('image-pushed', 'prebuilt', ['digest-mismatch']);
  });

  it('pulls it back with podman; the check sees the pull', async () => {
    await mistakeThenFix('image-verified', 'prebuilt', ['not-pulled-back']);
    expect([...followed].sort()).toEqual(['digest-mismatch', 'not-logged-in', 'not-pulled-back', 'pushed-to-docker-hub', 'username-not-aws']);
  });

  it('skopeo inspects and copies against the sandbox: the digest ECR reports, and the copy lands in another repository', async () => {
    await createRepo('pcopy');
    const creds = `AWS:${token()}`;
    const inspect = await sh(`skopeo inspect --tls-verify=false --creds "${creds}" docker://${sandbox.registryHost}/prebuilt:v1`);
    expect(inspect.code, inspect.output).toBe(0);
    const described = await sh(`"${aws.path}" ecr describe-images --repository-name prebuilt --image-ids imageTag=v1 --query 'imageDetails[0].imageDigest' --output text --profile ecr-workbook --region us-east-1`);
    expect(JSON.parse(inspect.output).Digest).toBe(described.output.trim());
    const copy = await sh(
      `skopeo copy --src-tls-verify=false --dest-tls-verify=false --src-creds "${creds}" --dest-creds "${creds}" docker://${sandbox.registryHost}/prebuilt:v1 docker://${sandbox.registryHost}/pcopy:v1`,
    );
    expect(copy.code, copy.output).toBe(0);
    const copied = await sh(`"${aws.path}" ecr describe-images --repository-name pcopy --image-ids imageTag=v1 --query 'imageDetails[0].imageDigest' --output text --profile ecr-workbook --region us-east-1`);
    expect(copied.output.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const copiedInspect = await sh(`skopeo inspect --tls-verify=false --creds "${creds}" --config docker://${sandbox.registryHost}/pcopy:v1`);
    const original = await sh(`skopeo inspect --tls-verify=false --creds "${creds}" --config docker://${sandbox.registryHost}/prebuilt:v1`);
    expect(copiedInspect.output).toBe(original.output);
  });
});

describe.runIf(ready)('choosing the client', () => {
  const bins = tempDir('ecrwb-clients-');
  const pathWith = (dir: string) => `${dir}:/usr/bin:/bin`;

  it('podman when there is no docker, podman when docker is the podman-docker shim, else docker', async () => {
    const onlyPodman = path.join(bins, 'only-podman');
    fs.mkdirSync(onlyPodman);
    fs.symlinkSync(execFileSync('bash', ['-c', 'command -v podman'], { encoding: 'utf8' }).trim(), path.join(onlyPodman, 'podman'));
    expect(await detectClient({ PATH: onlyPodman })).toBe('podman');
    // What Debian's and Fedora's podman-docker install as `docker`.
    const shim = path.join(bins, 'shim');
    fs.mkdirSync(shim);
    fs.writeFileSync(path.join(shim, 'docker'), '#!/bin/sh\nexec podman "$@"\n', { mode: 0o755 });
    expect(await detectClient({ PATH: pathWith(shim) })).toBe('podman');
    expect(await detectClient({ PATH: process.env.PATH })).toBe('docker');
  });

  it('--client podman is remembered, and lessons render podman commands for the sandbox', () => {
    const h = tempDir('ecrwb-client-cli-');
    const env = { ...process.env, ...learnerHome(h), NO_COLOR: '1' };
    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
    try {
      expect(JSON.parse(cli('--client', 'podman', 'status', '--json').stdout).client).toBe('podman');
      expect(JSON.parse(cli('status', '--json').stdout).client).toBe('podman');
      const lesson = JSON.parse(cli('lesson', '04', '--json').stdout).markdown as string;
      expect(lesson).toMatch(/\| podman login --tls-verify=false --username AWS --password-stdin localhost:\d+/);
      expect(lesson).not.toMatch(/^\s*docker /m);
      expect(cli('--client', 'nerdctl', 'status').stderr).toContain("Allowed choices are docker, podman");
    } finally {
      cli('sandbox', 'down');
    }
  });
});
