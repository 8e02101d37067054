import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLesson, renderStep } from '../../src/course/render.js';
import { openSession, renderContext } from '../../src/runner/session.js';
import { awsOnSandbox, type AwsOnSandbox } from './helpers.js';

// Lessons on the aws target: the real registry host, the learner's prefix, and lesson 03's
// create command carrying the ownership tags (which course, which learner).

let t: AwsOnSandbox;
beforeAll(async () => {
  t = await awsOnSandbox();
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

async function lesson03(learner?: string) {
  const session = await openSession({ home: t.freshState(), target: 'aws', region: 'eu-west-1', ...(learner ? { learner } : {}) });
  const resolved = await t.resolve({ region: 'eu-west-1', learner: session.settings.learner });
  const ctx = await renderContext(session, resolved);
  const lesson = session.course.lessons.find((l) => l.id === 'create-repository')!;
  return { markdown: renderLesson(lesson, ctx), solution: renderStep(lesson.steps[0]!, ctx).solution.join('\n'), ctx };
}

describe('lesson 03 on the aws target', () => {
  it('creates alice/demo-app with the course tag and alice as its owner, on the real registry host', async () => {
    const { markdown, solution } = await lesson03('alice');
    const host = `${t.sandbox.accountId}.dkr.ecr.eu-west-1.amazonaws.com`;
    expect(markdown).toContain(`${host}/alice/demo-app`);
    expect(markdown).toContain('--repository-name alice/demo-app');
    expect(markdown).toContain('--tags Key=created-by,Value=ecr-workbook Key=ecr-workbook-learner,Value=alice');
    expect(markdown).toContain('`Key=ecr-workbook-learner,Value=alice`: whose it is');
    expect(solution).toBe(
      'aws ecr create-repository --repository-name alice/demo-app --image-scanning-configuration scanOnPush=true --image-tag-mutability IMMUTABLE ' +
        '--tags Key=created-by,Value=ecr-workbook Key=ecr-workbook-learner,Value=alice --region eu-west-1 --profile ecr-workbook',
    );
    // The sandbox's words (its console, its free storage) are not shown on AWS.
    expect(markdown).not.toContain('ecr-workbook sandbox');
  });

  it('tags the owner as "default" when one learner has the account to themselves', async () => {
    const { solution, ctx } = await lesson03();
    expect(ctx.vars.repo).toBe('demo-app');
    expect(solution).toContain('--repository-name demo-app ');
    expect(solution).toContain('Key=ecr-workbook-learner,Value=default');
  });

  it('keeps the sandbox command as it was (created-by only)', async () => {
    const { ctx } = await lesson03('alice');
    const session = await openSession({ home: t.state });
    const lesson = session.course.lessons.find((l) => l.id === 'create-repository')!;
    const sandboxCtx = { ...ctx, target: 'sandbox' as const };
    const sandboxSolution = renderStep(lesson.steps[0]!, sandboxCtx).solution.join('\n');
    expect(sandboxSolution).toContain('--tags Key=created-by,Value=ecr-workbook --region');
    expect(renderLesson(lesson, sandboxCtx)).not.toContain('ecr-workbook-learner');
  });
});
