import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { AwsError, errors } from './api/errors.js';
import { ECR_OPERATIONS, operations, type ApiContext } from './api/operations.js';
import { parseJsonBody, requestId, sendJson, sendJsonError, toAwsError } from './api/protocol.js';
import { authenticate, type AuthenticationFailure } from './auth/authenticate.js';
import { ecrRegistryOf, type Authorizer, type RegistryLookup } from './authz/authorizer.js';
import type { EcrBackend } from './backend/ecr.js';
import { API_BODY_LIMITS, CONTROL_SIGNING_SERVICE, CONTROL_TARGET_PREFIX, ECR_TARGET_PREFIX, ECS_TARGET_PREFIX, MAX_API_BODY_BYTES } from './config.js';
import type { EcsBackend } from './ecs/backend.js';
import { ecsErrors } from './ecs/errors.js';
import { ECS_OPERATIONS, ecsOperations } from './ecs/operations.js';
import { controlOperation } from './control-api/operations.js';
import { verifySigV4 } from './auth/sigv4.js';
import { BodyTooLarge, readBody } from '../util/http-body.js';
import { listenOn } from '../util/http-server.js';
import { hostAllowed } from './host-guard.js';
import type { IamBackend } from './iam/backend.js';
import { handleQuery, sendQueryTooLarge } from './query/front.js';
import { registryError, sendRegistryError } from './registry/errors.js';

/** Serves `/v2/…`; provided by the registry proxy. */
export interface RegistryFrontend {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Serves a layer by the URL GetDownloadUrlForLayer handed out (`/_layers/…`). */
  serveLayerDownload(req: IncomingMessage, res: ServerResponse): void;
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
  /** The main (learner's) account's ECR. */
  backend: EcrBackend;
  /** Every hosted account's ECR, by account id (the main one included). */
  registries: RegistryLookup;
  iam: IamBackend;
  authorizer: Authorizer;
  /** ECS: clusters, task definitions, and tasks run as containers. */
  ecs?: EcsBackend;
  registry?: RegistryFrontend;
  console?: ConsoleFrontend;
  tokenTtlSeconds: number;
  /** A non-loopback host name the user asked to serve on (--host). */
  extraHost?: string;
  /** Whether a registry container is to come (else /v2/ has none: an API-only sandbox). */
  expectRegistry?: boolean;
  timeouts?: Partial<ClientTimeouts>;
}

/** Reads an API request's body up to `limit`, refusing more as AWS does (413). */
async function readApiBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer> {
  try {
    return await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLarge) {
      // Unread bytes would be parsed as the next request: close instead.
      if (!error.drained) res.setHeader('Connection', 'close');
      throw errors.payloadTooLarge(limit);
    }
    throw error;
  }
}

