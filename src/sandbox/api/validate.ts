import { errors } from './errors.js';

/**
 * Server-side parameter validation with ECR's wording. botocore checks only required members,
 * types and minimums before sending; max lengths, patterns and enums reach the server, so the
 * sandbox must refuse them itself.
 */

/** The current model's repository name pattern. */
export const REPOSITORY_NAME_PATTERN = '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*';
const REPOSITORY_NAME_RE = new RegExp(`^(?:${REPOSITORY_NAME_PATTERN})$`);
export const REGISTRY_ID_PATTERN = '[0-9]{12}';
const REGISTRY_ID_RE = /^[0-9]{12}$/;

export type Input = Record<string, unknown>;

/** The member as a string; a missing member is `must not be null` when required. */
export function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw errors.serialization(`STRING_VALUE can not be converted to a String: '${member}' must be a string.`);
  return value;
}

export function requiredString(input: Input, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined) throw errors.invalidParameter(member, 'must not be null');
  return value;
}

export function optionalBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw errors.serialization(`'${member}' must be a boolean.`);
  return value;
}

export function optionalInteger(input: Input, member: string, min: number, max: number): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw errors.serialization(`'${member}' must be an integer.`);
  if (value < min) throw errors.invalidParameter(member, `must be greater than or equal to ${min}`);
  if (value > max) throw errors.invalidParameter(member, `must be less than or equal to ${max}`);
  return value;
}

export function optionalArray(input: Input, member: string, min: number, max: number): unknown[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw errors.serialization(`'${member}' must be a list.`);
  if (value.length < min) throw errors.invalidParameter(member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw errors.invalidParameter(member, `Member must have length less than or equal to ${max}`);
  return value;
}

export function requiredArray(input: Input, member: string, min: number, max: number): unknown[] {
  const value = optionalArray(input, member, min, max);
  if (value === undefined) throw errors.invalidParameter(member, 'must not be null');
  return value;
}

export function optionalEnum<T extends string>(input: Input, member: string, values: readonly T[]): T | undefined {
  const value = optionalString(input, member);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw errors.invalidParameter(member, `Member must satisfy enum value set: [${values.join(', ')}]`);
  }
  return value as T;
}

/** A repository name: 2–256 characters matching ECR's pattern. */
export function checkRepositoryName(name: string, member = 'repositoryName'): string {
  if (name.length < 2) throw errors.invalidParameter(member, 'must have length greater than or equal to 2');
  if (name.length > 256) throw errors.invalidParameter(member, 'must have length less than or equal to 256');
  if (!REPOSITORY_NAME_RE.test(name)) {
    throw errors.invalidParameter(member, `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`);
  }
  return name;
}

export function requiredRepositoryName(input: Input, member = 'repositoryName'): string {
  return checkRepositoryName(requiredString(input, member), member);
}

/** Whether a string is a valid repository name (for callers that answer in another protocol). */
export function isValidRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME_RE.test(name);
}

/** registryId is optional; when given it must be 12 digits (and, here, the sandbox's own). */
export function optionalRegistryId(input: Input): string | undefined {
  const value = optionalString(input, 'registryId');
  if (value === undefined) return undefined;
  if (!REGISTRY_ID_RE.test(value)) {
    throw errors.invalidParameter('registryId', `must satisfy regular expression '${REGISTRY_ID_PATTERN}'`);
  }
  return value;
}
