import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { execa } from 'execa';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStep, loadCourse, type Course } from '../../src/course/load.js';
import { renderSolution } from '../../src/course/render.js';
import { buildVars } from '../../src/course/vars.js';
import { pageText } from '../../src/sandbox/console/messages.js';
import { renderPushCommands } from '../../src/sandbox/console/push-commands.js';
import { launchChromium } from '../helpers/browser.js';
import { retryBuildRace } from '../helpers/docker.js';
import { ecrClient, installedAwsClis, isolatedCliEnv, scratchBuildContext, startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The console in a real browser (Debian's chromium, driven by playwright-core) against a sandbox
 * with its registry: what the page does, the real aws CLI and docker see, and the reverse.
 * Screenshots of each page go to test-artifacts/console/.
 */

type Sandbox = TestSandbox;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'console');
const FLOW_TIMEOUT = 180_000;
const MANIFEST_ACCEPT = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

const cli = installedAwsClis()[0]!;
/** Waits for the page (or the registry) to catch up; generous, since CI shares one docker daemon. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 });
const unique = `${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
/** The repository the flow creates: a namespaced name, and a last segment no other test builds. */
const REPO = `console-e2e/app-${unique}`;
const LOCAL_IMAGE = `app-${unique}:v1`;

let sandbox: Sandbox;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let env: NodeJS.ProcessEnv;
let course: Course;
/** Script errors on the page, and any request that left the sandbox (the console must work offline). */
const pageErrors: string[] = [];
const foreignRequests: string[] = [];
const dockerImages = new Set<string>();
/** Digest of the image pushed by hand (tag `first`) and of the one pushed with the page's commands (tag v1). */
const digests: { first?: string; v1?: string } = {};

async function run(file: string, args: string[], runEnv: NodeJS.ProcessEnv = env, input?: string) {
  const result = await execa(file, args, { env: runEnv, extendEnv: false, reject: false, all: true, input, timeout: 150_000 });
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.exitCode}):\n${result.all}`);
  return result.all ?? '';
}

/** Runs a script the way a learner pastes it into bash, failing on any stage of a pipe. */
const bash = (script: string, runEnv: NodeJS.ProcessEnv = env) => run('bash', ['-c', `set -euo pipefail\n${script}`], runEnv);

const aws = async (args: string[]) => JSON.parse(await run(cli.path, ['ecr', ...args, '--endpoint-url', sandbox.endpoint, '--output', 'json']));

const repositoryNames = async () => ((await aws(['describe-repositories'])).repositories as Array<{ repositoryName: string }>).map((r) => r.repositoryName);

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The upstream registry's answer for a manifest: 404 once the sandbox dropped the content too. */
async function storedStatus(digest: string): Promise<number> {
  const url = `http://${sandbox.registry!.host}:${sandbox.registry!.port}/v2/${REPO}/manifests/${digest}`;
  return (await fetch(url, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT, authorization: sandbox.registry!.authorization } })).status;
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  sandbox = await startTestSandbox();
  env = isolatedCliEnv(sandbox);
  course = await loadCourse();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sandbox.endpoint });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(`${sandbox.endpoint}/`) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
  });
});

afterAll(async () => {
  await browser?.close();
  if (dockerImages.size > 0) await execa('docker', ['rmi', '-f', ...dockerImages], { reject: false });
  await sandbox?.stop();
});