function authenticationError(result: AuthenticationFailure): AwsError {
  switch (result.kind) {
    case 'missing':
      return errors.missingAuthenticationToken();
    case 'unknown-key':
      return errors.unrecognizedClient();
    case 'malformed':
      return errors.incompleteSignature(result.message);
    case 'expired-token':
      return errors.expiredToken();
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
    return listenOn(this.http, port, host);
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
      else this.sendRegistryStarting(req, res);
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && url.startsWith('/_layers/')) {
      if (this.options.registry) this.options.registry.serveLayerDownload(req, res);
      else this.sendRegistryStarting(req, res);
      return;
    }
    if (req.method === 'POST' && String(req.headers['x-amz-target'] ?? '').startsWith(`${CONTROL_TARGET_PREFIX}.`)) {
      void this.handleControl(req, res);
      return;
    }
    if (req.method === 'POST' && String(req.headers['x-amz-target'] ?? '').startsWith(`${ECS_TARGET_PREFIX}.`)) {
      void this.handleEcs(req, res);
      return;
    }
    if (req.method === 'POST' && req.headers['x-amz-target']) {
      void this.handleEcr(req, res);
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    const apiPath = url === '/' || url.startsWith('/?');
    if (req.method === 'POST' && apiPath && contentType.startsWith('application/x-www-form-urlencoded')) {
      void this.handleQuery(req, res);
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
    const body = 'Not found. The ECR sandbox serves the ECR and ECS APIs (POST / with X-Amz-Target), IAM and STS (form POST /) and the registry (/v2/).\n';
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** Before its registry container is up, the registry routes say so (and drop an unread upload). */
  private sendRegistryStarting(req: IncomingMessage, res: ServerResponse): void {
    if (!req.complete) res.setHeader('Connection', 'close');
    sendRegistryError(res, registryError('registryStarting'), { registryHost: this.options.backend.env.registryHost(), head: req.method === 'HEAD' });
  }

  private async handleEcr(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = requestId();
    let repositoryName: string | undefined;
    let signed: { region: string; operation: string; backend: EcrBackend } | undefined;
    try {
      const target = String(req.headers['x-amz-target']);
      const operation = target.startsWith(`${ECR_TARGET_PREFIX}.`) ? target.slice(ECR_TARGET_PREFIX.length + 1) : undefined;
      const limit = (operation && API_BODY_LIMITS[operation]) || MAX_API_BODY_BYTES;
      const body = await readApiBody(req, res, limit);
      const auth = authenticate({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, 'ecr', this.options.iam);
      if (!auth.ok) throw authenticationError(auth.failure);
      if (req.headers['x-amz-target'] === undefined) throw errors.missingTarget();
      if (!operation || !ECR_OPERATIONS.has(operation)) throw errors.unknownOperation(target);
      const handler = operations[operation];
      if (!handler) throw errors.notImplemented(operation);
      const input = parseJsonBody(body);
      const denial = this.options.authorizer.ecr(auth.identity, auth.region, operation, input);
      if (denial) throw errors.accessDenied(denial.message);
      // The registry the call is about: registryId's (or a resource ARN's) account, else the caller's.
      const backend = this.options.registries(ecrRegistryOf(auth.identity, input));
      if (!backend) throw errors.server(`The sandbox has no registry for account ${ecrRegistryOf(auth.identity, input)}.`);
      signed = { region: auth.region, operation, backend };
      const api: ApiContext = {
        backend,
        region: auth.region,
        operation,
        identity: auth.identity,
        tokenTtlSeconds: this.options.tokenTtlSeconds,
        proxyEndpoint: `http://${backend.env.registryHost()}`,
      };
      repositoryName = typeof input.repositoryName === 'string' ? input.repositoryName : undefined;
      const output = await handler(api, input);
      if (repositoryName) backend.noteSuccess(auth.region, repositoryName, operation);
      sendJson(res, id, output);
    } catch (error) {
      this.answerJsonError(req, res, id, error, (awsError) => {
        // What a check may later name as the learner's mistake (see EcrBackend.noteRefusal).
        if (repositoryName && signed) signed.backend.noteRefusal(signed.region, repositoryName, { operation: signed.operation, code: awsError.code, message: awsError.message });
      });
    }
  }

  /**
   * A JSON API's failure, answered: to no one when the client went (or was cut off for trickling
   * its body); logged when it is the sandbox's own (5xx); else first shown to `refused`.
   */
  private answerJsonError(req: IncomingMessage, res: ServerResponse, id: string, error: unknown, refused?: (awsError: AwsError) => void): void {
    if (req.destroyed && !req.complete) return;
    const awsError = toAwsError(error);
    if (awsError.status >= 500) console.error(`[sandbox] ${awsError.message}`, error);
    else refused?.(awsError);
    sendJsonError(res, id, awsError);
  }

  /** ECS over the same JSON 1.1 protocol as ECR, signed for the service `ecs`, each call authorized as `ecs:<Operation>`. */
  private async handleEcs(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = requestId();
    try {
      const target = String(req.headers['x-amz-target']);
      const operation = target.slice(ECS_TARGET_PREFIX.length + 1);
      const body = await readApiBody(req, res, MAX_API_BODY_BYTES);
      const auth = authenticate({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, 'ecs', this.options.iam);
      if (!auth.ok) throw authenticationError(auth.failure);
      if (!ECS_OPERATIONS.has(operation)) throw ecsErrors.unknownOperation(target);
      const handler = ecsOperations[operation];
      if (!handler || !this.options.ecs) throw ecsErrors.notImplemented(operation);
      const input = parseJsonBody(body);
      const denial = this.options.authorizer.ecs(auth.identity, auth.region, operation, input);
      if (denial) throw ecsErrors.accessDenied(denial.message);
      sendJson(res, id, await handler({ ecs: this.options.ecs, region: auth.region, identity: auth.identity }, input));
    } catch (error) {
      this.answerJsonError(req, res, id, error);
    }
  }

  /** The secret of the sandbox's own (administrator) access key, the one `sandbox env` prints. */
  private adminSecret(accessKeyId: string): string | undefined {
    const creds = this.options.backend.store.state.credentials;
    return accessKeyId === creds.accessKeyId ? creds.secretAccessKey : undefined;
  }

  /**
   * The sandbox control API (control-api/operations.ts): the same JSON protocol as ECR, signed
   * for the service `ecr-workbook`, and only ever with the sandbox's administrator key.
   */
  private async handleControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = requestId();
    try {
      const body = await readApiBody(req, res, MAX_API_BODY_BYTES);
      const auth = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, CONTROL_SIGNING_SERVICE, (akid) =>
        this.adminSecret(akid),
      );
      if (!auth.ok) throw authenticationError(auth);
      const operation = controlOperation(String(req.headers['x-amz-target']).slice(CONTROL_TARGET_PREFIX.length + 1));
      sendJson(res, id, await operation.handler({ backend: this.options.backend, iam: this.options.iam, region: auth.region }, parseJsonBody(body)));
    } catch (error) {
      this.answerJsonError(req, res, id, error);
    }
  }

  private async handleQuery(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, MAX_API_BODY_BYTES);
    } catch (error) {
      if (req.destroyed && !req.complete) return;
      if (!(error instanceof BodyTooLarge) || !error.drained) res.setHeader('Connection', 'close');
      sendQueryTooLarge(req, res);
      return;
    }
    await handleQuery(req, res, body, { iam: this.options.iam, authorizer: this.options.authorizer });
  }
}

