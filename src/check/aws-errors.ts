/** Sorting AWS SDK errors into what they mean for a learner. */
import { isKnownRegion, regionInHost } from '../aws/regions.js';

export type AwsProblem =
  | 'no-credentials'
  | 'invalid-credentials'
  | 'expired-credentials'
  /** Single sign-on (IAM Identity Center) needs `aws sso login` before the SDK has credentials. */
  | 'sso-expired'
  | 'access-denied'
  | 'throttled'
  | 'network'
  /** The region has no endpoints: a typo such as `us-est-1` (told apart from a network down). */
  | 'unknown-region'
  | 'not-found'
  | 'other';

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  hostname?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  cause?: unknown;
}

const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];

/** What kind of problem an SDK error is. */
export function classifyAwsError(error: unknown): AwsProblem {
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? e.Code ?? '';
  const code = e.code ?? '';
  const message = e.message ?? '';
  // Before "no credentials": the SDK reports an expired or missing SSO login as a
  // CredentialsProviderError too, and only its message says that `aws sso login` fixes it.
  if (/aws sso login/i.test(message)) return 'sso-expired';
  // Also a CredentialsProviderError: a credential_process (or a cached role session) that hands
  // back credentials already past their Expiration ("... returned expired credentials.").
  if (/expired credentials|credentials (have|has) expired/i.test(message)) return 'expired-credentials';
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
    NETWORK_CODES.includes(code) ||
    ['TimeoutError', 'AbortError'].includes(name) ||
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo|socket hang up|fetch failed/i.test(message)
  ) {
    return unknownRegionIn(error) ? 'unknown-region' : 'network';
  }
  return 'other';
}

/**
 * The region of an endpoint that does not exist, when a DNS lookup failed for a host in a
 * region AWS does not have (`api.ecr.us-est-1.amazonaws.com`). A lookup failing for a real
 * region's host is the network, not the region.
 */
export function unknownRegionIn(error: unknown): string | undefined {
  const e = (error ?? {}) as SdkErrorLike;
  const notFound = e.code === 'ENOTFOUND' || /ENOTFOUND/.test(e.message ?? '');
  if (!notFound) return undefined;
  const host = e.hostname ?? /ENOTFOUND\s+(\S+)/.exec(e.message ?? '')?.[1] ?? '';
  const region = regionInHost(host);
  return region && !isKnownRegion(region) ? region : undefined;
}

/**
 * The IAM action and resource an AccessDenied message names (`ecr:CreateRepository` on
 * `arn:aws:ecr:…:repository/demo-app`), as AWS words it: "… is not authorized to perform:
 * <action> on resource: <arn> …".
 */
export function deniedAction(message: string): { action: string; resource?: string } | undefined {
  const m = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9]+)(?:\s+on resource:?\s+(\S+))?/.exec(message);
  return m ? { action: m[1]!, ...(m[2] ? { resource: m[2] } : {}) } : undefined;
}

/** How many times the SDK tried before giving up (1 when unknown). */
export function attemptsOf(error: unknown): number {
  return ((error ?? {}) as SdkErrorLike).$metadata?.attempts ?? 1;
}
