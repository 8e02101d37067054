import { errors } from './errors.js';
import { optionalInteger, optionalString, type Input } from './validate.js';

/**
 * Offset pagination behind an opaque token, the way ECR's Describe and List calls page: up to
 * maxResults (default 100, at most 1000) items, then a nextToken that is absent on the last page.
 */

/** Encodes a pagination position as an opaque token. */
export function encodeNextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64');
}

/** Decodes a nextToken; anything the sandbox did not issue is InvalidParameterException. */
export function decodeNextToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown };
    if (typeof value.o === 'number' && Number.isInteger(value.o) && value.o >= 0) return value.o;
  } catch {
    /* fall through */
  }
  throw errors.invalidNextToken();
}

/** The list member (repositoryNames, imageIds) that rules out nextToken/maxResults when given. */
export function refusePaginationWith(input: Input, listMember: string): void {
  if (input[listMember] !== undefined && (input.nextToken !== undefined || input.maxResults !== undefined)) {
    throw errors.paginationWithList(listMember);
  }
}

/** One page of items: up to maxResults (default 100) from the token's offset, and the next token. */
export function paginate<T>(items: T[], input: Input, defaultMax = 100, maxAllowed = 1000): { page: T[]; nextToken?: string } {
  const maxResults = optionalInteger(input, 'maxResults', 1, maxAllowed) ?? defaultMax;
  const offset = decodeNextToken(optionalString(input, 'nextToken'));
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextToken: encodeNextToken(next) } : { page };
}
