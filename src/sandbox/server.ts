import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError, errors } from './api/errors.js';
import { ECR_OPERATIONS, operations, type ApiContext } from './api/operations.js';
import { parseJsonBody, requestId, sendJson, sendJsonError, toAwsError } from './api/protocol.js';
import { verifySigV4, type SigV4Result } from './auth/sigv4.js';
import type { EcrBackend } from './backend/ecr.js';
import { ECR_TARGET_PREFIX, MAX_API_BODY_BYTES } from './config.js';
import { hostAllowed } from './host-guard.js';
import { registryError, sendRegistryError } from './registry/errors.js';
import { sendCallerIdentity, sendStsError } from './sts.js';

/** Serves `/v2/…`; provided by the registry proxy. */
export interface RegistryFrontend {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Why its registry container is gone, or undefined while it serves. */
  registryGone?(): string | undefined;
}

/** How long the sandbox waits on its clients, so none can hold a connection for ever. */
export interface ClientTimeouts {
  /** A request's headers must all arrive within this. */
  headersMs: number;
  /** A connection with nothing sent or received for this long is closed. */
  idleMs: number;
  /** A kept-alive connection waits this long for its next request. */
  keepAliveMs: number;
  /**
   * A request body must bring at least `minBodyBytes` in every `bodyWindowMs` while the sandbox
   * is reading it: a client trickling a byte every 20 s is cut, a slow push is not (docker sends
   * a layer at many kilobytes a second even on a poor link).
   */
  bodyWindowMs: number;
  minBodyBytes: number;
}

export const CLIENT_TIMEOUTS: ClientTimeouts = { headersMs: 60_000, idleMs: 120_000, keepAliveMs: 30_000, bodyWindowMs: 60_000, minBodyBytes: 1024 };

/** What `/health` says of the registry: serving, gone (its container died), starting, or none (API-only). */
export type RegistryHealth = 'up' | 'down' | 'starting' | 'none';

/** Serves the browser console (GET pages and its form posts). */
export interface ConsoleFrontend {
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export interface SandboxServerOptions {
  backend: EcrBackend;
  registry?: RegistryFrontend;
  console?: ConsoleFrontend;
  tokenTtlSeconds: number;
  /** A non-loopback host name the user asked to serve on (--host). */
  extraHost?: string;
  /** IAM actions (e.g. `ecr:CreateRepository`) the sandbox answers with AccessDenied, for tests. */
  deniedActions?: Set<string>;
  /** Whether a registry container is to come (else /v2/ has none: an API-only sandbox). */
  expectRegistry?: boolean;
  timeouts?: Partial<ClientTimeouts>;
}

/** A body over the limit; `drained` when it was read to its end (the connection is still usable). */
class BodyTooLarge extends Error {
  constructor(readonly drained: boolean) {
    super('request body too large');
  }
}

/** Bodies up to this many times the limit are read and discarded, so the client sees the 413. */
const DISCARD_FACTOR = 16;

/**
 * Reads a whole request body, refusing more than `limit` bytes. An oversized body is still
 * read to its end (up to 16 × limit, discarded) before the refusal: a client that writes its
 * whole body before reading, as fetch does, then gets the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const discardLimit = limit * DISCARD_FACTOR;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > discardLimit) {
      req.pause();
      reject(new BodyTooLarge(false));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > discardLimit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLarge(false));
        return;
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      }
      if (!tooLarge) chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge(true)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function sigV4Error(result: Exclude<SigV4Result, { ok: true }>): AwsError {
  switch (result.kind) {
    case 'missing':
      return errors.missingAuthenticationToken();
    case 'unknown-key':
      return errors.unrecognizedClient();
    case 'malformed':
      return errors.incompleteSignature(result.message);
    case 'bad-signature':
    case 'expired':
    case 'wrong-service':
    case 'scope-date':
    case 'unknown-region':
      return errors.invalidSignature(result.message);
  }
}

/** The one HTTP server of the sandbox: ECR API, STS, registry and console on one port. */
export class SandboxServer {
  readonly http: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  /** Attaches the registry once its container is up; until then /v2/ answers 503. */
  setRegistry(registry: RegistryFrontend): void {
    this.options.registry = registry;
  }