describe('the console in a browser', () => {
  it('lists repositories with URI, settings and a copy button, and filters them', async () => {
    const ecr = ecrClient(sandbox);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'console-e2e/listed-one', imageTagMutability: 'IMMUTABLE' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'console-e2e/other', imageScanningConfiguration: { scanOnPush: true } }));
    ecr.destroy();

    await page.goto(`${sandbox.endpoint}/`);
    const row = page.locator('tr[data-repository="console-e2e/listed-one"]');
    await poll(() => row.count()).toBe(1);
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[0]).toBe('console-e2e/listed-one');
    expect(cells[1]).toContain(`${sandbox.registryHost}/console-e2e/listed-one`);
    expect(cells.slice(3)).toEqual(['Immutable', 'Disabled', 'AES-256']);
    expect(await page.locator('tr[data-repository="console-e2e/other"] td').nth(4).innerText()).toBe('Enabled');
    await screenshot('repositories');

    await row.getByRole('button', { name: `Copy URI ${sandbox.registryHost}/console-e2e/listed-one` }).click();
    await poll(() => row.locator('.copy-status').innerText()).toBe(pageText.copied);
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(`${sandbox.registryHost}/console-e2e/listed-one`);

    await page.getByLabel(pageText.list.filterLabel).fill('listed');
    await poll(() => page.locator('tr[data-repository]').count()).toBe(1);
    expect(await page.locator('h1 .count').innerText()).toBe('(1)');
    await page.getByLabel(pageText.list.filterLabel).fill('');
    await poll(() => page.locator('tr[data-repository]').count()).toBe(2);
  });

  it('creates a repository through the form, with the keyboard, after live validation refused Bad..Name', async () => {
    const creates: string[] = [];
    const onRequest = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST' && request.url().endsWith('/console/api/repositories')) creates.push(request.url());
    };
    page.on('request', onRequest);

    await page.getByRole('link', { name: pageText.list.create }).click();
    await page.waitForURL(`${sandbox.endpoint}/create-repository`);
    const name = page.getByLabel(pageText.create.name, { exact: true });
    // Every form control has a label (or an accessible name) a screen reader can read.
    const unlabelled = await page.evaluate<string[]>(
      "[...document.querySelectorAll('form input')].filter((el) => !el.labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML)",
    );
    expect(unlabelled).toEqual([]);

    // The form starts with the name field focused, and validates as the learner types.
    await poll(() => page.evaluate<string | undefined>('document.activeElement?.id')).toBe('repository-name');
    await page.keyboard.type('Bad..Name');
    const error = page.locator('#repository-name-error');
    await poll(() => error.innerText()).toBe(pageText.create.nameErrors.uppercase);
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: pageText.create.submit, exact: true }).click();
    expect(page.url()).toBe(`${sandbox.endpoint}/create-repository`);
    await name.fill('bad..name');
    await poll(() => error.innerText()).toBe(pageText.create.nameErrors.pattern);
    await screenshot('create-repository-validation');
    expect(creates).toEqual([]);

    await name.fill(REPO);
    await poll(() => error.innerText()).toBe('');
    expect(await name.getAttribute('aria-invalid')).toBe('false');
    // Keyboard only from here: Immutable, scan on push, keep AES-256, then Create.
    await name.press('Tab');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await page.locator('input[name=imageTagMutability]:checked').getAttribute('value')).toBe('IMMUTABLE');
    expect(await page.locator('#scan-on-push').isChecked()).toBe(true);
    expect(await page.locator('input[name=encryptionType]:checked').getAttribute('value')).toBe('AES256');
    await screenshot('create-repository');
    await page.keyboard.press('Tab'); // AES-256
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Create
    await page.keyboard.press('Enter');

    await page.waitForURL(`${sandbox.endpoint}/repositories`);
    await poll(() => page.locator('.flash-success').innerText()).toContain(pageText.create.created.replace('{name}', REPO));
    await poll(() => page.locator(`tr[data-repository="${REPO}"]`).count()).toBe(1);
    page.off('request', onRequest);
    expect(creates).toHaveLength(1);

    const { repositories } = await aws(['describe-repositories', '--repository-names', REPO]);
    expect(repositories[0]).toMatchObject({
      repositoryName: REPO,
      repositoryUri: `${sandbox.registryHost}/${REPO}`,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
  });

  it('shows the API’s error when the repository exists already', async () => {
    await page.getByRole('link', { name: pageText.list.create }).click();
    await page.getByLabel(pageText.create.name, { exact: true }).fill(REPO);
    await page.getByRole('button', { name: pageText.create.submit, exact: true }).click();
    const flash = page.locator('.flash-error');
    await poll(() => flash.count()).toBe(1);
    expect(await flash.locator('.error-type').innerText()).toBe('RepositoryAlreadyExistsException');
    expect(await flash.locator('.error-message').innerText()).toBe(
      `The repository with name '${REPO}' already exists in the registry with id '${sandbox.accountId}'`,
    );
    expect(page.url()).toBe(`${sandbox.endpoint}/create-repository`);
    await screenshot('create-repository-error');
  });

  it(
    'shows an image pushed with docker on the detail page: tag, digest, size',
    async () => {
      const uri = `${sandbox.registryHost}/${REPO}:first`;
      await bash(`'${cli.path}' ecr get-login-password --endpoint-url '${sandbox.endpoint}' | docker login --username AWS --password-stdin '${sandbox.registryHost}'`);
      const buildContext = scratchBuildContext(path.join(tempDir('ecrwb-console-build-'), 'ctx'), `console e2e ${crypto.randomUUID()}\n`);
      const local = `ecrwb-test/console-${unique}:first`;
      dockerImages.add(local).add(uri);
      await retryBuildRace(() => run('docker', ['build', '-q', '-t', local, buildContext]));
      await run('docker', ['tag', local, uri]);
      const pushed = await run('docker', ['push', uri]);
      digests.first = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
      expect(digests.first, pushed).toBeDefined();
      const { imageDetails } = await aws(['describe-images', '--repository-name', REPO]);
      expect(imageDetails).toHaveLength(1);

      await page.goto(`${sandbox.endpoint}/repositories`);
      await page.getByRole('link', { name: REPO, exact: true }).click();
      await page.waitForURL(`${sandbox.endpoint}/repositories/${REPO}`);
      const row = page.locator(`tr[data-digest="${digests.first}"]`);
      await poll(() => row.count()).toBe(1);
      expect(await row.locator('td.tags').innerText()).toBe('first');
      expect(await row.locator('td.digest code').innerText()).toBe(digests.first);
      expect(await row.locator('td.size').innerText()).toBe((imageDetails[0].imageSizeInBytes / (1024 * 1024)).toFixed(2));
      expect(await row.locator('td.scan').innerText()).toBe(pageText.scanStatus.FINDINGS_UNAVAILABLE);
      expect(await page.locator('#repository-uri').innerText()).toBe(`${sandbox.registryHost}/${REPO}`);
      await screenshot('repository-detail');
    },
    FLOW_TIMEOUT,
  );

  it(
    'shows lesson 07’s push commands, for macOS/Linux and Windows, and they push for real',
    async () => {
      await page.getByRole('button', { name: pageText.detail.viewPushCommands }).click();
      const dialog = page.locator('#push-commands-dialog');
      await poll(() => dialog.locator('#panel-unix .command').count()).toBe(4);
      await screenshot('push-commands');

      // The lessons' own rendering for the same learner: the sandbox's values, this repository.
      const ctx = {
        target: 'sandbox' as const,
        vars: buildVars({ target: 'sandbox', region: sandbox.region, account: sandbox.accountId, registry: sandbox.registryHost, repo: REPO, assets: course.assetsDir }),
        endpointUrl: sandbox.endpoint,
      };
      const lessons = ['docker-login', 'build-image', 'tag-image', 'push-image'].map((id) => renderSolution(findStep(course, id)!, ctx).join('\n'));
      const unix = await dialog.locator('#panel-unix .command').allTextContents();
      expect(unix).toEqual(lessons);
      expect(unix[3]).toBe(`docker push ${sandbox.registryHost}/${REPO}:v1`);

      // Tabs work with the keyboard: arrow right shows Windows.
      await dialog.getByRole('tab', { name: pageText.platforms.unix }).focus();
      await page.keyboard.press('ArrowRight');
      expect(await dialog.getByRole('tab', { name: pageText.platforms.windows }).getAttribute('aria-selected')).toBe('true');
      expect(await dialog.locator('#panel-unix').isHidden()).toBe(true);
      const windows = await dialog.locator('#panel-windows .command').allTextContents();
      const expectedWindows = renderPushCommands(course, {
        region: sandbox.region,
        accountId: sandbox.accountId,
        registryHost: sandbox.registryHost,
        endpoint: sandbox.endpoint,
        repositoryName: REPO,
      }).windows.map((s) => s.commands.join('\n'));
      expect(windows).toEqual(expectedWindows);
      await screenshot('push-commands-windows');
      await page.keyboard.press('Escape');
      await poll(() => dialog.count()).toBe(0);

      // Paste the page's macOS/Linux commands into bash, as a learner with lesson 02's profile would.
      const home = tempDir('ecrwb-console-learner-');
      const learnerEnv = isolatedCliEnv(sandbox, home);
      delete learnerEnv.AWS_ACCESS_KEY_ID;
      delete learnerEnv.AWS_SECRET_ACCESS_KEY;
      fs.writeFileSync(learnerEnv.AWS_CONFIG_FILE!, `[profile ecr-workbook]\nregion = ${sandbox.region}\n`);
      fs.writeFileSync(
        learnerEnv.AWS_SHARED_CREDENTIALS_FILE!,
        `[ecr-workbook]\naws_access_key_id = ${sandbox.credentials.accessKeyId}\naws_secret_access_key = ${sandbox.credentials.secretAccessKey}\n`,
      );
      // `aws` in the commands is the CLI under test.
      const bin = path.join(home, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nexec '${cli.path}' "$@"\n`, { mode: 0o755 });
      learnerEnv.PATH = `${bin}:${learnerEnv.PATH}`;
      dockerImages.add(LOCAL_IMAGE).add(`${sandbox.registryHost}/${REPO}:v1`);
      const output = await bash(unix.join('\n'), learnerEnv);
      expect(output).toContain('Login Succeeded');
      digests.v1 = /v1: digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
      expect(digests.v1, output).toBeDefined();

      await page.getByRole('button', { name: pageText.refresh }).click();
      const row = page.locator(`tr[data-digest="${digests.v1}"]`);
      await poll(() => row.count()).toBe(1);
      expect(await row.locator('td.tags').innerText()).toBe('v1');
    },
    FLOW_TIMEOUT,
  );

  it('deletes selected images, and the CLI and the registry no longer have them', async () => {
    expect(await storedStatus(digests.first!)).toBe(200);
    const deleteButton = page.locator('#delete-images');
    expect(await deleteButton.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: pageText.detail.selectImage.replace('{label}', 'first') }).check();
    expect(await deleteButton.isDisabled()).toBe(false);
    await deleteButton.click();
    const dialog = page.locator('#delete-images-dialog');
    await poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.innerText()).toContain(pageText.deleteImages.body.one);
    await screenshot('delete-images');
    await dialog.getByRole('button', { name: pageText.deleteImages.confirm, exact: true }).click();

    await poll(() => page.locator('.flash-success').innerText()).toContain(pageText.detail.imagesDeleted.one);
    await poll(() => page.locator(`tr[data-digest="${digests.first}"]`).count()).toBe(0);
    expect(await page.locator(`tr[data-digest="${digests.v1}"]`).count()).toBe(1);
    const { imageDetails } = await aws(['describe-images', '--repository-name', REPO]);
    expect(imageDetails.map((d: { imageDigest: string }) => d.imageDigest)).toEqual([digests.v1]);
    // The same onImagesRemoved path as the API: the content is gone from the registry too.
    await poll(() => storedStatus(digests.first!)).toBe(404);
  });

  it('deletes the repository after its name is typed, and the CLI no longer lists it', async () => {
    await page.getByRole('button', { name: pageText.detail.deleteRepository }).click();
    const dialog = page.locator('#delete-repository-dialog');
    const confirm = dialog.getByRole('button', { name: pageText.deleteRepository.confirm, exact: true });
    const input = dialog.getByLabel(pageText.deleteRepository.confirmLabel.replace('{name}', REPO));
    expect(await confirm.isDisabled()).toBe(true);
    await input.fill('not-the-name');
    expect(await confirm.isDisabled()).toBe(true);
    await input.fill(pageText.deleteRepository.confirmWord);
    expect(await confirm.isDisabled()).toBe(false);
    await input.fill(REPO);
    expect(await confirm.isDisabled()).toBe(false);
    await screenshot('delete-repository');
    await confirm.click();

    await page.waitForURL(`${sandbox.endpoint}/repositories`);
    await poll(() => page.locator('.flash-success').innerText()).toContain(pageText.deleteRepository.deleted.replace('{name}', REPO));
    expect(await page.locator(`tr[data-repository="${REPO}"]`).count()).toBe(0);
    expect(await repositoryNames()).not.toContain(REPO);
    await poll(() => storedStatus(digests.v1!)).toBe(404);
    await screenshot('repositories-after-delete');
  });

  it('shows the API’s error for a repository that does not exist', async () => {
    await page.goto(`${sandbox.endpoint}/repositories/${REPO}`);
    const flash = page.locator('.flash-error');
    await poll(() => flash.count()).toBe(1);
    expect(await flash.locator('.error-type').innerText()).toBe('RepositoryNotFoundException');
    expect(await flash.locator('.error-message').innerText()).toBe(
      `The repository with name '${REPO}' does not exist in the registry with id '${sandbox.accountId}'`,
    );
  });

  it('sees what the CLI changed: a repository created and deleted with aws appears and disappears', async () => {
    const name = `console-e2e/cli-${unique}`;
    await aws(['create-repository', '--repository-name', name]);
    await page.goto(`${sandbox.endpoint}/`);
    await poll(() => page.locator(`tr[data-repository="${name}"]`).count()).toBe(1);
    await aws(['delete-repository', '--repository-name', name]);
    await page.getByRole('button', { name: pageText.refresh }).click();
    await poll(() => page.locator(`tr[data-repository="${name}"]`).count()).toBe(0);
  });

  it(
    'Permissions: a policy saved on the page is what the aws CLI reads, one the CLI set shows on the page, and an invalid one shows ECR’s error and stores nothing',
    async () => {
      const p = pageText.permissions;
      const name = `console-e2e/shared-${unique}`;
      await aws(['create-repository', '--repository-name', name]);
      const storedPolicy = async () => {
        const r = await execa(cli.path, ['ecr', 'get-repository-policy', '--repository-name', name, '--endpoint-url', sandbox.endpoint, '--output', 'json'], { env, extendEnv: false, reject: false, all: true });
        return r.exitCode === 0 ? (JSON.parse(r.stdout) as { policyText: string }).policyText : r.all ?? '';
      };
      await page.goto(`${sandbox.endpoint}/repositories/${name}`);
      await page.getByRole('link', { name: pageText.detail.tabPermissions, exact: true }).click();
      await page.waitForURL(`${sandbox.endpoint}/repositories/${name}/_/permissions`);
      await poll(() => page.locator('#policy-view').innerText()).toContain(p.none);
      expect(await page.locator('#delete-policy').isDisabled()).toBe(true);

      // A statement without a Principal: ECR refuses it, the page shows ECR's words and keeps the text.
      await page.getByRole('button', { name: p.editJson }).click();
      const input = page.getByLabel(p.editLabel);
      expect(await input.inputValue()).toBe(p.template);
      const invalid = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage' }] }, null, 2);
      await input.fill(invalid);
      await page.getByRole('button', { name: p.save, exact: true }).click();
      const error = page.locator('#policy-json-error');
      await poll(() => error.locator('.error-type').count()).toBe(1);
      expect(await error.locator('.error-type').innerText()).toBe('InvalidParameterException');
      expect(await error.locator('.error-message').innerText()).toBe("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
      expect(await input.inputValue()).toBe(invalid);
      expect(await storedPolicy()).toContain('RepositoryPolicyNotFoundException');
      await screenshot('permissions-invalid');

      // A pull-only policy for the second account: saved, and the aws CLI reads exactly it.
      const pullOnly = {
        Version: '2012-10-17',
        Statement: [{ Sid: 'AllowPartnerPull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
      };
      await input.fill(JSON.stringify(pullOnly, null, 2));
      await page.getByRole('button', { name: p.save, exact: true }).click();
      await poll(() => page.locator('.flash-success').innerText()).toContain(p.saved.replace('{name}', name));
      const saved = await storedPolicy();
      expect(JSON.parse(saved)).toEqual(pullOnly);
      expect(await page.locator('#policy-json').innerText()).toBe(saved);
      const cells = await page.locator('#policy-statements tbody tr td').allInnerTexts();
      expect(cells).toEqual(['AllowPartnerPull', 'Allow', 'AWS: arn:aws:iam::111122223333:root', 'ecr:BatchGetImage, ecr:GetDownloadUrlForLayer', pageText.dash]);
      await screenshot('permissions');

      // The reverse: a policy the CLI sets is what the page shows after a reload.
      const fromCli = { Version: '2012-10-17', Statement: [{ Sid: 'Cli', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'ecr:BatchGetImage' }] };
      await aws(['set-repository-policy', '--repository-name', name, '--policy-text', JSON.stringify(fromCli)]);
      await page.reload();
      await poll(() => page.locator('#policy-json').count()).toBe(1);
      expect(await page.locator('#policy-json').innerText()).toBe(await storedPolicy());
      expect(await page.locator('#policy-statements tbody tr td').nth(2).innerText()).toBe('AWS: arn:aws:iam::444455556666:root');

      // Deleted on the page: the CLI finds no policy.
      await page.getByRole('button', { name: p.delete }).click();
      await page.locator('#delete-policy-dialog').getByRole('button', { name: pageText.deleteImages.confirm, exact: true }).click();
      await poll(() => page.locator('#policy-view').innerText()).toContain(p.none);
      expect(await storedPolicy()).toContain('RepositoryPolicyNotFoundException');
      await aws(['delete-repository', '--repository-name', name]);
    },
    FLOW_TIMEOUT,
  );

  it('threw no script errors and fetched nothing from outside the sandbox', () => {
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
