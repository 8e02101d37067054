/** Asking a registry, as docker would, whether a credential works right now. */

export interface LoginProbe {
  status: number;
  /** The first registry error code in the body (`DENIED`, `UNAUTHORIZED`, …). */
  code?: string;
  message?: string;
}

/** Loopback registries speak plain HTTP (docker allows that for localhost); all others HTTPS. */
export function registryBaseUrl(host: string): string {
  const name = host.replace(/:\d+$/, '');
  const plain = name === 'localhost' || /^127\./.test(name) || name === '[::1]';
  return `${plain ? 'http' : 'https'}://${host}`;
}

/** GET /v2/ with Basic credentials: 200 means docker can push and pull with them now. */
export async function probeRegistryLogin(host: string, username: string, secret: string): Promise<LoginProbe> {
  return registryRequest(host, { username, secret }, 'GET', '/v2/');
}

/** A registry's answer: status, its first error, and where an upload it started lives. */
export interface RegistryAnswer extends LoginProbe {
  location?: string;
}

/** The manifest types docker asks for when it pulls. */
const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/**
 * One registry request with Basic credentials, as docker makes it: `GET /v2/<name>/manifests/<tag>`
 * is the first request of a pull, `POST /v2/<name>/blobs/uploads/` the first of a push.
 */
export async function registryRequest(host: string, login: { username: string; secret: string }, method: string, path: string): Promise<RegistryAnswer> {
  const res = await fetch(`${registryBaseUrl(host)}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${login.username}:${login.secret}`).toString('base64')}`, accept: MANIFEST_ACCEPT },
    signal: AbortSignal.timeout(10_000),
  });
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = (await res.json()) as { errors?: { code?: string; message?: string }[] };
    code = body.errors?.[0]?.code;
    message = body.errors?.[0]?.message;
  } catch {
    /* no JSON body */
  }
  const location = res.headers.get('location') ?? undefined;
  return { status: res.status, code, message, ...(location ? { location } : {}) };
}
