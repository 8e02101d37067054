import { errors } from '../api/errors.js';

/**
 * Lifecycle policy rules (user guide, LifecyclePolicies.md and lifecycle_policy_parameters).
 * Real ECR validates the JSON against a schema first, with json-schema-validator's wording
 * (`object has missing required properties (["rules"])`, `numeric instance is lower than the
 * required minimum (minimum: 1, found: 0)`, moto copies these), then checks the rules across
 * each other ("Only one rule can select Untagged images." is captured from real ECR; the other
 * cross-rule messages are sandbox wording stating the documented rule).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const fail = (detail: string): never => {
  throw errors.lifecyclePolicyInvalid(detail);
};

function typeName(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function expectType(value: Json, allowed: 'object' | 'array' | 'string' | 'integer'): void {
  const actual = typeName(value);
  if (actual !== allowed) fail(`instance type (${actual}) does not match any allowed primitive type (allowed: ["${allowed}"])`);
}

function expectProperties(value: JsonObject, required: string[], optional: string[]): void {
  const missing = required.filter((key) => !(key in value)).sort();
  if (missing.length > 0) fail(`object has missing required properties (${JSON.stringify(missing)})`);
  const allowed = new Set([...required, ...optional]);
  const extra = Object.keys(value).filter((key) => !allowed.has(key)).sort();
  if (extra.length > 0) fail(`object instance has properties which are not allowed by the schema: (${JSON.stringify(extra)})`);
}

function expectEnum(value: Json, values: string[]): void {
  if (typeof value !== 'string' || !values.includes(value)) {
    fail(`instance value (${JSON.stringify(value)}) not found in enum (possible values: ${JSON.stringify(values)})`);
  }
}

function expectMinimum(value: Json, minimum: number): void {
  expectType(value, 'integer');
  if ((value as number) < minimum) fail(`numeric instance is lower than the required minimum (minimum: ${minimum}, found: ${value})`);
}

function expectStringList(value: Json): string[] {
  expectType(value, 'array');
  const list = value as Json[];
  if (list.length === 0) fail('array is too short: must have at least 1 elements but instance has 0 elements');
  for (const item of list) expectType(item, 'string');
  return list as string[];
}

const SINCE_COUNT_TYPES = ['sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'];

interface CheckedRule {
  priority: number;
  tagStatus: string;
}

function checkRule(rule: Json): CheckedRule {
  expectType(rule, 'object');
  const r = rule as JsonObject;
  expectProperties(r, ['action', 'rulePriority', 'selection'], ['description']);
  expectMinimum(r.rulePriority!, 1);
  if (r.description !== undefined) expectType(r.description, 'string');

  expectType(r.selection!, 'object');
  const selection = r.selection as JsonObject;
  expectProperties(selection, ['countNumber', 'countType', 'tagStatus'], ['countUnit', 'storageClass', 'tagPatternList', 'tagPrefixList']);
  expectEnum(selection.tagStatus!, ['any', 'tagged', 'untagged']);
  expectEnum(selection.countType!, ['imageCountMoreThan', ...SINCE_COUNT_TYPES]);
  expectMinimum(selection.countNumber!, 1);
  if (selection.countUnit !== undefined) expectEnum(selection.countUnit, ['days']);
  if (selection.storageClass !== undefined) expectEnum(selection.storageClass, ['archive', 'standard']);
  const prefixes = selection.tagPrefixList === undefined ? undefined : expectStringList(selection.tagPrefixList);
  const patterns = selection.tagPatternList === undefined ? undefined : expectStringList(selection.tagPatternList);

  expectType(r.action!, 'object');
  const action = r.action as JsonObject;
  expectProperties(action, ['type'], ['targetStorageClass']);
  expectEnum(action.type!, ['expire', 'transition']);
  if (action.targetStorageClass !== undefined) expectEnum(action.targetStorageClass, ['archive']);

  const priority = r.rulePriority as number;
  const tagStatus = selection.tagStatus as string;
  const countType = selection.countType as string;
  if (tagStatus === 'tagged' && !prefixes && !patterns) {
    fail(`Rule ${priority}: tagPrefixList or tagPatternList is required when tagStatus is 'tagged'.`);
  }
  if (tagStatus !== 'tagged' && (prefixes || patterns)) {
    fail(`Rule ${priority}: tagPrefixList and tagPatternList can be used only when tagStatus is 'tagged'.`);
  }
  if (prefixes && patterns) fail(`Rule ${priority}: specify either tagPrefixList or tagPatternList, not both.`);
  for (const pattern of patterns ?? []) {
    if ((pattern.match(/\*/g) ?? []).length > 4) {
      fail(`Rule ${priority}: the tagPatternList entry '${pattern}' has more than 4 wildcards (*).`);
    }
  }
  if (SINCE_COUNT_TYPES.includes(countType) && selection.countUnit === undefined) {
    fail(`Rule ${priority}: countUnit is required when countType is '${countType}'.`);
  }
  if (countType === 'imageCountMoreThan' && selection.countUnit !== undefined) {
    fail(`Rule ${priority}: countUnit cannot be used when countType is 'imageCountMoreThan'.`);
  }
  if (action.type === 'transition' && action.targetStorageClass === undefined) {
    fail(`Rule ${priority}: a 'transition' action requires targetStorageClass.`);
  }
  if (action.type === 'expire' && action.targetStorageClass !== undefined) {
    fail(`Rule ${priority}: targetStorageClass can be used only with a 'transition' action.`);
  }
  return { priority, tagStatus };
}

/** One rule of a validated lifecycle policy. */
export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';
    countUnit?: 'days';
    countNumber: number;
    storageClass?: 'standard' | 'archive';
  };
  action: { type: 'expire' | 'transition'; targetStorageClass?: 'archive' };
}

/** A lifecycle policy that passed ECR's validation. */
export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

/**
 * Validates a lifecycle policy and returns it as ECR echoes it back: compact JSON (the CLI's
 * put-lifecycle-policy example shows the pretty file returned on one line).
 */
export function normalizeLifecyclePolicy(text: string): string {
  return JSON.stringify(parseLifecyclePolicy(text));
}

/** Validates a lifecycle policy's text as PutLifecyclePolicy does, and returns its rules. */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let policy: Json;
  try {
    policy = JSON.parse(text) as Json;
  } catch {
    return fail('Could not map policyString into LifecyclePolicy.');
  }
  if (typeName(policy) !== 'object') fail('Could not map policyString into LifecyclePolicy.');
  const root = policy as JsonObject;
  expectProperties(root, ['rules'], []);
  expectType(root.rules!, 'array');
  const rules = (root.rules as Json[]).map(checkRule);
  if (rules.length === 0) fail('array is too short: must have at least 1 elements but instance has 0 elements');

  const seen = new Set<number>();
  for (const rule of rules) {
    if (seen.has(rule.priority)) fail(`The rulePriority ${rule.priority} is used by more than one rule; each rule needs a unique rulePriority.`);
    seen.add(rule.priority);
  }
  if (rules.filter((rule) => rule.tagStatus === 'untagged').length > 1) fail('Only one rule can select Untagged images.');
  const highest = Math.max(...rules.map((rule) => rule.priority));
  const any = rules.find((rule) => rule.tagStatus === 'any' && rule.priority !== highest);
  if (any) fail(`The rule with tagStatus 'any' must have the highest rulePriority (rule ${any.priority} is lower than ${highest}).`);
  return policy as unknown as LifecyclePolicy;
}