  private readonly timeouts: ClientTimeouts;

  constructor(private readonly options: SandboxServerOptions) {
    this.timeouts = { ...CLIENT_TIMEOUTS, ...options.timeouts };
    // Node checks the headers deadline on this interval (30 s by default): often enough to keep it.
    this.http = http.createServer({ connectionsCheckingInterval: Math.min(30_000, Math.max(100, this.timeouts.headersMs / 4)) }, (req, res) => {
      this.watchBody(req);
      this.route(req, res);
    });
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // Large pushes stream for a long time: no deadline for a whole request, only for its
    // headers, for idleness, and for a body that stops moving (watchBody).
    this.http.requestTimeout = 0;
    this.http.headersTimeout = this.timeouts.headersMs;
    this.http.keepAliveTimeout = this.timeouts.keepAliveMs;
    this.http.timeout = this.timeouts.idleMs;
  }

  /**
   * Closes the connection of a request whose body arrives slower than the minimum rate while the
   * sandbox reads it. A body the sandbox itself holds back (waiting for the registry to take it)
   * is not the client's doing, so such a window does not count.
   */
  private watchBody(req: IncomingMessage): void {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody || req.complete) return;
    const { bodyWindowMs, minBodyBytes } = this.timeouts;
    const socket = req.socket;
    let seen = socket.bytesRead;
    let heldBack = false;
    const onPause = () => (heldBack = true);
    req.on('pause', onPause);
    const timer = setInterval(() => {
      const moved = socket.bytesRead - seen;
      seen = socket.bytesRead;
      const held = heldBack || req.readableFlowing !== true;
      heldBack = false;
      if (!held && moved < minBodyBytes) socket.destroy();
    }, bodyWindowMs);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      req.off('pause', onPause);
    };
    req.once('end', stop);
    req.once('close', stop);
  }

  /** The registry's state for `/health` and `sandbox status`. */
  registryHealth(): { registry: RegistryHealth; registryProblem?: string } {
    const registry = this.options.registry;
    if (!registry) return { registry: this.options.expectRegistry ? 'starting' : 'none' };
    const gone = registry.registryGone?.();
    return gone === undefined ? { registry: 'up' } : { registry: 'down', registryProblem: gone };
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve((this.http.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.http.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (!hostAllowed(req.headers.host, this.options.extraHost)) {
      const body = `The ECR sandbox only answers requests addressed to localhost (this one was for '${req.headers.host ?? ''}').\n`;
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?')) {
      if (this.options.registry) this.options.registry.handle(req, res);
      else {
        if (!req.complete) res.setHeader('Connection', 'close');
        sendRegistryError(res, registryError('registryStarting'), { registryHost: this.options.backend.env.registryHost(), head: req.method === 'HEAD' });
      }
      return;
    }
    if (req.method === 'POST' && req.headers['x-amz-target']) {
      void this.handleEcr(req, res);
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const apiPath = url === '/' || url.startsWith('/?');
    if (req.method === 'POST' && apiPath && contentType.startsWith('application/x-www-form-urlencoded')) {
      void this.handleSts(req, res);
      return;
    }
    if (req.method === 'POST' && apiPath && /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization ?? ''))) {
      // A signed API call that names no operation: answered in the JSON protocol, as AWS does.
      void this.handleEcr(req, res);
      return;
    }
    if (this.options.console?.handle(req, res)) return;
    if (req.method === 'GET' && (url === '/' || url === '/health')) {
      const body = JSON.stringify({ service: 'ecr-workbook sandbox', accountId: this.options.backend.accountId, ok: true, ...this.registryHealth() });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const body = 'Not found. The ECR sandbox serves the ECR API (POST / with X-Amz-Target), STS (POST /) and the registry (/v2/).\n';
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private proxyEndpoint(): string {
    return `http://${this.options.backend.env.registryHost()}`;
  }

  private async handleEcr(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = requestId();
    try {
      let body: Buffer;
      try {
        body = await readBody(req, MAX_API_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          // Unread bytes would be parsed as the next request: close instead.
          if (!error.drained) res.setHeader('Connection', 'close');
          throw errors.payloadTooLarge(MAX_API_BODY_BYTES);
        }
        throw error;
      }
      const backend = this.options.backend;
      const creds = backend.store.state.credentials;
      const auth = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, 'ecr', (akid) =>
        akid === creds.accessKeyId ? creds.secretAccessKey : undefined,
      );
      if (!auth.ok) throw sigV4Error(auth);
      if (req.headers['x-amz-target'] === undefined) throw errors.missingTarget();
      const target = String(req.headers['x-amz-target']);
      const operation = target.startsWith(`${ECR_TARGET_PREFIX}.`) ? target.slice(ECR_TARGET_PREFIX.length + 1) : undefined;
      if (!operation || !ECR_OPERATIONS.has(operation)) throw errors.unknownOperation(target);
      const handler = operations[operation];
      if (!handler) throw errors.notImplemented(operation);
      if (this.options.deniedActions?.has(`ecr:${operation}`)) {
        const arn = `arn:aws:iam::${backend.accountId}:user/${creds.userName}`;
        throw errors.accessDenied(
          `User: ${arn} is not authorized to perform: ecr:${operation} on resource: ${operation === 'GetAuthorizationToken' ? '*' : `arn:aws:ecr:${auth.region}:${backend.accountId}:repository/*`} because no identity-based policy allows the ecr:${operation} action`,
        );
      }
      const input = parseJsonBody(body);
      const api: ApiContext = {
        backend,
        region: auth.region,
        operation,
        accessKeyId: auth.accessKeyId,
        tokenTtlSeconds: this.options.tokenTtlSeconds,
        proxyEndpoint: this.proxyEndpoint(),
      };
      const output = await handler(api, input);
      sendJson(res, id, output);
    } catch (error) {
      // The client went (or was cut off for trickling its body): there is no one to answer.
      if (req.destroyed && !req.complete) return;
      const awsError = toAwsError(error);
      if (awsError.status >= 500) console.error(`[sandbox] ${awsError.message}`, error);
      sendJsonError(res, id, awsError);
    }
  }

  private async handleSts(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = requestId();
    let body: Buffer;
    try {
      body = await readBody(req, MAX_API_BODY_BYTES);
    } catch (error) {
      if (req.destroyed && !req.complete) return;
      if (!(error instanceof BodyTooLarge) || !error.drained) res.setHeader('Connection', 'close');
      sendStsError(res, id, 413, 'RequestEntityTooLarge', 'The request body is too large.');
      return;
    }
    const params = new URLSearchParams(body.toString('utf8'));
    const backend = this.options.backend;
    const creds = backend.store.state.credentials;
    const auth = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, 'sts', (akid) =>
      akid === creds.accessKeyId ? creds.secretAccessKey : undefined,
    );
    if (!auth.ok) {
      if (auth.kind === 'missing') sendStsError(res, id, 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
      else if (auth.kind === 'unknown-key') sendStsError(res, id, 403, 'InvalidClientTokenId', auth.message);
      else if (auth.kind === 'malformed') sendStsError(res, id, 400, 'IncompleteSignature', auth.message);
      else sendStsError(res, id, 403, 'SignatureDoesNotMatch', auth.message);
      return;
    }
    const action = params.get('Action');
    if (action === 'GetCallerIdentity') {
      sendCallerIdentity(res, id, backend.accountId, creds);
      return;
    }
    sendStsError(
      res,
      id,
      400,
      'InvalidAction',
      action ? `The ECR sandbox's STS implements only GetCallerIdentity, not ${action}.` : 'Could not find operation: the Action parameter is missing.',
    );
  }
}

