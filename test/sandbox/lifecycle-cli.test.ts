import crypto from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CreateRepositoryCommand, PutLifecyclePolicyCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxHome } from '../../src/paths.js';
import { removeRuntimeFile } from '../../src/util/daemon.js';
import { announceInProcessSandbox } from '../../src/sandbox/runtime.js';
import { runShell } from '../../src/util/shell.js';
import { BIN, ecrClient, installedAwsClis, isolatedCliEnv, learnerHome, scratchBuildContext, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';
import { RegistryHttp, registryAuthorization, type PushedImage } from '../helpers/registry-http.js';

// Lessons 12 and 13 as a learner types them: the lifecycle preview through each installed aws
// CLI, real expiry after `ecr-workbook sandbox clock advance` with the freed layers checked on
// disk, the retag recipe with each aws CLI, and docker pulling the promoted tag.

const clis = installedAwsClis();
const home = tempDir('ecrwb-lc-cli-');
const stateDir = sandboxHome(path.join(home, 'state'));
let sandbox: TestSandbox;
let ecr: ECRClient;
let registry: RegistryHttp;
let env: NodeJS.ProcessEnv;
const localImages: string[] = [];

/**
 * The workbook's own CLI, in the learner's environment (it finds the sandbox by its state
 * folder). Asynchronous: the sandbox it talks to serves from this very process.
 */
function workbook(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...learnerHome(home), NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
const sh = (script: string) => runShell(script, env);

/** Where the registry keeps a blob's bytes. */
const blobData = (digest: string) => path.join(stateDir, 'registry', 'docker', 'registry', 'v2', 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7), 'data');

beforeAll(async () => {
  sandbox = await startTestSandbox({ dir: stateDir });
  await announceInProcessSandbox(stateDir, sandbox);
  ecr = ecrClient(sandbox);
  registry = new RegistryHttp(sandbox.endpoint, await registryAuthorization(sandbox));
  env = isolatedCliEnv(sandbox, path.join(home, 'learner'));
}, 120_000);

afterAll(async () => {
  if (localImages.length) spawnSync('docker', ['rmi', '-f', ...localImages], { encoding: 'utf8' });
  ecr?.destroy();
  removeRuntimeFile(stateDir, process.pid);
  await sandbox?.stop();
});

describe('the lifecycle preview through the real aws CLIs', () => {
  it('finds at least one aws CLI', () => {
    expect(clis.length).toBeGreaterThan(0);
  });

  for (const cli of clis) {
    it(`start-lifecycle-policy-preview, wait and get-lifecycle-policy-preview with ${cli.version.split(' ')[0]}`, async () => {
      const name = `preview-v${cli.major}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
      const pushed: PushedImage[] = [];
      for (const tag of ['v1', 'v2', 'v3']) pushed.push(await registry.pushImage(name, tag, [100]));
      const file = path.join(home, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify({ rules: [{ rulePriority: 1, description: 'keep one', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }, null, 2));
      const aws = `"${cli.path}" --endpoint-url ${sandbox.endpoint} ecr`;
      const started = await sh(`${aws} start-lifecycle-policy-preview --repository-name ${name} --lifecycle-policy-text file://${file} --output json`);
      expect(started.code, started.output).toBe(0);
      expect(JSON.parse(started.output)).toMatchObject({ repositoryName: name, status: 'IN_PROGRESS' });
      const waited = await sh(`${aws} wait lifecycle-policy-preview-complete --repository-name ${name}`);
      expect(waited.code, waited.output).toBe(0);
      const got = await sh(`${aws} get-lifecycle-policy-preview --repository-name ${name} --output json`);
      expect(got.code, got.output).toBe(0);
      const preview = JSON.parse(got.output);
      expect(preview.status).toBe('COMPLETE');
      expect(preview.summary).toEqual({ expiringImageTotalCount: 2 });
      expect(preview.previewResults.map((r: { imageTags: string[]; appliedRulePriority: number; action: { type: string } }) => [r.imageTags, r.appliedRulePriority, r.action.type])).toEqual([
        [['v1'], 1, 'EXPIRE'],
        [['v2'], 1, 'EXPIRE'],
      ]);
    });
  }
});

describe('expiry that really happens when the sandbox clock moves', () => {
  it('untagged images go a day later, their layers leave the disk at the next collection, and the CLI shows the clock', async () => {
    const name = 'expiry';
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const first = await registry.pushImage(name, 'nightly', [4096]);
    const second = await registry.pushImage(name, 'nightly', [2048]);
    const current = await registry.pushImage(name, 'nightly', [1024]);
    const policy = { rules: [{ rulePriority: 1, description: 'untagged after a day', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } }] };
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: JSON.stringify(policy) }));

    const early = JSON.parse((await workbook('sandbox', 'lifecycle', 'run', '--repository', name, '--json')).stdout);
    expect(early.runs[0].expired).toEqual([]);

    const advanced = await workbook('sandbox', 'clock', 'advance', '2d');
    expect(advanced.status, advanced.stderr).toBe(0);
    expect(advanced.stdout).toContain('(2 days ahead of real time)');
    expect(JSON.parse((await workbook('sandbox', 'status', '--json')).stdout)).toMatchObject({ running: true, clockOffsetSeconds: 2 * 86_400 });
    const ran = await workbook('sandbox', 'lifecycle', 'run');
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`${name} (${sandbox.region}): expired 2 images`);
    expect(ran.stdout).toContain('<untagged>');
    expect(ran.stdout).toContain('rule 1');

    // Deleted from the books at once; their bytes go at the next garbage collection (a clean stop).
    for (const layer of [...first.layers, ...second.layers, ...current.layers]) expect(fs.existsSync(blobData(layer.digest)), layer.digest).toBe(true);
    removeRuntimeFile(stateDir, process.pid);
    await sandbox.stop();
    for (const layer of [...first.layers, ...second.layers]) expect(fs.existsSync(blobData(layer.digest)), layer.digest).toBe(false);
    expect(fs.existsSync(blobData(current.layers[0]!.digest))).toBe(true);

    // A stopped sandbox's clock lives in its state file: shown, moved and reset there.
    expect((await workbook('sandbox', 'clock')).stdout).toContain('(2 days ahead of real time)');
    expect((await workbook('sandbox', 'status')).stdout).toContain('Its clock is 2 days ahead of real time.');
    expect(JSON.parse((await workbook('sandbox', 'clock', 'advance', '12h', '--json')).stdout)).toMatchObject({ running: false, offsetSeconds: 2.5 * 86_400 });
    expect(JSON.parse((await workbook('sandbox', 'clock', 'reset', '--json')).stdout)).toMatchObject({ running: false, offsetSeconds: 0 });
    const notRunning = await workbook('sandbox', 'lifecycle', 'run');
    expect(notRunning.status).toBe(1);
    expect(notRunning.stderr).toContain('ecr-workbook sandbox up');

    sandbox = await startTestSandbox({ dir: stateDir });
    await announceInProcessSandbox(stateDir, sandbox);
    ecr.destroy();
    ecr = ecrClient(sandbox);
    registry = new RegistryHttp(sandbox.endpoint, await registryAuthorization(sandbox));
    env = isolatedCliEnv(sandbox, path.join(home, 'learner'));
    expect(sandbox.store.clock.offsetSeconds()).toBe(0);
  });

  it('refuses a duration without a unit, and changes nothing', async () => {
    const refused = await workbook('sandbox', 'clock', 'advance', '15');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("'15' is not a duration");
    expect(sandbox.store.clock.offsetSeconds()).toBe(0);
  });
});

