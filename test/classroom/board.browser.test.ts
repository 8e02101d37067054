import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardView } from '../../src/classroom/board.js';
import { boardText } from '../../src/classroom/messages.js';
import { displayCode } from '../../src/classroom/room.js';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { awsOnSandbox } from '../aws/helpers.js';
import { launchChromium } from '../helpers/browser.js';
import { ecrClient } from '../helpers/sandbox.js';
import { seedImage } from '../sandbox/api-helpers.js';
import { call, join, report, startTestClassroom } from './helpers.js';

// The live board in a real browser (Debian's chromium, driven by playwright-core): 30 learners
// reporting through the HTTP interface, the grid, who is stuck, the common mistakes, a drill-down,
// live updates without a reload, and names that are shown as text, never run as HTML.
// Screenshots go to test-artifacts/classroom/.

const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'classroom');
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 });
const HOSTILE = '<img src=x onerror="window.__owned=1">';

let classroom: Awaited<ReturnType<typeof startTestClassroom>>;
let code: string;
let browser: Browser;
let page: Page;
let learners: Array<{ name: string; token: string }>;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];

/** The grid as the page shows it: learner → step → state. */
async function gridOf(p: Page): Promise<Record<string, Record<string, string>>> {
  const grid: Record<string, Record<string, string>> = {};
  for (const row of await p.locator('#grid tbody tr').all()) {
    const cells: Record<string, string> = {};
    for (const td of await row.locator('td[data-step]').all()) cells[(await td.getAttribute('data-step'))!] = (await td.getAttribute('data-state'))!;
    grid[(await row.getAttribute('data-learner'))!] = cells;
  }
  return grid;
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  classroom = await startTestClassroom();
  code = displayCode(classroom.room.state.code);
  const names = [...Array.from({ length: 29 }, (_, i) => `learner-${String(i).padStart(2, '0')}`), HOSTILE];
  learners = await Promise.all(names.map((n) => join(classroom.url, code, n)));
  // Everyone passes the knowledge check; learners 0-9 pass create-repository, 10-19 fail it
  // (repository-missing), 20-29 never get that far and fail docker-login (login-wrong-user).
  await Promise.all(
    learners.map(async (l, i) => {
      await report(classroom.url, code, l, 'knowledge-check', 'pass');
      if (i < 20) await report(classroom.url, code, l, 'create-repository', i < 10 ? 'pass' : 'fail', i < 10 ? undefined : 'repository-missing');
      else await report(classroom.url, code, l, 'docker-login', 'fail', 'login-wrong-user');
    }),
  );
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(`http://localhost:${classroom.port}/`) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
  });
  await page.goto(`http://localhost:${classroom.port}/`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await classroom?.stop();
});

