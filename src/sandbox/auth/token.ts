import crypto from 'node:crypto';
import type { Identity } from '../iam/types.js';

/**
 * ECR registry passwords. Real ECR hands out `base64("AWS:" + password)` where the password is
 * base64 of a JSON envelope {payload, datakey, version, type, expiration}; the sandbox keeps
 * that shape and signs the payload with an HMAC key of its own, so it can verify a password
 * without remembering it. Base64 never contains ':', which the aws CLI's split(':') needs.
 */
export interface TokenClaims {
  /** The region whose GetAuthorizationToken issued it: a registry of another region refuses it. */
  region: string;
  accessKeyId: string;
  accountId: string;
  issuedAt: number;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface IssuedToken {
  authorizationToken: string;
  password: string;
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' }
  | { ok: false; reason: 'expired'; claims: TokenClaims };

function sign(secret: string, payload: string): string {
  return crypto.createHmac('sha256', secret).update(payload).digest('base64');
}

/**
 * A registry login for `identity`, as GetAuthorizationToken issues it: for `ttlSeconds`, but
 * never past the end of a role session (a login made with a session expires with it).
 */
export function issueTokenFor(secret: string, identity: Identity, region: string, ttlSeconds: number, now: number): IssuedToken {
  const ttl = identity.kind === 'assumed-role' ? Math.min(ttlSeconds, identity.expiration - now) : ttlSeconds;
  return issueToken(secret, { region, accessKeyId: identity.accessKeyId, accountId: identity.accountId }, ttl, now);
}

/** Issues a registry password valid for `ttlSeconds` from `now`. */
export function issueToken(
  secret: string,
  claims: Omit<TokenClaims, 'issuedAt' | 'expiresAt'>,
  ttlSeconds: number,
  now: number = Date.now() / 1000,
): IssuedToken {
  const full: TokenClaims = { ...claims, issuedAt: Math.floor(now), expiresAt: Math.floor(now + ttlSeconds) };
  const payload = Buffer.from(JSON.stringify(full)).toString('base64');
  const envelope = {
    payload,
    datakey: sign(secret, payload),
    version: '2',
    type: 'DATA_KEY',
    expiration: full.expiresAt,
  };
  const password = Buffer.from(JSON.stringify(envelope)).toString('base64');
  return {
    password,
    authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
    expiresAt: full.expiresAt,
  };
}

/** Checks a registry password: signature first, then expiry. */
export function verifyToken(secret: string, password: string, now: number = Date.now() / 1000): TokenCheck {
  let envelope: { payload?: unknown; datakey?: unknown };
  try {
    envelope = JSON.parse(Buffer.from(password, 'base64').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof envelope?.payload !== 'string' || typeof envelope.datakey !== 'string') return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(secret, envelope.payload));
  const given = Buffer.from(envelope.datakey);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.expiresAt !== 'number' || typeof claims.region !== 'string') return { ok: false, reason: 'malformed' };
  if (now >= claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}
