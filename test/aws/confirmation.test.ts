import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIRMATIONS_FILE, ConfirmationRefused, confirmAwsTarget, isConfirmed } from '../../src/aws/confirmation.js';
import type { ResolvedTarget } from '../../src/targets/index.js';
import { awsOnSandbox, cli, type AwsOnSandbox } from './helpers.js';

// Before real AWS, the workbook shows who and where (account, caller ARN, region) and asks,
// once per (account, region). --yes answers for scripts; no terminal and no --yes is a refusal.

let t: AwsOnSandbox;
let resolved: ResolvedTarget;
let arn: string;
beforeAll(async () => {
  t = await awsOnSandbox();
  resolved = await t.resolve();
  arn = resolved.callerArn!;
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('confirmAwsTarget', () => {
  it('without a terminal and without --yes: refuses, showing account, ARN and region and naming --yes', async () => {
    const state = t.freshState();
    const error = await confirmAwsTarget(resolved, { stateDir: state, interactive: false, write: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmationRefused);
    const message = (error as Error).message;
    expect(message).toContain(t.sandbox.accountId);
    expect(message).toContain(arn);
    expect(message).toContain('us-east-1');
    expect(message).toContain('--yes');
    expect(await isConfirmed(state, t.sandbox.accountId, 'us-east-1')).toBe(false);
  });

  it('asks a person once per account and region, showing who and where first', async () => {
    const state = t.freshState();
    const shown: string[] = [];
    const asked: string[] = [];
    const ask = async (q: string) => (asked.push(q), true);
    expect(await confirmAwsTarget(resolved, { stateDir: state, interactive: true, ask, write: (s) => shown.push(s) })).toBe('confirmed');
    expect(shown[0]).toContain(`Account  ${t.sandbox.accountId}`);
    expect(shown[0]).toContain(`Caller   ${arn}`);
    expect(shown[0]).toContain('Region   us-east-1');
    expect(asked).toEqual([`Use account ${t.sandbox.accountId} in us-east-1 for the course?`]);
    // Asked once: the answer is remembered beside progress.json.
    expect(await confirmAwsTarget(resolved, { stateDir: state, interactive: true, ask, write: (s) => shown.push(s) })).toBe('remembered');
    expect(asked).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(state, CONFIRMATIONS_FILE), 'utf8')).confirmed[`${t.sandbox.accountId}/us-east-1`].callerArn).toBe(arn);
    // Another region is another question.
    expect(await confirmAwsTarget({ ...resolved, region: 'eu-west-1' }, { stateDir: state, interactive: true, ask, write: () => {} })).toBe('confirmed');
    expect(asked).toHaveLength(2);
  });

  it('a "no" does nothing and says how to choose another account, region or the sandbox', async () => {
    const state = t.freshState();
    const error = await confirmAwsTarget(resolved, { stateDir: state, interactive: true, ask: async () => false, write: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmationRefused);
    expect((error as Error).message).toContain('--target sandbox');
    expect(await isConfirmed(state, t.sandbox.accountId, 'us-east-1')).toBe(false);
  });

  it('--yes confirms without asking, and is remembered', async () => {
    const state = t.freshState();
    const shown: string[] = [];
    expect(await confirmAwsTarget(resolved, { stateDir: state, yes: true, interactive: false, write: (s) => shown.push(s) })).toBe('confirmed-by-flag');
    expect(shown.join('\n')).toContain(arn);
    expect(await confirmAwsTarget(resolved, { stateDir: state, interactive: false, write: () => {} })).toBe('remembered');
  });

  it('asks nothing on the sandbox, or while AWS does not know who the learner is yet', async () => {
    const state = t.freshState();
    expect(await confirmAwsTarget({ ...resolved, target: 'sandbox' }, { stateDir: state, interactive: false })).toBe('not-aws');
    const noCreds = await t.resolve({ profile: 'not-configured-yet', region: 'us-east-1' });
    const shown: string[] = [];
    expect(await confirmAwsTarget(noCreds, { stateDir: state, interactive: false, write: (s) => shown.push(s) })).toBe('identity-unknown');
    expect(shown.join('\n')).toContain('Lesson 02');
  });
});

describe('the CLI on --target aws (remembered once chosen)', () => {
  it('refuses `check` without --yes when there is no terminal (exit 2), then works with --yes, then remembers', async () => {
    t.freshState();
    const refused = await cli('--target', 'aws', '--region', 'us-east-1', 'check', 'caller-identity', '--json');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(t.sandbox.accountId);
    expect(refused.stderr).toContain(arn);
    expect(refused.stderr).toContain('--yes');
    // --json: stdout is JSON, the refusal included.
    expect(JSON.parse(refused.stdout)).toMatchObject({ exitCode: 2 });
    expect(JSON.parse(refused.stdout).error).toContain(arn);

    // The target was remembered even though nothing else happened.
    const yes = await cli('check', 'caller-identity', '--json', '--yes');
    expect(yes.stderr).toContain(`Using account ${t.sandbox.accountId}`);
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.stdout)).toMatchObject({ step: 'caller-identity', status: 'pass' });

    const again = await cli('check', 'caller-identity', '--json');
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('shows the lesson with AWS commands after confirming with -y', async () => {
    t.freshState();
    const lesson = await cli('--target', 'aws', '--region', 'us-east-1', '-y', 'lesson', 'create-repository', '--json');
    expect(lesson.code).toBe(0);
    expect(JSON.parse(lesson.stdout).markdown).toContain(`${t.sandbox.accountId}.dkr.ecr.us-east-1.amazonaws.com/demo-app`);
  });

  it('still lets `reset -y` work (the global and the command option do not clash)', async () => {
    t.freshState();
    const reset = await cli('reset', '-y', '--json');
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout)).toEqual({ reset: true });
  });
});
