import { matchesWildcard } from './images.js';
import type { LifecyclePolicy, LifecycleRule } from './lifecycle-policy.js';

/**
 * ECR's lifecycle policy evaluator, as a pure function of (policy, images, now): which images a
 * policy expires (or would transition), and by which rule. The preview, the sandbox's scheduled
 * expiry and lesson 12's check all ask it, so the three can never disagree.
 *
 * The rules it follows are the user guide's "Lifecycle policy evaluation rules" (and the worked
 * examples on its lifecycle_policy_examples page, which test/sandbox/lifecycle.test.ts replays):
 * - every rule is evaluated against every image, then the rules are applied in priority order
 *   (lowest rulePriority first);
 * - an image is expired by at most one rule, and an image that matches the tag selection of a
 *   rule can never be expired by a rule of lower priority, even when that rule kept it: the
 *   higher rule "saw" it first. A lower rule still counts it ("can still identify them as if
 *   they haven't been expired"), so it may keep fewer of the images it alone selects;
 * - expiry always goes oldest push first: imageCountMoreThan sorts youngest to oldest and marks
 *   every image past the count, sinceImagePushed marks every image older than countNumber days;
 * - tagPrefixList / tagPatternList select an image only when every listed prefix or pattern
 *   matches one of its tags.
 */

/** What the evaluator needs to know about an image. */
export interface LifecycleImage {
  digest: string;
  /** Empty for an untagged image. */
  tags: string[];
  /** Epoch seconds. */
  pushedAt: number;
  /** Epoch seconds of the last recorded pull, if any (sinceImagePulled). */
  lastPulledAt?: number;
}

/** One image a policy acts on. */
export interface LifecycleVerdict<I extends LifecycleImage = LifecycleImage> {
  image: I;
  /** The rule that marked it (each image has at most one). */
  rule: LifecycleRule;
  /** `EXPIRE`, or `TRANSITION` to the archive storage class. */
  action: 'EXPIRE' | 'TRANSITION';
}

export interface LifecycleEvaluation<I extends LifecycleImage = LifecycleImage> {
  /** The images the policy acts on, by rule priority, oldest push first within a rule. */
  verdicts: LifecycleVerdict<I>[];
  /** For each rule (by rulePriority), the images its tag selection matches, acted on or not. */
  selected: Map<number, I[]>;
}

const SECONDS_PER_DAY = 24 * 60 * 60;

/** Whether a rule's tag selection (tagStatus, prefixes, patterns, storage class) takes an image. */
export function ruleSelects(rule: LifecycleRule, image: LifecycleImage): boolean {
  const { selection } = rule;
  // The sandbox never archives an image: every image is in the standard storage class.
  if (selection.storageClass === 'archive') return false;
  switch (selection.tagStatus) {
    case 'any':
      return true;
    case 'untagged':
      return image.tags.length === 0;
    case 'tagged':
      return (
        image.tags.length > 0 &&
        (selection.tagPrefixList ?? []).every((prefix) => image.tags.some((tag) => tag.startsWith(prefix))) &&
        (selection.tagPatternList ?? []).every((pattern) => image.tags.some((tag) => matchesWildcard(pattern, tag)))
      );
  }
}

/** Youngest push first; the digest breaks ties so the order never depends on insertion. */
const youngestFirst = (a: LifecycleImage, b: LifecycleImage) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1);

/** The images among `selected` a rule's count or age marks, oldest push first. */
function marked<I extends LifecycleImage>(rule: LifecycleRule, selected: I[], now: number): I[] {
  const { countType, countNumber } = rule.selection;
  const sorted = [...selected].sort(youngestFirst);
  const olderThan = (time: number) => now - time > countNumber * SECONDS_PER_DAY;
  let chosen: I[];
  switch (countType) {
    case 'imageCountMoreThan':
      chosen = sorted.slice(countNumber);
      break;
    case 'sinceImagePushed':
      chosen = sorted.filter((image) => olderThan(image.pushedAt));
      break;
    case 'sinceImagePulled':
      // An image never pulled counts from its push.
      chosen = sorted.filter((image) => olderThan(image.lastPulledAt ?? image.pushedAt));
      break;
    case 'sinceImageTransitioned':
      // Nothing is ever transitioned to the archive in the sandbox, so nothing is old enough.
      chosen = [];
      break;
  }
  return chosen.reverse();
}

/** Evaluates a (validated) policy against a repository's images at `now` (epoch seconds). */
export function evaluateLifecyclePolicy<I extends LifecycleImage>(policy: LifecyclePolicy, images: readonly I[], now: number): LifecycleEvaluation<I> {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  // Every image some higher-priority rule selected: lower rules may count it, never mark it.
  const seen = new Set<string>();
  const verdicts: LifecycleVerdict<I>[] = [];
  const selected = new Map<number, I[]>();
  for (const rule of rules) {
    const taken = images.filter((image) => ruleSelects(rule, image));
    selected.set(rule.rulePriority, taken);
    for (const image of marked(rule, taken, now)) {
      if (seen.has(image.digest)) continue;
      verdicts.push({ image, rule, action: rule.action.type === 'transition' ? 'TRANSITION' : 'EXPIRE' });
    }
    for (const image of taken) seen.add(image.digest);
  }
  return { verdicts, selected };
}
