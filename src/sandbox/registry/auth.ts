import { verifyToken, type TokenClaims } from '../auth/token.js';
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

/** A request's registry credentials: the token's claims (who asked for it), or the error to answer with. */
export type RegistryCredentials = { ok: true; claims: TokenClaims } | { ok: false; error: RegistryError };

/**
 * Checks a request's credentials, as ECR does on every registry request (docker sends its Basic
 * credentials each time once it has seen the challenge): a token this sandbox signed, for this
 * registry's region, not expired. Who the token was issued to is in its claims.
 */
export function checkRegistryCredentials(authorization: string | undefined, ctx: RegistryAuthContext): RegistryCredentials {
  const denied = (error: RegistryError): RegistryCredentials => ({ ok: false, error });
  const match = authorization ? /^Basic\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match) return denied(registryError('noCredentials', ctx.registryHost));
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  if (user !== REGISTRY_USER) return denied(registryError('wrongUserName', user));
  const check = verifyToken(ctx.tokenSecret, password, ctx.now);
  if (!check.ok && check.reason !== 'expired') return denied(registryError('badPassword'));
  // A token is sealed with its region's key, so another region cannot even read it: the region
  // comes before expiry, as in real ECR's 400 at login.
  if (check.claims.region !== ctx.region) return denied(registryError('tokenForOtherRegion', check.claims.region, ctx.region));
  if (!check.ok) return denied(registryError('tokenExpired'));
  return { ok: true, claims: check.claims };
}
