import { describe, expect, it } from 'vitest';
import { evaluateLifecyclePolicy, type LifecycleImage } from '../../src/sandbox/backend/lifecycle.js';
import { parseLifecyclePolicy, type LifecycleRule } from '../../src/sandbox/backend/lifecycle-policy.js';

// The lifecycle evaluator against a table of (policy, repository contents) → expected expiries.
// The first cases are the worked examples of the ECR user guide's "Examples of lifecycle
// policies" page (lifecycle_policy_examples), with its repository contents and its stated
// results; the rest apply the evaluation rules of LifecyclePolicies.md ("Lifecycle policy
// evaluation rules") to cases the examples leave open. Every policy goes through the same
// validation PutLifecyclePolicy uses, so each one is a policy ECR would accept.

const DAY = 86_400;
const NOW = 1_800_000_000;

type Selection = LifecycleRule['selection'];

/** An image named for the table, with its tags and how many days ago it was pushed. */
function image(name: string, tags: string[], daysAgo: number, pulledDaysAgo?: number): LifecycleImage & { name: string } {
  return {
    name,
    digest: `sha256:${name.toLowerCase().padEnd(64, '0')}`,
    tags,
    pushedAt: NOW - daysAgo * DAY,
    ...(pulledDaysAgo !== undefined ? { lastPulledAt: NOW - pulledDaysAgo * DAY } : {}),
  };
}

function rule(rulePriority: number, selection: Selection, action: LifecycleRule['action'] = { type: 'expire' }): LifecycleRule {
  return { rulePriority, description: `rule ${rulePriority}`, selection, action };
}

const tagged = (prefixes: string[], countType: Selection['countType'], countNumber: number): Selection => ({
  tagStatus: 'tagged',
  tagPrefixList: prefixes,
  countType,
  countNumber,
  ...(countType === 'imageCountMoreThan' ? {} : { countUnit: 'days' as const }),
});
const patterned = (patterns: string[], countType: Selection['countType'], countNumber: number): Selection => ({
  tagStatus: 'tagged',
  tagPatternList: patterns,
  countType,
  countNumber,
  ...(countType === 'imageCountMoreThan' ? {} : { countUnit: 'days' as const }),
});
const untagged = (countType: Selection['countType'], countNumber: number): Selection => ({
  tagStatus: 'untagged',
  countType,
  countNumber,
  ...(countType === 'imageCountMoreThan' ? {} : { countUnit: 'days' as const }),
});
const anyImage = (countType: Selection['countType'], countNumber: number): Selection => ({
  tagStatus: 'any',
  countType,
  countNumber,
  ...(countType === 'imageCountMoreThan' ? {} : { countUnit: 'days' as const }),
});

// Repository contents of the user guide's examples.
const multipleRules = [image('A', ['beta-1', 'prod-1'], 10), image('B', ['beta-2', 'prod-2'], 9), image('C', ['beta-3'], 8)];
const multipleTagsA = [
  image('A', ['alpha-1'], 12),
  image('B', ['beta-1'], 11),
  image('C', ['alpha-2', 'beta-2'], 10),
  image('D', ['alpha-3'], 4),
  image('E', ['beta-3'], 3),
  image('F', ['alpha-4', 'beta-4'], 2),
];
const multipleTagsB = [image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10), image('B', ['alpha-2', 'beta-2'], 9), image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8)];
const allImagesA = [image('A', ['alpha-1'], 4), image('B', ['beta-1'], 3), image('C', [], 2), image('D', ['alpha-2'], 1)];
const allImagesB = [image('A', ['alpha-1', 'beta-1'], 4), image('B', [], 3), image('C', ['alpha-2'], 2), image('D', ['git-hash'], 1)];
const untaggedAges = [image('U1', [], 30), image('U2', [], 15), image('U3', [], 14.5), image('U4', [], 13), image('T1', ['latest'], 40)];
const sixVersions = [
  image('V1', ['v1'], 6),
  image('V2', ['v2'], 5),
  image('V3', ['v3'], 4),
  image('V4', ['v4'], 3),
  image('V5', ['v5'], 2),
  image('V6', ['v6'], 1),
  image('N1', [], 3.5),
  image('N2', [], 2.5),
  image('NT', ['nightly'], 1.5),
];

interface Case {
  name: string;
  rules: LifecycleRule[];
  images: Array<LifecycleImage & { name: string }>;
  /** name → rulePriority of every image the policy expires; the rest are kept. */
  expires: Record<string, number>;
}

