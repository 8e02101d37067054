/** Sorting AWS SDK errors into what they mean for a learner. */

export type AwsProblem =
  | 'no-credentials'
  | 'invalid-credentials'
  | 'expired-credentials'
  | 'access-denied'
  | 'throttled'
  | 'network'
  | 'not-found'
  | 'other';

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** What kind of problem an SDK error is. */
export function classifyAwsError(error: unknown): AwsProblem {
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? e.Code ?? '';
  const code = e.code ?? '';
  const message = e.message ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials|Unable to locate credentials/i.test(message)) return 'no-credentials';
  if (['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignatureException', 'MissingAuthenticationTokenException'].includes(name)) {
    return 'invalid-credentials';
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired'].includes(name) || /sso.*(expired|refresh)|token.*expired/i.test(message)) {
    return 'expired-credentials';
  }
  if (['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation'].includes(name)) return 'access-denied';
  if (['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded'].includes(name) || e.$metadata?.httpStatusCode === 429) return 'throttled';
  if (/NotFoundException$/.test(name)) return 'not-found';
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) ||
    ['TimeoutError', 'AbortError'].includes(name) ||
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo|socket hang up|fetch failed/i.test(message)
  ) {
    return 'network';
  }
  return 'other';
}
