/**
 * Lesson 12's judgement of a lifecycle policy: the learner's policy is evaluated against the
 * repository's real images with the sandbox's own evaluator (the one its preview and its expiry
 * use), and what it expires is compared with what the lesson asked for. Never a comparison of
 * JSON text: any policy that does the right thing passes.
 */
import type { ImageDetail } from '@aws-sdk/client-ecr';
import { evaluateLifecyclePolicy, type LifecycleImage } from '../sandbox/backend/lifecycle.js';
import { matchesWildcard } from '../sandbox/backend/images.js';
import { parseLifecyclePolicy, type LifecyclePolicy, type LifecycleRule } from '../sandbox/backend/lifecycle-policy.js';
import type { Refusal } from '../sandbox/backend/ecr.js';
import type { ClockOutput, RefusalsOutput } from '../sandbox/control-api/operations.js';
import { diagnoses } from './diagnoses.js';
import { fail, type CheckContext, type CheckResult, type Diagnosis } from './types.js';

const DAY = 86_400;
/** ECR private storage, per GB-month (us-east-1). */
export const STORAGE_DOLLARS_PER_GB_MONTH = 0.1;

/** What lesson 12 asks a policy to do. */
export interface LifecycleIntent {
  /** The tags that are versions (`v*`). */
  versionPattern: string;
  /** How many of the newest versions stay. */
  keepVersions: number;
  /** Untagged images go once older than this many days. */
  untaggedDays: number;
  /** The version lesson 13 promotes: it must never expire. */
  protect: string;
}

/** An image as the judgement needs it. */
export interface JudgedImage extends LifecycleImage {
  sizeInBytes: number;
}

/** DescribeImages' details as images to judge. */
export function judgedImages(details: ImageDetail[]): JudgedImage[] {
  return details.map((d) => ({
    digest: d.imageDigest!,
    tags: d.imageTags ?? [],
    pushedAt: (d.imagePushedAt?.getTime() ?? 0) / 1000,
    ...(d.lastRecordedPullTime ? { lastPulledAt: d.lastRecordedPullTime.getTime() / 1000 } : {}),
    sizeInBytes: d.imageSizeInBytes ?? 0,
  }));
}

/** `v2`, or `<untagged sha256:1234abcd>`: how an image is named in evidence and diagnoses. */
export function imageName(image: LifecycleImage): string {
  return image.tags.length > 0 ? image.tags.join(', ') : `<untagged ${image.digest.slice(0, 19)}…>`;
}

const isVersion = (image: LifecycleImage, intent: LifecycleIntent) => image.tags.some((tag) => matchesWildcard(intent.versionPattern, tag));

/**
 * The images the lesson's intent expires at `at`: untagged images older than untaggedDays, and
 * the versions other than the newest keepVersions and the protected one. Everything else stays.
 */
export function intendedExpiry(images: JudgedImage[], intent: LifecycleIntent, at: number): Set<string> {
  const versions = images.filter((image) => isVersion(image, intent)).sort((a, b) => b.pushedAt - a.pushedAt);
  const keep = new Set(versions.slice(0, intent.keepVersions).map((image) => image.digest));
  const expire = new Set<string>();
  for (const image of images) {
    if (image.tags.length === 0 && at - image.pushedAt > intent.untaggedDays * DAY) expire.add(image.digest);
  }
  for (const image of versions) if (!keep.has(image.digest) && !image.tags.includes(intent.protect)) expire.add(image.digest);
  return expire;
}

/** Monthly storage cost of some bytes, at $0.10 per GB-month. */
export function monthlyCost(bytes: number): number {
  return (bytes / 1e9) * STORAGE_DOLLARS_PER_GB_MONTH;
}

/** `$0.000002 a month (2.1 KB); at 500 MB an image, $0.15 a month`: the cost, with a realistic scale beside it. */
export function costLine(images: JudgedImage[]): string {
  const bytes = images.reduce((sum, image) => sum + image.sizeInBytes, 0);
  const dollars = monthlyCost(bytes);
  const shown = dollars >= 0.01 ? dollars.toFixed(2) : dollars.toPrecision(2);
  const scaled = (images.length * 0.5 * STORAGE_DOLLARS_PER_GB_MONTH).toFixed(2);
  return `$${shown} a month (${(bytes / 1e6).toFixed(3)} MB); were each a typical 500 MB application image, $${scaled} a month`;
}

export type PolicyJudgement =
  | { ok: true; evidence: string[]; expiring: JudgedImage[] }
  | { ok: false; diagnosis: Diagnosis; evidence: string[] };

/** Words for a rule's tag selection: `tagPatternList ["v*"]`. */
function selectionText(rule: LifecycleRule): string {
  const s = rule.selection;
  if (s.tagPrefixList) return `tagPrefixList ${JSON.stringify(s.tagPrefixList)}`;
  if (s.tagPatternList) return `tagPatternList ${JSON.stringify(s.tagPatternList)}`;
  return `tagStatus "${s.tagStatus}"`;
}

/**
 * Judges a policy text against the repository's images, as of `now` (the target's clock) and a
 * day and an hour later, when the untagged rule is due. With `everyRuleSelects`, a rule that
 * selects none of the images is a mistake (a typo in a tag pattern, usually).
 */