const cases: Case[] = [
  // --- The user guide's examples, with its stated results.
  {
    name: 'guide: filtering on image age (untagged older than 14 days)',
    rules: [rule(1, untagged('sinceImagePushed', 14))],
    images: untaggedAges,
    expires: { U1: 1, U2: 1, U3: 1 },
  },
  {
    name: 'guide: filtering on image age (tagPatternList prod* older than 14 days)',
    rules: [rule(1, patterned(['prod*'], 'sinceImagePushed', 14))],
    images: [image('A', ['prod-1'], 20), image('B', ['prod-2'], 10), image('C', ['dev-1'], 30), image('D', ['production'], 15)],
    expires: { A: 1, D: 1 },
  },
  {
    name: 'guide: filtering on image count (keep one untagged image)',
    rules: [rule(1, untagged('imageCountMoreThan', 1))],
    images: [image('A', [], 3), image('B', [], 2), image('C', [], 1), image('D', ['v1'], 5)],
    expires: { A: 1, B: 1 },
  },
  {
    name: 'guide: multiple rules, example A (prod keeps 1, then beta keeps 1)',
    rules: [rule(1, tagged(['prod'], 'imageCountMoreThan', 1)), rule(2, tagged(['beta'], 'imageCountMoreThan', 1))],
    images: multipleRules,
    expires: { A: 1 },
  },
  {
    name: 'guide: multiple rules, example B (beta keeps 1, then prod keeps 1)',
    rules: [rule(1, tagged(['beta'], 'imageCountMoreThan', 1)), rule(2, tagged(['prod'], 'imageCountMoreThan', 1))],
    images: multipleRules,
    expires: { A: 1, B: 1 },
  },
  {
    name: 'guide: multiple tags in one rule, example A (alpha and beta, older than 5 days)',
    rules: [rule(1, tagged(['alpha', 'beta'], 'sinceImagePushed', 5))],
    images: multipleTagsA,
    expires: { C: 1 },
  },
  {
    name: 'guide: multiple tags in one rule, example B (tags are not exclusive)',
    rules: [rule(1, tagged(['alpha', 'beta'], 'imageCountMoreThan', 1))],
    images: multipleTagsB,
    expires: { A: 1, B: 1 },
  },
  {
    name: 'guide: filtering on all images, example A (any keeps 1)',
    rules: [rule(1, anyImage('imageCountMoreThan', 1))],
    images: allImagesA,
    expires: { A: 1, B: 1, C: 1 },
  },
  {
    name: 'guide: filtering on all images, example B (alpha, untagged, then any)',
    rules: [rule(1, tagged(['alpha'], 'imageCountMoreThan', 1)), rule(2, untagged('sinceImagePushed', 1)), rule(3, anyImage('imageCountMoreThan', 1))],
    images: allImagesB,
    expires: { A: 1, B: 2 },
  },
  // --- The evaluation rules, case by case.
  {
    name: 'imageCountMoreThan keeps the newest N by push time, whatever the tag names say',
    rules: [rule(1, tagged(['v'], 'imageCountMoreThan', 2))],
    images: [image('A', ['v9'], 1), image('B', ['v1'], 3), image('C', ['v5'], 2)],
    expires: { B: 1 },
  },
  {
    name: 'imageCountMoreThan with fewer images than the count expires nothing',
    rules: [rule(1, tagged(['v'], 'imageCountMoreThan', 10))],
    images: sixVersions,
    expires: {},
  },
  {
    name: 'imageCountMoreThan with exactly the count expires nothing',
    rules: [rule(1, tagged(['v'], 'imageCountMoreThan', 6))],
    images: sixVersions,
    expires: {},
  },
  {
    name: 'lesson 12, naive: keep three v* and expire untagged after a day (v1 goes too)',
    rules: [rule(1, untagged('sinceImagePushed', 1)), rule(2, patterned(['v*'], 'imageCountMoreThan', 3))],
    images: sixVersions,
    expires: { N1: 1, N2: 1, V1: 2, V2: 2, V3: 2 },
  },
  {
    name: 'lesson 12: a higher-priority rule that keeps v1 protects it from the v* count',
    rules: [rule(1, patterned(['v1'], 'imageCountMoreThan', 1)), rule(2, untagged('sinceImagePushed', 1)), rule(3, patterned(['v*'], 'imageCountMoreThan', 3))],
    images: sixVersions,
    expires: { N1: 2, N2: 2, V2: 3, V3: 3 },
  },
  {
    name: 'the protecting rule placed after the v* rule protects nothing',
    rules: [rule(1, patterned(['v*'], 'imageCountMoreThan', 3)), rule(2, patterned(['v1'], 'imageCountMoreThan', 1))],
    images: sixVersions,
    expires: { V1: 1, V2: 1, V3: 1 },
  },
  {
    name: 'sinceImagePushed is strictly older than the days given',
    rules: [rule(1, untagged('sinceImagePushed', 1))],
    images: [image('A', [], 1), image('B', [], 1.01), image('C', [], 0.5)],
    expires: { B: 1 },
  },
  {
    name: 'an untagged rule never touches tagged images',
    rules: [rule(1, untagged('imageCountMoreThan', 1))],
    images: sixVersions,
    expires: { N1: 1 },
  },
  {
    name: 'a prefix matches any of an image’s tags',
    rules: [rule(1, tagged(['release-'], 'imageCountMoreThan', 1))],
    images: [image('A', ['build-1', 'release-1'], 3), image('B', ['build-2'], 2), image('C', ['release-2', 'latest'], 1)],
    expires: { A: 1 },
  },
  {
    name: 'prefixes are case-sensitive',
    rules: [rule(1, tagged(['V'], 'imageCountMoreThan', 1))],
    images: sixVersions,
    expires: {},
  },
  {
    name: 'a pattern without a wildcard matches the whole tag only',
    rules: [rule(1, patterned(['v1'], 'sinceImagePushed', 1))],
    images: [image('A', ['v1'], 5), image('B', ['v10'], 5), image('C', ['xv1'], 5)],
    expires: { A: 1 },
  },
  {
    name: 'a wildcard in the middle of a pattern',
    rules: [rule(1, patterned(['v*-rc'], 'sinceImagePushed', 2))],
    images: [image('A', ['v1.0-rc'], 5), image('B', ['v1.0'], 5), image('C', ['v2-rc'], 1), image('D', ['xv1-rc'], 5)],
    expires: { A: 1 },
  },
  {
    name: 'a leading wildcard pattern',
    rules: [rule(1, patterned(['*-dev'], 'imageCountMoreThan', 1))],
    images: [image('A', ['feature-dev'], 3), image('B', ['main-dev'], 2), image('C', ['dev'], 1)],
    expires: { A: 1 },
  },
  {
    name: 'several patterns must all match one of the image’s tags',
    rules: [rule(1, patterned(['alpha*', 'beta*'], 'sinceImagePushed', 5))],
    images: multipleTagsA,
    expires: { C: 1 },
  },
  {
    name: 'a pattern of * alone selects every tagged image',
    rules: [rule(1, patterned(['*'], 'imageCountMoreThan', 2))],
    images: sixVersions,
    expires: { V1: 1, V2: 1, V3: 1, V4: 1, V5: 1 },
  },
  {
    name: 'rule priorities with gaps apply lowest first',
    rules: [rule(50, tagged(['v'], 'imageCountMoreThan', 1)), rule(10, tagged(['v1', 'v'], 'imageCountMoreThan', 1))],
    images: [image('A', ['v1'], 3), image('B', ['v2'], 2), image('C', ['v3'], 1)],
    expires: { B: 50 },
  },
  {
    // "Rules can never mark images that are marked by higher priority rules, but can still
    // identify them as if they haven't been expired": U still takes one of the two places.
    name: 'a lower rule still counts an image a higher rule expired',
    rules: [rule(1, untagged('sinceImagePushed', 1)), rule(2, anyImage('imageCountMoreThan', 2))],
    images: [image('A', ['a'], 10), image('B', ['b'], 5), image('U', [], 2), image('C', ['c'], 0.5)],
    expires: { U: 1, A: 2, B: 2 },
  },
  {
    name: 'an any rule last sweeps up what the other rules did not select',
    rules: [rule(1, tagged(['prod'], 'imageCountMoreThan', 2)), rule(2, anyImage('sinceImagePushed', 7))],
    images: [image('P1', ['prod-1'], 30), image('P2', ['prod-2'], 20), image('P3', ['prod-3'], 10), image('D1', ['dev-1'], 9), image('D2', ['dev-2'], 1), image('U', [], 8)],
    expires: { P1: 1, D1: 2, U: 2 },
  },
  {
    name: 'sinceImagePulled counts from the last pull, or from the push when never pulled',
    rules: [rule(1, anyImage('sinceImagePulled', 10))],
    images: [image('A', ['a'], 30, 2), image('B', ['b'], 30, 20), image('C', ['c'], 30), image('D', ['d'], 5)],
    expires: { B: 1, C: 1 },
  },
  {
    name: 'a transition rule is reported with its priority like an expiry',
    rules: [rule(1, anyImage('sinceImagePushed', 20), { type: 'transition', targetStorageClass: 'archive' })],
    images: untaggedAges,
    expires: { U1: 1, T1: 1 },
  },
  {
    name: 'nothing is in the archive storage class, so an archive selection takes nothing',
    rules: [{ ...rule(1, anyImage('imageCountMoreThan', 1)), selection: { ...anyImage('imageCountMoreThan', 1), storageClass: 'archive' } }],
    images: sixVersions,
    expires: {},
  },
  {
    name: 'sinceImageTransitioned selects nothing where nothing was ever archived',
    rules: [rule(1, anyImage('sinceImageTransitioned', 1))],
    images: sixVersions,
    expires: {},
  },
  {
    name: 'an empty repository',
    rules: [rule(1, anyImage('imageCountMoreThan', 1))],
    images: [],
    expires: {},
  },
  {
    name: 'a rule whose prefix matches no tag selects nothing, and the others still apply',
    rules: [rule(1, tagged(['release'], 'imageCountMoreThan', 1)), rule(2, untagged('sinceImagePushed', 3))],
    images: sixVersions,
    expires: { N1: 2 },
  },
  {
    name: 'two tagged rules over disjoint tags each keep their own newest',
    rules: [rule(1, tagged(['prod'], 'imageCountMoreThan', 1)), rule(2, tagged(['dev'], 'imageCountMoreThan', 1))],
    images: [image('P1', ['prod-1'], 4), image('D1', ['dev-1'], 3), image('P2', ['prod-2'], 2), image('D2', ['dev-2'], 1)],
    expires: { P1: 1, D1: 2 },
  },
  {
    name: 'an image tagged for a kept higher rule survives a lower count that would take it',
    rules: [rule(1, tagged(['prod'], 'sinceImagePushed', 90)), rule(2, tagged(['build'], 'imageCountMoreThan', 1))],
    images: [image('A', ['build-1', 'prod'], 5), image('B', ['build-2'], 3), image('C', ['build-3'], 1)],
    expires: { B: 2 },
  },
];

