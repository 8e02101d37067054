/**
 * The client of the sandbox control API (see operations.ts): the CLI's `sandbox clock` and
 * `sandbox lifecycle run`, and checks that ask the sandbox what it recorded. Light on imports
 * (node:http and the signer), so CLI commands that use it stay fast.
 */
import http from 'node:http';
import { signSigV4 } from '../auth/sigv4.js';
import { CONTROL_SIGNING_SERVICE, CONTROL_TARGET_PREFIX } from '../config.js';

export interface ControlClientOptions {
  /** `http://localhost:PORT`. */
  endpoint: string;
  region: string;
  /** The sandbox's own access key (from its state file). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  timeoutMs?: number;
}

/** The control API answered with an error (`__type` and message, as AWS JSON errors carry them). */
export class ControlApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** Something the check or command can call: the control API of one running sandbox. */
export interface SandboxControl {
  call<T>(operation: string, input?: Record<string, unknown>): Promise<T>;
}

/** A SigV4-signed client for one sandbox's control API. */
export class ControlClient implements SandboxControl {
  constructor(private readonly options: ControlClientOptions) {}

  /** Calls an operation; resolves to its output, rejects with ControlApiError (or a network error). */
  call<T>(operation: string, input: Record<string, unknown> = {}): Promise<T> {
    const url = new URL(this.options.endpoint);
    const body = Buffer.from(JSON.stringify(input));
    const headers = signSigV4(
      {
        method: 'POST',
        url: '/',
        host: url.host,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${CONTROL_TARGET_PREFIX}.${operation}` },
        body,
      },
      this.options.credentials,
      this.options.region,
      CONTROL_SIGNING_SERVICE,
    );
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { ...headers, 'content-length': body.length }, timeout: this.options.timeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let value: Record<string, unknown>;
            try {
              value = JSON.parse(text) as Record<string, unknown>;
            } catch {
              reject(new ControlApiError('InvalidResponse', `The sandbox answered ${res.statusCode} with something other than JSON: ${text.slice(0, 200)}`, res.statusCode ?? 0));
              return;
            }
            if ((res.statusCode ?? 500) >= 300) reject(new ControlApiError(String(value.__type ?? 'Error'), String(value.message ?? text), res.statusCode ?? 0));
            else resolve(value as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`The sandbox at ${this.options.endpoint} did not answer ${operation} in time.`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
