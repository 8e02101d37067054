import { errors } from './errors.js';

/**
 * Server-side parameter validation with ECR's wording. botocore checks only required members,
 * types and minimums before sending (and the JS SDK v3 checks nothing); max lengths, patterns
 * and enums reach the server, so the sandbox must refuse them itself. These helpers check the
 * shape the botocore model declares; rules about state (already exists, tag limits…) live in
 * the backend.
 */

/** The current model's repository name pattern. */
export const REPOSITORY_NAME_PATTERN = '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*';
const REPOSITORY_NAME_RE = new RegExp(`^(?:${REPOSITORY_NAME_PATTERN})$`);
export const REGISTRY_ID_PATTERN = '[0-9]{12}';
export const REGISTRY_ID_RE = new RegExp(`^${REGISTRY_ID_PATTERN}$`);

export type Input = Record<string, unknown>;

/** An image identifier as the API takes it: either member may be missing. */
export interface ImageIdentifier {
  imageDigest?: string;
  imageTag?: string;
}

/** Coral's message for a JSON value of the wrong type (it names the JSON token it found). */
function wrongType(member: string, expected: string, value: unknown): never {
  const token = Array.isArray(value)
    ? 'START_ARRAY'
    : typeof value === 'object'
      ? 'START_OBJECT'
      : typeof value === 'number'
        ? 'NUMBER_VALUE'
        : typeof value === 'boolean'
          ? 'BOOLEAN_VALUE'
          : 'STRING_VALUE';
  throw errors.serialization(`${token} can not be converted to ${expected} (at '${member}')`);
}

/** The member as a string (undefined when absent), with optional model length bounds. */
export function optionalString(input: Input, member: string, bounds: { min?: number; max?: number } = {}): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') wrongType(member, 'a String', value);
  if (bounds.min !== undefined && value.length < bounds.min) {
    throw errors.invalidParameter(member, `Member must have length greater than or equal to ${bounds.min}`);
  }
  if (bounds.max !== undefined && value.length > bounds.max) {
    throw errors.invalidParameter(member, `Member must have length less than or equal to ${bounds.max}`);
  }
  return value;
}

/** A required string member: missing is `Member must not be null`. */
export function requiredString(input: Input, member: string, bounds: { min?: number; max?: number } = {}): string {
  const value = optionalString(input, member, bounds);
  if (value === undefined) throw errors.invalidParameter(member, 'Member must not be null');
  return value;
}

/** An optional boolean member. */
export function optionalBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') wrongType(member, 'a Boolean', value);
  return value;
}

/** An optional integer member within the model's range (ECR says "have value", not "be"). */
export function optionalInteger(input: Input, member: string, min: number, max: number): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) wrongType(member, 'an Integer', value);
  if (value < min) throw errors.invalidParameter(member, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw errors.invalidParameter(member, `Member must have value less than or equal to ${max}`);
  return value;
}

/** A required integer (or long) member within the model's range. */
export function requiredInteger(input: Input, member: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  const value = optionalInteger(input, member, min, max);
  if (value === undefined) throw errors.invalidParameter(member, 'Member must not be null');
  return value;
}

/** A string member that must match a model pattern (ECR quotes the pattern it failed). */
export function requiredPatterned(input: Input, member: string, pattern: string): string {
  const value = requiredString(input, member);
  if (!new RegExp(`^(?:${pattern})$`).test(value)) throw errors.invalidParameter(member, `Member must satisfy regular expression pattern: ${pattern}`);
  return value;
}

/** A required blob member: base64 in JSON 1.1, at most `max` bytes once decoded. */
export function requiredBlob(input: Input, member: string, max: number): Buffer {
  const text = requiredString(input, member);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw errors.serialization(`Base64 encoded value expected (at '${member}')`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > max) throw errors.invalidParameter(member, `Member must have length less than or equal to ${max}`);
  return bytes;
}

/** An optional list member with the model's length bounds. */
export function optionalArray(input: Input, member: string, min: number, max: number): unknown[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) wrongType(member, 'a List', value);
  if (value.length < min) throw errors.invalidParameter(member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw errors.invalidParameter(member, `Member must have length less than or equal to ${max}`);
  return value;
}

/** A required list member. */
export function requiredArray(input: Input, member: string, min: number, max: number): unknown[] {
  const value = optionalArray(input, member, min, max);
  if (value === undefined) throw errors.invalidParameter(member, 'Member must not be null');
  return value;
}

