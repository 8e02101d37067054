import { verifyToken } from '../auth/token.js';
import { registryError, type RegistryError } from './errors.js';

/** ECR's registry login: HTTP Basic, user AWS, password from GetAuthorizationToken. */
export const REGISTRY_USER = 'AWS';

export interface RegistryAuthContext {
  /** HMAC key the passwords were signed with (the store's tokenSecret). */
  tokenSecret: string;
  /** The registry's region: a token from another region's GetAuthorizationToken is refused. */
  region: string;
  /** `localhost:PORT`, for the login hint in the 401 message. */
  registryHost: string;
  now?: number;
}

/**
 * Checks a request's credentials, as ECR does on every registry request (docker sends its Basic
 * credentials each time once it has seen the challenge). Returns the error to answer with, or
 * undefined when the request may proceed.
 */
export function checkRegistryCredentials(authorization: string | undefined, ctx: RegistryAuthContext): RegistryError | undefined {
  const match = authorization ? /^Basic\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match) return registryError('noCredentials', ctx.registryHost);
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  if (user !== REGISTRY_USER) return registryError('wrongUserName', user);
  const check = verifyToken(ctx.tokenSecret, password, ctx.now);
  if (!check.ok && check.reason !== 'expired') return registryError('badPassword');
  // A token is sealed with its region's key, so another region cannot even read it: the region
  // comes before expiry, as in real ECR's 400 at login.
  if (check.claims.region !== ctx.region) return registryError('tokenForOtherRegion', check.claims.region, ctx.region);
  if (!check.ok) return registryError('tokenExpired');
  return undefined;
}
