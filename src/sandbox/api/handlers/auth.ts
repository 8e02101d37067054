import { issueTokenFor } from '../../auth/token.js';
import type { OperationHandler } from '../context.js';
import { errors } from '../errors.js';
import { optionalStringList, REGISTRY_ID_PATTERN, REGISTRY_ID_RE } from '../validate.js';

/**
 * GetAuthorizationToken: one token for the caller's registry, valid for the sandbox's TTL, that
 * carries the caller's identity (its access key): the registry authorizes each request as that
 * identity. A token for temporary credentials expires no later than they do. registryIds is
 * deprecated (a token covers every registry the principal can reach), so only its shape is
 * checked.
 */
export const GetAuthorizationToken: OperationHandler = async (api, input) => {
  const registryIds = optionalStringList(input, 'registryIds', 1, 10);
  if (registryIds?.some((id) => !REGISTRY_ID_RE.test(id))) {
    // Real ECR's wording for a bad list element (aws-actions/amazon-ecr-login#27).
    throw errors.invalidParameter(
      'registryIds',
      `Member must satisfy constraint: [Member must satisfy regular expression pattern: ${REGISTRY_ID_PATTERN}]`,
    );
  }
  const now = api.backend.store.now();
  const { identity } = api;
  const token = issueTokenFor(api.backend.store.state.tokenSecret, identity, api.region, api.tokenTtlSeconds, now);
  return {
    authorizationData: [{ authorizationToken: token.authorizationToken, expiresAt: token.expiresAt, proxyEndpoint: api.proxyEndpoint }],
  };
};