describe('lifecycle policy evaluation (the user guide’s examples and its evaluation rules)', () => {
  it('has a table of at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name', ({ rules, images, expires }) => {
    const policy = parseLifecyclePolicy(JSON.stringify({ rules }));
    const { verdicts } = evaluateLifecyclePolicy(policy, images, NOW);
    const byName = new Map(images.map((i) => [i.digest, i.name]));
    const got = Object.fromEntries(verdicts.map((v) => [byName.get(v.image.digest), v.rule.rulePriority]));
    expect(got).toEqual(expires);
    // Each image is acted on by one rule at most.
    expect(new Set(verdicts.map((v) => v.image.digest)).size).toBe(verdicts.length);
  });

  it('lists the images of a rule oldest first, and names a transition as such', () => {
    const policy = parseLifecyclePolicy(JSON.stringify({ rules: [rule(1, anyImage('sinceImagePushed', 20), { type: 'transition', targetStorageClass: 'archive' })] }));
    const { verdicts } = evaluateLifecyclePolicy(policy, untaggedAges, NOW);
    expect(verdicts.map((v) => [v.image.digest.slice(7, 9), v.action])).toEqual([
      ['t1', 'TRANSITION'],
      ['u1', 'TRANSITION'],
    ]);
  });

  it('reports what each rule selected, kept or not, so a rule that selects nothing shows', () => {
    const policy = parseLifecyclePolicy(
      JSON.stringify({ rules: [rule(1, tagged(['release'], 'imageCountMoreThan', 1)), rule(2, patterned(['v*'], 'imageCountMoreThan', 3))] }),
    );
    const { selected } = evaluateLifecyclePolicy(policy, sixVersions, NOW);
    expect(selected.get(1)).toEqual([]);
    expect(selected.get(2)?.map((i) => i.tags[0])).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
  });
});
