import { errors } from '../api/errors.js';
import { parsePolicy, PolicyError } from '../iam/policy.js';

/**
 * Repository (resource-based IAM) policy rules. ECR answers every malformed policy with one
 * message, "Invalid repository policy provided" (moto copies it from real ECR), so the checks
 * here only decide yes or no.
 */

const POLICY_VERSIONS = new Set(['2012-10-17', '2008-10-17']);
/**
 * The grammar nests at most six levels (policy → Statement list → statement → Condition →
 * operator → values list); anything deeper is refused before any code walks it recursively (3000
 * levels once overflowed the pretty-printer's stack and answered 500). With the depth bounded,
 * so is what the pretty-printer stores and echoes: its indentation grows with depth, and 1,680
 * levels in a 10 KB policy once made 5.6 MB of it.
 */
const MAX_POLICY_DEPTH = 8;

const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const isStringOrStringList = (value: unknown): boolean =>
  (typeof value === 'string' && value.length > 0) ||
  (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.length > 0));

function statementValid(statement: unknown): boolean {
  if (!isObject(statement)) return false;
  if (Object.keys(statement).some((key) => !STATEMENT_KEYS.has(key))) return false;
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return false;
  // Exactly one of each pair; a resource-based policy must name who it applies to.
  if ((statement.Action === undefined) === (statement.NotAction === undefined)) return false;
  if (!isStringOrStringList(statement.Action ?? statement.NotAction)) return false;
  if ((statement.Principal === undefined) === (statement.NotPrincipal === undefined)) return false;
  const principal = statement.Principal ?? statement.NotPrincipal;
  if (principal !== '*' && !(isObject(principal) && Object.values(principal).every(isStringOrStringList))) return false;
  if (statement.Condition !== undefined && !conditionValid(statement.Condition)) return false;
  return true;
}

const isScalar = (value: unknown): boolean => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** `{ operator: { key: value | [values] } }`, values being strings, numbers or booleans. */
function conditionValid(condition: unknown): boolean {
  if (!isObject(condition)) return false;
  return Object.values(condition).every(
    (block) => isObject(block) && Object.values(block).every((value) => isScalar(value) || (Array.isArray(value) && value.every(isScalar))),
  );
}

/** How deeply objects and arrays nest in a parsed JSON value, counted without recursion. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (depth > MAX_POLICY_DEPTH) return depth;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Checks a repository policy and returns it as ECR stores and echoes it: re-serialized in
 * Jackson's default pretty-print style (the CLI examples show `"Version" : "2008-10-17"` and
 * `[ {` on one line whatever the caller sent).
 */
export function normalizeRepositoryPolicy(policyText: string): string {
  let policy: unknown;
  try {
    policy = JSON.parse(policyText);
  } catch {
    throw errors.invalidRepositoryPolicy();
  }
  if (!isObject(policy) || nestingDepth(policy) > MAX_POLICY_DEPTH) throw errors.invalidRepositoryPolicy();
  if (Object.keys(policy).some((key) => !TOP_LEVEL_KEYS.has(key))) throw errors.invalidRepositoryPolicy();
  if (typeof policy.Version !== 'string' || !POLICY_VERSIONS.has(policy.Version)) throw errors.invalidRepositoryPolicy();
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  if (statements.length === 0 || !statements.every(statementValid)) throw errors.invalidRepositoryPolicy();
  // The policy is enforced, so it must also be one IAM's evaluation reads (actions with a vendor, ARNs or `*`).
  try {
    parsePolicy(policyText, 'resource');
  } catch (error) {
    if (error instanceof PolicyError) throw errors.invalidRepositoryPolicy();
    throw error;
  }
  return jacksonPretty(policy);
}

/** JSON in Jackson's DefaultPrettyPrinter layout: objects indented by two, arrays inline. */
export function jacksonPretty(value: unknown, level = 0): string {
  if (Array.isArray(value)) {
    // Jackson's array indenter is inline: it adds spaces, never newlines or nesting.
    return value.length === 0 ? '[ ]' : `[ ${value.map((item) => jacksonPretty(item, level)).join(', ')} ]`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return '{ }';
    const inner = '  '.repeat(level + 1);
    const entries = keys.map((key) => `\n${inner}${JSON.stringify(key)} : ${jacksonPretty(value[key], level + 1)}`);
    return `{${entries.join(',')}\n${'  '.repeat(level)}}`;
  }
  return JSON.stringify(value);
}