export function judgePolicy(
  policyText: string,
  images: JudgedImage[],
  intent: LifecycleIntent,
  now: number,
  options: { everyRuleSelects: boolean },
): PolicyJudgement {
  let policy: LifecyclePolicy;
  try {
    policy = parseLifecyclePolicy(policyText);
  } catch (error) {
    return { ok: false, diagnosis: diagnoses.lifecyclePolicyRefused((error as Error).message), evidence: [] };
  }
  const later = now + intent.untaggedDays * DAY + 3600;
  const byDigest = new Map(images.map((image) => [image.digest, image]));
  const evidence: string[] = [];
  if (options.everyRuleSelects) {
    // What a rule selects does not depend on the time; a rule that selects nothing is a typo first.
    const { selected } = evaluateLifecyclePolicy(policy, images, now);
    const idle = policy.rules.find((rule) => (selected.get(rule.rulePriority) ?? []).length === 0);
    const tags = [...new Set(images.flatMap((image) => image.tags))].sort();
    if (idle) return { ok: false, diagnosis: diagnoses.lifecycleRuleSelectsNothing(idle.rulePriority, selectionText(idle), tags), evidence };
  }
  let expiringLater: JudgedImage[] = [];
  for (const at of [now, later]) {
    const { verdicts } = evaluateLifecyclePolicy(policy, images, at);
    const actual = new Map(verdicts.filter((v) => v.action === 'EXPIRE').map((v) => [v.image.digest, v.rule.rulePriority]));
    const intended = intendedExpiry(images, intent, at);
    const when = at === now ? 'now' : `${intent.untaggedDays} day(s) from now`;
    evidence.push(`Expired ${when}: ${[...actual].map(([d, rule]) => `${imageName(byDigest.get(d)!)} (rule ${rule})`).join('; ') || 'nothing'}`);
    const needed = verdicts.find((v) => v.image.tags.includes(intent.protect));
    if (needed) return { ok: false, diagnosis: diagnoses.lifecycleExpiresNeededImage(intent.protect, needed.rule.rulePriority), evidence };
    const tooMuch = [...actual.keys()].filter((d) => !intended.has(d)).map((d) => byDigest.get(d)!);
    if (tooMuch.length > 0) return { ok: false, diagnosis: diagnoses.lifecycleExpiresTooMuch(tooMuch.map(imageName), when), evidence };
    const kept = [...intended].filter((d) => !actual.has(d)).map((d) => byDigest.get(d)!);
    if (kept.length > 0) return { ok: false, diagnosis: diagnoses.lifecycleKeepsTooMuch(kept.map(imageName), when, costLine(kept)), evidence };
    if (at === later) expiringLater = verdicts.map((v) => byDigest.get(v.image.digest)!);
  }
  evidence.push(`Storage it frees: ${costLine(expiringLater)}`);
  return { ok: true, evidence, expiring: expiringLater };
}

/** The target's now, in epoch seconds: the sandbox's clock (which the learner may have moved), else real time. */
export async function targetNow(ctx: CheckContext): Promise<number> {
  if (!ctx.sandboxControl) return Date.now() / 1000;
  return (await ctx.sandboxControl.call<ClockOutput>('DescribeClock')).now;
}

/** The sandbox's latest refusal of one of these operations for the repository (none on AWS, which keeps no such record). */
export async function latestRefusal(ctx: CheckContext, operations: string[]): Promise<Refusal | undefined> {
  if (!ctx.sandboxControl) return undefined;
  try {
    const { refusals } = await ctx.sandboxControl.call<RefusalsOutput>('DescribeRecentRefusals', { repositoryName: ctx.repositoryName, region: ctx.region });
    return refusals.filter((r) => operations.includes(r.operation)).at(-1);
  } catch {
    return undefined;
  }
}

/** The diagnosis for a lifecycle policy ECR refused, from its message. */
export function refusedPolicyDiagnosis(refusal: Refusal): Diagnosis {
  if (/tagPrefixList or tagPatternList is required when tagStatus is 'tagged'/.test(refusal.message)) return diagnoses.lifecycleTaggedWithoutFilter(refusal.message);
  if (/tagStatus 'any' must have the highest rulePriority/.test(refusal.message)) return diagnoses.lifecycleAnyNotLast(refusal.message);
  return diagnoses.lifecyclePolicyRefused(refusal.message);
}

/** The failing result for the sandbox's latest refusal of a policy by one of these operations, if any. */
export async function refusedPolicyResult(ctx: CheckContext, operations: string[], summary: string): Promise<CheckResult | undefined> {
  const refused = await latestRefusal(ctx, operations);
  return refused && fail(summary, refusedPolicyDiagnosis(refused), [`${refused.operation}: ${refused.code}: ${refused.message}`]);
}

/** The failing result when the image lesson 13 promotes is no longer in the repository. */
export function neededImageGone(ctx: CheckContext, images: JudgedImage[], intent: LifecycleIntent, evidence: string[]): CheckResult | undefined {
  if (images.some((image) => image.tags.includes(intent.protect))) return undefined;
  return fail(`${intent.protect} is gone`, diagnoses.lifecycleNeededImageGone(intent.protect, ctx.repositoryUri), evidence);
}

/** The intent from a step's params (the lesson asks: keep three v*, untagged after a day, protect v1). */
export function intentOf(params: Record<string, unknown>, tag: string): LifecycleIntent {
  return {
    versionPattern: typeof params.versionPattern === 'string' ? params.versionPattern : 'v*',
    keepVersions: typeof params.keepVersions === 'number' ? params.keepVersions : 3,
    untaggedDays: typeof params.untaggedDays === 'number' ? params.untaggedDays : 1,
    protect: typeof params.protect === 'string' ? params.protect : tag,
  };
}
