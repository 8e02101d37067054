/**
 * Reading ECS request members. Types are checked by the shared JSON 1.1 readers (a wrong JSON
 * type is Coral's SerializationException, for ECS as for ECR); what is missing or out of its set
 * gets ECS's InvalidParameterException. botocore checks required members before sending, so
 * these messages reach SDK users (JS v3 checks nothing) and hand-written requests.
 */
import { optionalArray, optionalBoolean, optionalInteger, optionalString, optionalStructure, type Input } from '../api/validate.js';
import { ecsErrors } from './errors.js';

export type { Input };
export { optionalBoolean, optionalString, optionalStructure };

/** A string member that must be there and not empty. */
export function requiredText(input: Input, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined || value === '') throw ecsErrors.missing(member);
  return value;
}

/** An integer member (any value: ECS words its own range errors where it has them). */
export function optionalInt(input: Input, member: string): number | undefined {
  return optionalInteger(input, member, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}

/** A list member, empty when absent. */
export function listOf(input: Input, member: string): unknown[] {
  return optionalArray(input, member, 0, Number.MAX_SAFE_INTEGER) ?? [];
}

/** A list of strings, empty when absent. */
export function stringsOf(input: Input, member: string): string[] {
  return listOf(input, member).map((item) => {
    if (typeof item !== 'string') throw ecsErrors.missing(member);
    return item;
  });
}

/** A list of structures, empty when absent. */
export function structuresOf(input: Input, member: string): Input[] {
  return listOf(input, member).map((item) => optionalStructure({ [member]: item }, member) ?? {});
}

/** An enum member: undefined when absent, InvalidParameterException naming the set when outside it. */
export function optionalEnumOf<T extends string>(input: Input, member: string, values: readonly T[]): T | undefined {
  const value = optionalString(input, member);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) throw ecsErrors.notOneOf(member, values);
  return value as T;
}

/** ECS tags ({key, value}), as CreateCluster, RegisterTaskDefinition and RunTask take them. */
export function tagsOf(input: Input): Array<{ key: string; value: string }> {
  return structuresOf(input, 'tags').map((tag) => ({ key: requiredText(tag, 'key'), value: optionalString(tag, 'value') ?? '' }));
}