describe('the live board in a browser', () => {
  it('shows the join command and every learner × step as passed, failing or not started', async () => {
    await poll(() => page.locator('#grid tbody tr').count()).toBe(30);
    expect(await page.locator('#room-code').innerText()).toBe(code);
    expect(await page.locator('#join-command').innerText()).toBe(`ecr-workbook join ${classroom.url} ${code} --name <your name>`);
    expect(await page.locator('#connection').innerText()).toBe(boardText.live);
    const grid = await gridOf(page);
    const view = (await call(classroom.url, 'GET', '/api/board')).json as unknown as BoardView;
    const expected = Object.fromEntries(view.learners.map((l) => [l.name, Object.fromEntries(view.steps.map((s) => [s.id, l.cells[s.id]!.state]))]));
    expect(grid).toEqual(expected);
    learners.forEach((l, i) => {
      expect(grid[l.name]!['knowledge-check']).toBe('passed');
      expect(grid[l.name]!['create-repository']).toBe(i < 10 ? 'passed' : i < 20 ? 'failed' : 'not-started');
      expect(grid[l.name]!['docker-login']).toBe(i < 20 ? 'not-started' : 'failed');
    });
    const failed = page.locator(`#grid tr[data-learner="learner-12"] td[data-step="create-repository"]`);
    expect(await failed.getAttribute('title')).toBe(`create-repository: ${boardText.failed}: repository-missing (1 check)`);
    expect(await page.locator('#grid tr[data-learner="learner-12"] .passed-count').innerText()).toBe(`1/${view.steps.length}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'board.png'), fullPage: true });
  });

  it('lists who is stuck longest, and the most common mistakes', async () => {
    const stuck = await page.$$eval('#stuck tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
    const view = (await call(classroom.url, 'GET', '/api/board')).json as unknown as BoardView;
    expect(view.stuck).toHaveLength(20);
    // The ten stuck longest; the grid shows the others.
    expect(stuck).toEqual(view.stuck.slice(0, 10).map((s) => [s.name, s.step, s.diagnosis]));
    expect(await page.locator('#more-stuck').innerText()).toBe('And 10 more learners are stuck: the grid shows where.');
    const mistakes = await page.$$eval('#mistakes tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(mistakes).toEqual([
      ['login-wrong-user', '10', 'docker-login'],
      ['repository-missing', '10', 'create-repository'],
    ]);
  });

  it('shows a hostile name as text everywhere, never as HTML', async () => {
    expect(await page.locator(`#grid tr[data-learner='${HOSTILE}'] th`).innerText()).toBe(HOSTILE);
    expect(await page.locator('#grid img, #stuck img, #mistakes img').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.__owned')).toBeUndefined();
  });

  it('updates live as reports come, without a reload', async () => {
    const late = await join(classroom.url, code, 'latecomer');
    await poll(() => page.locator('#grid tr[data-learner="latecomer"]').count()).toBe(1);
    await report(classroom.url, code, learners[12]!, 'create-repository', 'pass');
    await poll(() => page.locator('#grid tr[data-learner="learner-12"] td[data-step="create-repository"]').getAttribute('data-state')).toBe('passed');
    await report(classroom.url, code, late, 'caller-identity', 'fail', 'no-credentials');
    await poll(() => page.locator('#mistakes tr[data-diagnosis="no-credentials"]').count()).toBe(1);
    expect(await page.locator('#summary').innerText()).toBe('31 learners');
  });

  it("opens a learner's drill-down: their checks, newest first, kept current", async () => {
    await page.locator('#grid button[data-name="learner-15"]').click();
    await poll(() => page.locator('#detail tbody tr').count()).toBe(2);
    expect(await page.locator('#detail-heading').innerText()).toBe('learner-15');
    const first = await page.$$eval('#detail tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent)));
    expect(first).toEqual([
      ['create-repository', 'fail', 'repository-missing'],
      ['knowledge-check', 'pass', ''],
    ]);
    await report(classroom.url, code, learners[15]!, 'create-repository', 'pass');
    await poll(() => page.locator('#detail tbody tr').count()).toBe(3);
    expect(await page.locator('#detail tbody tr').first().locator('td[data-status]').innerText()).toBe('pass');
    await page.screenshot({ path: path.join(ARTIFACTS, 'drill-down.png'), fullPage: true });
    await page.locator('#close-detail').click();
    await poll(() => page.locator('#detail').count()).toBe(0);
  });

  it('ran without a script error or a CSP violation, and asked nothing of any other site', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});

describe("an AWS room's board", () => {
  it("shows each learner's repositories on the shared account: which the sweep deletes, which it keeps", async () => {
    const t = await awsOnSandbox();
    const aws = await startTestClassroom({ target: 'aws', profile: 'ecr-workbook', learners: ['alice', 'bob'] });
    const awsPage = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    try {
      const ecr = ecrClient(t.sandbox);
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'alice/demo-app', tags: [{ Key: 'created-by', Value: 'ecr-workbook' }, { Key: 'ecr-workbook-learner', Value: 'alice' }] }));
      seedImage(t.sandbox, 'alice/demo-app', { seed: 'a', tags: ['v1'], sizeInBytes: 12_300_000 });
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'alice/scratch' }));
      const alice = await join(aws.url, displayCode(aws.room.state.code), 'alice');
      await report(aws.url, aws.room.state.code, alice, 'create-repository', 'pass');
      await aws.lookAtEcr!();
      await awsPage.goto(`http://localhost:${aws.port}/`);
      await poll(() => awsPage.locator('#grid tr[data-learner="alice"] td.ecr').innerText()).toBe('1/2');
      expect(await awsPage.locator('#room-kind').innerText()).toBe(`AWS account ${t.sandbox.accountId}, us-east-1`);
      expect(await awsPage.locator('#grid tr[data-learner="bob"] td.ecr').innerText()).toBe('–');
      expect(await awsPage.locator('#grid tr[data-learner="bob"] th').innerText()).toBe(`bob (${boardText.notJoined})`);
      expect(await awsPage.locator('#ecr-summary').innerText()).toMatch(/^On AWS \(looked at .+\): 1 of the room's repositories, about \$0\.0012 a month\.$/);
      await awsPage.locator('#grid button[data-name="alice"]').click();
      await poll(() => awsPage.locator('#detail li[data-repository]').count()).toBe(2);
      expect(await awsPage.locator('#detail li[data-repository="alice/demo-app"]').innerText()).toBe(`alice/demo-app 1 image, 12.3 MB: ${boardText.ecrOwned}`);
      expect(await awsPage.locator('#detail li[data-repository="alice/scratch"]').innerText()).toBe(`alice/scratch 0 images, 0 B: ${boardText.ecrNotOwned}`);
      await awsPage.screenshot({ path: path.join(ARTIFACTS, 'aws-board.png'), fullPage: true });
    } finally {
      await awsPage.close();
      await aws.stop();
      await t.stop();
    }
  });
});