describe('promotion with the retag recipe, typed as the lesson shows', () => {
  for (const cli of clis) {
    it(`batch-get-image then put-image with ${cli.version.split(' ')[0]}, and docker pulls prod`, async () => {
      const name = `promote-v${cli.major}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
      const uri = `${sandbox.registryHost}/${name}`;
      const context = scratchBuildContext(path.join(home, name), `promote ${name} ${crypto.randomUUID()}\n`);
      const login = await sh(`"${cli.path}" --endpoint-url ${sandbox.endpoint} ecr get-login-password | docker login --username AWS --password-stdin ${sandbox.registryHost}`);
      expect(login.code, login.output).toBe(0);
      const pushed = await sh(`docker build -q -t ${uri}:v1 ${context} && docker push ${uri}:v1`);
      expect(pushed.code, pushed.output).toBe(0);
      localImages.push(`${uri}:v1`, `${uri}:prod`);
      // The lesson's two commands, as a learner types them (this CLI, the sandbox's endpoint).
      const aws = `"${cli.path}" --endpoint-url ${sandbox.endpoint}`;
      const recipe = [
        `MANIFEST=$(${aws} ecr batch-get-image --repository-name ${name} --image-ids imageTag=v1 --output text --query 'images[].imageManifest')`,
        `${aws} ecr put-image --repository-name ${name} --image-tag prod --image-manifest "$MANIFEST" --output json`,
      ].join('\n');
      const promoted = await sh(recipe);
      expect(promoted.code, promoted.output).toBe(0);
      const image = JSON.parse(promoted.output).image;
      const v1Digest = (await sh(`${aws} ecr describe-images --repository-name ${name} --image-ids imageTag=v1 --query 'imageDetails[0].imageDigest' --output text`)).output.trim();
      expect(image.imageId).toEqual({ imageDigest: v1Digest, imageTag: 'prod' });
      const pulled = await sh(`docker rmi ${uri}:v1 >/dev/null && docker pull ${uri}:prod && docker inspect --format '{{index .RepoDigests 0}}' ${uri}:prod`);
      expect(pulled.code, pulled.output).toBe(0);
      expect(pulled.output.trim().split('\n').at(-1)).toBe(`${uri}@${v1Digest}`);
      // Run again, ECR answers that the image already has that tag.
      const again = await sh(recipe);
      expect(again.code).not.toBe(0);
      expect(again.output).toContain('An error occurred (ImageAlreadyExistsException) when calling the PutImage operation');
    });
  }
});
