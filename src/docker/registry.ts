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
  const res = await fetch(`${registryBaseUrl(host)}/v2/`, {
    headers: { authorization: `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}` },
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
  return { status: res.status, code, message };
}
