import type { IamBackend, KeyCheck } from '../iam/backend.js';
import type { Identity } from '../iam/types.js';
import { verifySigV4, type SigV4Failure, type SignedRequest } from './sigv4.js';

/** Why a signed request was refused: a SigV4 failure, or a session token past its expiry. */
export type AuthenticationFailure = SigV4Failure | { kind: 'expired-token'; message: string };

export type Authentication =
  | { ok: true; identity: Identity; region: string }
  | { ok: false; failure: AuthenticationFailure };

/**
 * SigV4 authentication against every identity the sandbox knows: the active access keys of
 * every user of every account, and every session (whose key needs its X-Amz-Security-Token).
 * The signature is checked first; a key that is unknown, deleted, Inactive or sent with the
 * wrong session token is then "invalid", an expired session "expired", as AWS words them.
 */
export function authenticate(req: SignedRequest, expectedService: string, iam: IamBackend): Authentication {
  const header = req.headers['x-amz-security-token'];
  const sessionToken = Array.isArray(header) ? header[0] : header;
  let check: KeyCheck | undefined;
  const result = verifySigV4(req, expectedService, (accessKeyId) => {
    check = iam.checkKey(accessKeyId, sessionToken);
    return check.secretAccessKey;
  });
  if (!result.ok) return { ok: false, failure: result };
  if (!check?.ok) {
    if (check?.reason === 'expired') return { ok: false, failure: { kind: 'expired-token', message: 'The security token included in the request is expired' } };
    return { ok: false, failure: { kind: 'unknown-key', message: 'The security token included in the request is invalid.' } };
  }
  return { ok: true, identity: check.identity, region: result.region };
}
