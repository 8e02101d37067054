import type { ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { costLine, intendedExpiry, judgePolicy, monthlyCost, type JudgedImage } from '../../src/check/lifecycle.js';
import { runCheck } from '../../src/check/registry.js';
import type { CheckContext } from '../../src/check/types.js';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

// The pieces of lesson 12's judgement that need no sandbox: what the lesson intends, the cost
// words, and the one diagnosis only real AWS produces (a preview that is still running).

const DAY = 86_400;
const NOW = 1_900_000_000;
const intent = { versionPattern: 'v*', keepVersions: 3, untaggedDays: 1, protect: 'v1' };
const image = (name: string, tags: string[], daysAgo: number, sizeInBytes = 1_000_000): JudgedImage => ({
  digest: `sha256:${name.padEnd(64, '0')}`,
  tags,
  pushedAt: NOW - daysAgo * DAY,
  sizeInBytes,
});
const repo = [
  image('a1', ['v1'], 6),
  image('a2', ['v2'], 5),
  image('a3', ['v3'], 4),
  image('a4', ['v4'], 3),
  image('a5', ['v5'], 2),
  image('a6', ['v6'], 1),
  image('b1', [], 0.5),
  image('b2', [], 3),
  image('c1', ['nightly'], 0.1),
];
const policy = (rules: unknown[]) => JSON.stringify({ rules });
const keepV1 = { rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['v1'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } };
const untagged = { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } };
const versions = { rulePriority: 3, selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } };

describe("lesson 12's intent", () => {
  it('expires untagged images older than a day and the versions past the newest three, never v1', () => {
    expect([...intendedExpiry(repo, intent, NOW)].sort()).toEqual([repo[1]!.digest, repo[2]!.digest, repo[7]!.digest].sort());
    expect(intendedExpiry(repo, intent, NOW + 2 * DAY).has(repo[6]!.digest)).toBe(true);
    expect(intendedExpiry(repo, intent, NOW + 100 * DAY).has(repo[0]!.digest)).toBe(false);
  });

  it('accepts any policy that does it (prefixes or patterns, any numbering), and says what it frees', () => {
    const judged = judgePolicy(policy([keepV1, untagged, versions]), repo, intent, NOW, { everyRuleSelects: true });
    expect(judged.ok).toBe(true);
    const renumbered = policy([{ ...keepV1, rulePriority: 10 }, { ...untagged, rulePriority: 20 }, { ...versions, rulePriority: 30, selection: { ...versions.selection, tagPrefixList: undefined, tagPatternList: ['v*'] } }]);
    expect(judgePolicy(renumbered, repo, intent, NOW, { everyRuleSelects: true }).ok).toBe(true);
    if (judged.ok) expect(judged.evidence.at(-1)).toBe('Storage it frees: $0.00040 a month (4.000 MB); were each a typical 500 MB application image, $0.20 a month');
  });

  it('names the first thing wrong: v1 expired, then what goes or stays that should not', () => {
    const naive = judgePolicy(policy([untagged, versions]), repo, intent, NOW, { everyRuleSelects: true });
    expect(!naive.ok && naive.diagnosis.id).toBe('lifecycle-expires-needed-image');
    const keepsUntagged = judgePolicy(policy([keepV1, versions]), repo, intent, NOW, { everyRuleSelects: true });
    expect(!keepsUntagged.ok && keepsUntagged.diagnosis.id).toBe('lifecycle-keeps-too-much');
    // Without the strict rule check, an untagged rule with nothing left to select is fine.
    const afterExpiry = repo.filter((i) => i.tags.length > 0 && !['v2', 'v3'].includes(i.tags[0]!));
    expect(judgePolicy(policy([keepV1, untagged, versions]), afterExpiry, intent, NOW, { everyRuleSelects: false }).ok).toBe(true);
    const strict = judgePolicy(policy([keepV1, untagged, versions]), afterExpiry, intent, NOW, { everyRuleSelects: true });
    expect(!strict.ok && strict.diagnosis.id).toBe('lifecycle-rule-selects-nothing');
  });

  it('prices storage at $0.10 per GB-month', () => {
    expect(monthlyCost(10e9)).toBeCloseTo(1);
    expect(costLine([image('x', [], 1, 2.5e9)])).toBe('$0.25 a month (2500.000 MB); were each a typical 500 MB application image, $0.05 a month');
  });
});

describe('lifecycle-preview on AWS while the preview runs', () => {
  it('says to wait, and fails rather than passing on a half-done preview', async () => {
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'DescribeRepositoriesCommand') return { repositories: [{ repositoryName: 'demo-app' }] };
        if (command.constructor.name === 'GetLifecyclePolicyPreviewCommand') return { status: 'IN_PROGRESS', previewResults: [] };
        throw new Error(`unexpected ${command.constructor.name}`);
      },
    } as unknown as ECRClient;
    const ctx = { repositoryName: 'demo-app', tag: 'v1', region: 'us-east-1', ecr: async () => client } as unknown as CheckContext;
    const result = await runCheck('lifecycle-preview', ctx, intent);
    expect(result.status).toBe('fail');
    expect(result.diagnosis?.id).toBe('lifecycle-preview-running');
  });
});

describe('durations for sandbox clock advance', () => {
  it.each([
    ['15d', 15 * DAY],
    ['36h', 36 * 3600],
    ['90m', 5400],
    ['45s', 45],
    ['1d12h', DAY + 12 * 3600],
    [' 2D ', 2 * DAY],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['15', 'd', '1.5d', '-1d', '3x', '', '1d 2h'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('prints the two largest units', () => {
    expect(formatDuration(15 * DAY + 3600 + 61)).toBe('15 days 1 hour');
    expect(formatDuration(90)).toBe('1 minute 30 seconds');
    expect(formatDuration(0)).toBe('0 seconds');
  });
});
