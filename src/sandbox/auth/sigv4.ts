import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isKnownRegion, nearestRegion } from '../../aws/regions.js';

/** What a SigV4 check needs from an HTTP request. */
export interface SignedRequest {
  method: string;
  /** The request target as received: path plus optional `?query`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type SigV4Failure =
  | { kind: 'missing'; message: string }
  | { kind: 'malformed'; message: string }
  | { kind: 'unknown-key'; message: string }
  | { kind: 'bad-signature'; message: string }
  | { kind: 'expired'; message: string }
  | { kind: 'wrong-service'; message: string }
  | { kind: 'scope-date'; message: string }
  | { kind: 'unknown-region'; message: string };

export type SigV4Result =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | ({ ok: false } & SigV4Failure);

/** Requests signed more than this far from the server's clock are refused, as AWS does. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: crypto.BinaryLike) => crypto.createHash('sha256').update(data).digest('hex');

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  const pairs = query
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      const rawKey = eq < 0 ? part : part.slice(0, eq);
      const rawValue = eq < 0 ? '' : part.slice(eq + 1);
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return [rfc3986(decode(rawKey)), rfc3986(decode(rawValue))] as const;
    });
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalPath(path: string): string {
  if (!path) return '/';
  // The SDKs encode each segment once more for every service but S3.
  return path
    .split('/')
    .map((segment) => rfc3986(segment))
    .join('/');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20261122T191500Z` → Date. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!));
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * A region AWS does not have: AWS's own words for a scope it cannot serve, then what the learner
 * needs: the nearest real region, and that real AWS never even receives such a request (the
 * endpoint, such as `api.ecr.<region>.amazonaws.com`, does not exist, so the CLI cannot connect).
 */
function unknownRegionMessage(region: string, service: string): string {
  const nearest = nearestRegion(region);
  const host = `${service === 'ecr' ? 'api.ecr' : service}.${region}.amazonaws.com`;
  return (
    `Credential should be scoped to a valid region, not '${region}'. AWS has no region '${region}' (did you mean '${nearest}'?): ` +
    `against real AWS this request would never arrive, because no endpoint exists for a made-up region and the aws CLI stops with ` +
    `"Could not connect to the endpoint URL: https://${host}/". Use --region ${nearest} (or set AWS_REGION).`
  );
}

/**
 * The SigV4 signature of a request over the headers named: the canonical request (method, path,
 * query, signed headers, the hash of the body), then the string to sign under `scope`.
 */
function signature(req: SignedRequest, signedHeaders: string[], amzDate: string, scope: string, key: Buffer): Buffer {
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${(headerValue(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  // Always the hash of the bytes received: trusting a client-sent x-amz-content-sha256 would
  // let a tampered body pass with the original hash and signature.
  const payloadHash = sha256Hex(req.body);
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(path);
  } catch {
    decodedPath = path;
  }
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(decodedPath),
    canonicalQuery(query),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  return crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest();
}

/**
 * Signs a request as the AWS SDKs do (host and x-amz-date among the signed headers), for the
 * sandbox's own client of its control API. Returns the headers to send, Authorization included.
 */
export function signSigV4(
  req: { method: string; url: string; host: string; headers: Record<string, string>; body: Buffer },
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  service: string,
  now: Date = new Date(),
): Record<string, string> {
  const amzDate = formatAmzDate(now);
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...req.headers, host: req.host, 'x-amz-date': amzDate })) headers[name.toLowerCase()] = value;
  const signedHeaders = Object.keys(headers).sort();
  const scope = `${day}/${region}/${service}/aws4_request`;
  const sig = signature({ method: req.method, url: req.url, headers, body: req.body }, signedHeaders, amzDate, scope, signingKey(credentials.secretAccessKey, day, region, service));
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig.toString('hex')}`;
  return headers;
}

/** The SigV4 signing key for a secret, day, region and service. */
export function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
}

/**
 * Verifies an `Authorization: AWS4-HMAC-SHA256 …` header against the secret `lookupSecret`
 * returns for its access key id. Pure: no I/O, the clock is passed in.
 */
export function verifySigV4(
  req: SignedRequest,
  expectedService: string,
  lookupSecret: (accessKeyId: string) => string | undefined,
  now: Date = new Date(),
): SigV4Result {
  const authorization = headerValue(req.headers, 'authorization');
  if (!authorization) return { ok: false, kind: 'missing', message: 'Missing Authentication Token' };
  const algorithm = 'AWS4-HMAC-SHA256';
  if (!authorization.startsWith(`${algorithm} `)) {
    return {
      ok: false,
      kind: 'malformed',
      message: `Authorization header requires the ${algorithm} algorithm; the sandbox verifies Signature Version 4 only.`,
    };
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(algorithm.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.get(f));
  if (missing.length > 0) {
    return {
      ok: false,
      kind: 'malformed',
      message: missing.map((f) => `Authorization header requires '${f}' parameter.`).join(' '),
    };
  }
  const credential = fields.get('Credential')!.split('/');
  if (credential.length !== 5 || credential[4] !== 'aws4_request') {
    return {
      ok: false,
      kind: 'malformed',
      message: `Credential should be scoped to a valid region, not '${credential[2] ?? ''}'. The credential must have the form <key>/<date>/<region>/<service>/aws4_request.`,
    };
  }
  const [accessKeyId, day, region, service] = credential as [string, string, string, string, string];
  const amzDateRaw = headerValue(req.headers, 'x-amz-date');
  const amzDate = amzDateRaw ? parseAmzDate(amzDateRaw) : undefined;
  if (!amzDateRaw || !amzDate) {
    return {
      ok: false,
      kind: 'malformed',
      message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    };
  }
  if (!REGION_PATTERN.test(region)) {
    return { ok: false, kind: 'malformed', message: `Credential should be scoped to a valid region, not '${region}'.` };
  }
  if (!isKnownRegion(region)) return { ok: false, kind: 'unknown-region', message: unknownRegionMessage(region, expectedService) };
  if (service !== expectedService) {
    return { ok: false, kind: 'wrong-service', message: `Credential should be scoped to correct service: '${expectedService}'.` };
  }
  // The signing key is derived from the scope's day: a scope for another day than the request's
  // date is refused before any signature is compared (AWS's wording, with its details).
  if (day !== amzDateRaw.slice(0, 8)) {
    return {
      ok: false,
      kind: 'scope-date',
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day}' != '${amzDateRaw.slice(0, 8)}', from '${amzDateRaw}'.`,
    };
  }
  const secret = lookupSecret(accessKeyId);
  if (secret === undefined) {
    return { ok: false, kind: 'unknown-key', message: 'The security token included in the request is invalid.' };
  }
  const skew = amzDate.getTime() - now.getTime();
  if (Math.abs(skew) > MAX_SKEW_MS) {
    // AWS's two wordings: a request signed too long ago has expired, one signed too far
    // ahead is "not yet current".
    const bound = formatAmzDate(new Date(now.getTime() + (skew < 0 ? -MAX_SKEW_MS : MAX_SKEW_MS)));
    return {
      ok: false,
      kind: 'expired',
      message:
        skew < 0
          ? `Signature expired: ${amzDateRaw} is now earlier than ${bound} (${formatAmzDate(now)} - 15 min.)`
          : `Signature not yet current: ${amzDateRaw} is still later than ${bound} (${formatAmzDate(now)} + 15 min.)`,
    };
  }

  const signedHeaders = fields.get('SignedHeaders')!.split(';');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const expected = signature(req, signedHeaders, amzDateRaw, scope, signingKey(secret, day, region, service));
  const given = Buffer.from(fields.get('Signature')!, 'hex');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    return {
      ok: false,
      kind: 'bad-signature',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  return { ok: true, accessKeyId, region, service };
}