/** An optional list of strings. */
export function optionalStringList(input: Input, member: string, min: number, max: number): string[] | undefined {
  const list = optionalArray(input, member, min, max);
  return list?.map((item) => (typeof item === 'string' ? item : wrongType(member, 'a String', item)));
}

/** An optional structure member (a JSON object). */
export function optionalStructure(input: Input, member: string): Input | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) wrongType(member, 'a Structure', value);
  return value as Input;
}

/** A required structure member. */
export function requiredStructure(input: Input, member: string): Input {
  const value = optionalStructure(input, member);
  if (value === undefined) throw errors.invalidParameter(member, 'Member must not be null');
  return value;
}

/** An optional enum member: anything outside the set names the set, as Coral does. */
export function optionalEnum<T extends string>(input: Input, member: string, values: readonly T[]): T | undefined {
  const value = optionalString(input, member);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw errors.invalidParameter(member, `Member must satisfy enum value set: [${values.join(', ')}]`);
  }
  return value as T;
}

/** A required enum member. */
export function requiredEnum<T extends string>(input: Input, member: string, values: readonly T[]): T {
  const value = optionalEnum(input, member, values);
  if (value === undefined) throw errors.invalidParameter(member, 'Member must not be null');
  return value;
}

/**
 * A repository name: 2–256 characters matching ECR's pattern. ECR's own wording here drops
 * the "Member" prefix and quotes the regex (issue reports and captures agree).
 */
export function checkRepositoryName(name: string, member = 'repositoryName'): string {
  if (name.length < 2) throw errors.invalidParameter(member, 'must have length greater than or equal to 2');
  if (name.length > 256) throw errors.invalidParameter(member, 'must have length less than or equal to 256');
  if (!REPOSITORY_NAME_RE.test(name)) {
    throw errors.invalidParameter(member, `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`);
  }
  return name;
}

/**
 * A repository name inside a list member (DescribeRepositories' repositoryNames). ECR words a bad
 * list element as the list's constraint, naming each rule the element broke: `Member must satisfy
 * constraint: [Member must satisfy regular expression pattern: …]` (the same shape as its
 * registryIds capture, aws-actions/amazon-ecr-login#27), not the single-member wording above.
 */
export function checkRepositoryNameInList(name: string, member: string): string {
  const broken = [
    ...(name.length > 256 ? ['Member must have length less than or equal to 256'] : []),
    ...(name.length < 2 ? ['Member must have length greater than or equal to 2'] : []),
    ...(REPOSITORY_NAME_RE.test(name) ? [] : [`Member must satisfy regular expression pattern: ${REPOSITORY_NAME_PATTERN}`]),
  ];
  if (broken.length > 0) throw errors.invalidParameter(member, `Member must satisfy constraint: [${broken.join(', ')}]`);
  return name;
}

/** The required repositoryName member, validated. */
export function requiredRepositoryName(input: Input, member = 'repositoryName'): string {
  const name = optionalString(input, member);
  if (name === undefined) throw errors.invalidParameter(member, 'must not be null');
  return checkRepositoryName(name, member);
}

/** Whether a string is a valid repository name (for callers that answer in another protocol). */
export function isValidRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME_RE.test(name);
}

/** registryId is optional; when given it must be 12 digits (whose registry it is, the backend decides). */
export function optionalRegistryId(input: Input): string | undefined {
  const value = optionalString(input, 'registryId');
  if (value === undefined) return undefined;
  if (!REGISTRY_ID_RE.test(value)) {
    throw errors.invalidParameter('registryId', `Member must satisfy regular expression pattern: ${REGISTRY_ID_PATTERN}`);
  }
  return value;
}

/** One ImageIdentifier structure: imageTag is 1–300 characters in the model, imageDigest free-form. */
export function imageIdentifier(value: unknown, member: string): ImageIdentifier {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) wrongType(member, 'a Structure', value);
  const input = value as Input;
  const imageDigest = optionalString(input, 'imageDigest');
  const imageTag = optionalString(input, 'imageTag', { min: 1, max: 300 });
  return { ...(imageDigest !== undefined ? { imageDigest } : {}), ...(imageTag !== undefined ? { imageTag } : {}) };
}

/** A list of ImageIdentifier structures (1–100 in every operation that takes one). */
export function imageIdentifierList(input: Input, member: string, required: boolean): ImageIdentifier[] | undefined {
  const list = required ? requiredArray(input, member, 1, 100) : optionalArray(input, member, 1, 100);
  return list?.map((item) => imageIdentifier(item, member));
}
