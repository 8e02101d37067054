import http, { type ClientRequest, type ClientRequestArgs, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import net from 'node:net';
import { finished, pipeline, type Duplex, type Readable } from 'node:stream';

/**
 * The sandbox's client for the distribution registry behind it: streamed forwarding for blobs
 * and uploads (pipe, so backpressure holds and nothing is buffered), and small buffered
 * requests for manifests and clean-up. Connections are kept alive between requests.
 *
 * It only ever talks to the registry container this sandbox started, and proves it on every
 * connection: the container accepts only this sandbox's htpasswd credentials (sent with every
 * request), and before a new connection carries anything, an anonymous `GET /v2/` on it must be
 * refused with the Basic challenge of this sandbox's own realm. An address Docker has since
 * given to another container (a registry without auth, or another sandbox's) fails that proof,
 * so nothing is ever written to it. When the container is gone the upstream says so for good:
 * every request fails at once with UpstreamGoneError, which the proxy answers with 503.
 */

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, never forwarded. Authorization
// is the sandbox's business (the client's is an ECR token; the registry gets the sandbox's own),
// and Expect was already answered by the sandbox's own server.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A client request's headers as the registry should see them (the sandbox adds its own credentials). */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'authorization' || name === 'host' || name === 'expect') continue;
    out[name] = value;
  }
  return out;
}

/** The registry's answer headers as the client should see them (Location stays relative). */
export function clientResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export interface BufferedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The registry container could not be reached (or dropped the connection before answering). */
export class UpstreamError extends Error {}

/** Something answered at the registry's address, but not this sandbox's registry container. */
export class UpstreamIdentityError extends UpstreamError {}

/** The registry container is gone: nothing is sent to its old address any more. */
export class UpstreamGoneError extends UpstreamError {}

/** The registry answered with a Location outside the repository the request was for. */
export class UpstreamRedirectError extends UpstreamError {}

/** Where the sandbox's registry container listens, and how it knows the sandbox. */
export interface UpstreamTarget {
  host: string;
  port: number;
  /** The htpasswd user and password the container accepts: this sandbox's alone. */
  username: string;
  password: string;
  /** The realm of the container's Basic challenge, unique to this sandbox's container. */
  realm: string;
  /** Whether Docker still runs the container; asked when it stops answering. */
  running?: () => Promise<boolean>;
}

export interface UpstreamTimeouts {
  /** Connecting and proving a new connection (under 2 s: a dead container must not hold a request). */
  connectMs: number;
  /** A connection with nothing sent or received for this long is closed, idle or mid-request. */
  idleMs: number;
  /** How often the container's address is checked, so its death is noticed without a request. */
  watchMs: number;
}

export const UPSTREAM_TIMEOUTS: UpstreamTimeouts = { connectMs: 1_500, idleMs: 60_000, watchMs: 1_000 };

/** A failed check that Docker cannot settle (no `running`) counts as gone after this many in a row. */
const UNSETTLED_FAILURES_FOR_GONE = 3;

/**
 * Proves that `socket` reaches this sandbox's registry container: an anonymous `GET /v2/` must be
 * refused (401) with its realm's Basic challenge. Reads exactly that answer, so the connection is
 * left ready for the next request. Rejects with UpstreamIdentityError when something else answers.
 */
export function proveRegistry(socket: net.Socket, target: Pick<UpstreamTarget, 'host' | 'port' | 'realm'>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onError = (error: Error) => finish(new UpstreamError(error.message));
    const onClose = () => finish(new UpstreamError('the connection closed before the registry answered'));
    const timer = setTimeout(() => finish(new UpstreamError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        if (received.length > 16 * 1024) finish(new UpstreamIdentityError('an answer that is not HTTP from a registry'));
        return;
      }
      const lines = received.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
      const headers = new Map(lines.slice(1).map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      const length = Number(headers.get('content-length') ?? 0);
      if (!Number.isInteger(length) || headers.has('transfer-encoding')) {
        finish(new UpstreamIdentityError('an answer without a plain Content-Length'));
        return;
      }
      if (received.length < end + 4 + length) return;
      // The registry answers one request with one answer; anything more is not the registry.
      if (received.length > end + 4 + length) {
        finish(new UpstreamIdentityError('an answer to the proof with more bytes than its answer'));
        return;
      }
      const challenge = headers.get('www-authenticate');
      if (status !== 401 || challenge !== `Basic realm="${target.realm}"`) {
        finish(
          new UpstreamIdentityError(
            `${target.host}:${target.port} is answered by something other than this sandbox's registry container (HTTP ${status || '?'}${challenge ? `, ${challenge}` : ', no challenge'})`,
          ),
        );
        return;
      }
      finish();
    };
    socket.on('readable', onReadable);
    socket.on('error', onError);
    socket.on('close', onClose);
    const send = () => socket.write(`GET /v2/ HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nUser-Agent: ecr-workbook-sandbox\r\n\r\n`);
    if (socket.connecting) socket.once('connect', send);
    else send();
  });
}

/** An agent whose every new connection is proven to reach the sandbox's own container before use. */
class ProvingAgent extends http.Agent {
  constructor(
    private readonly target: UpstreamTarget,
    private readonly timeouts: UpstreamTimeouts,
    private readonly onFailure: (error: UpstreamError) => void,
  ) {
    super({ keepAlive: true, maxSockets: 64, scheduling: 'lifo', timeout: timeouts.idleMs });
  }

  override createConnection(_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    const socket = net.connect({ host: this.target.host, port: this.target.port });
    socket.setNoDelay(true);
    proveRegistry(socket, this.target, this.timeouts.connectMs).then(
      () => {
        socket.setTimeout(this.timeouts.idleMs);
        callback?.(null, socket);
      },
      (error: UpstreamError) => {
        socket.destroy();
        this.onFailure(error);
        callback?.(error, socket);
      },
    );
    return undefined;
  }
}

/** The registry container's HTTP endpoint, as this sandbox alone may use it. */
export class Upstream {
  private readonly agent: ProvingAgent;
  private readonly authorization: string;
  private readonly watch: NodeJS.Timeout | undefined;
  private goneReason: string | undefined;
  private checking = false;
  private unsettledFailures = 0;

  constructor(
    readonly target: UpstreamTarget,
    private readonly timeouts: UpstreamTimeouts = UPSTREAM_TIMEOUTS,
  ) {
    this.authorization = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
    this.agent = new ProvingAgent(target, timeouts, (error) => this.noticeFailure(error));
    if (timeouts.watchMs > 0) {
      this.watch = setInterval(() => this.noticeFailure(), timeouts.watchMs);
      this.watch.unref();
    }
  }

  get host(): string {
    return this.target.host;
  }

  get port(): number {
    return this.target.port;
  }

  /** Why the registry is gone, or undefined while it is up. */
  get gone(): string | undefined {
    return this.goneReason;
  }

  /**
   * Checks the container's address on a fresh connection (after a failed request, or on the
   * watch's tick). An address now answered by another program means the container is gone; a
   * silent one is settled by asking Docker, else by a few failures in a row.
   */
  private noticeFailure(error?: UpstreamError): void {
    if (this.goneReason !== undefined) return;
    // Conclusive whenever it comes, also while a check still waits on Docker.
    if (error instanceof UpstreamIdentityError) {
      this.markGone(error.message);
      return;
    }
    if (this.checking) return;
    this.checking = true;
    const socket = net.connect({ host: this.target.host, port: this.target.port });
    proveRegistry(socket, this.target, this.timeouts.connectMs)
      .then(
        () => {
          this.unsettledFailures = 0;
        },
        async (failure: UpstreamError) => {
          if (failure instanceof UpstreamIdentityError) return this.markGone(failure.message);
          const running = await this.target.running?.().catch(() => undefined);
          if (running === false) return this.markGone(`its container has stopped (${failure.message})`);
          if (running === undefined && ++this.unsettledFailures >= UNSETTLED_FAILURES_FOR_GONE) this.markGone(failure.message);
        },
      )
      .finally(() => {
        socket.destroy();
        this.checking = false;
      });
  }

  /** Stops using the container's address for good, and fails every request in flight. */
  private markGone(reason: string): void {
    if (this.goneReason !== undefined) return;
    this.goneReason = reason;
    if (this.watch) clearInterval(this.watch);
    this.agent.destroy();
  }

  private refuseIfGone(): UpstreamGoneError | undefined {
    return this.goneReason === undefined ? undefined : new UpstreamGoneError(`the registry container is gone: ${this.goneReason}`);
  }

  /** An upstream request with the sandbox's credentials, its idle timeout and failure noticing. */
  private open(method: string | undefined, path: string, headers: OutgoingHttpHeaders): ClientRequest {
    const upstream = http.request({
      host: this.target.host,
      port: this.target.port,
      method,
      path,
      headers: { ...headers, authorization: this.authorization },
      agent: this.agent,
    });
    upstream.on('timeout', () => upstream.destroy(new UpstreamError(`no data for ${this.timeouts.idleMs / 1000} s`)));
    upstream.on('error', (error) => {
      if (!(error instanceof UpstreamError)) this.noticeFailure();
    });
    return upstream;
  }

  /**
   * Streams `req` to the registry at `path` and its answer back to `res`. Resolves when both
   * directions are done (or torn down); rejects with UpstreamError only when the registry could
   * not be reached before anything was sent to the client, so the caller can still answer. With
   * `repository`, an answer whose Location leaves `/v2/<repository>/` is refused, never relayed.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    headers: OutgoingHttpHeaders = upstreamRequestHeaders(req.headers),
    options: { repository?: string } = {},
  ): Promise<void> {
    const gone = this.refuseIfGone();
    if (gone) return Promise.reject(gone);
    return new Promise((resolve, reject) => {
      const upstream = this.open(req.method, path, headers);
      upstream.on('response', (answer) => {
        const location = answer.headers.location;
        if (options.repository !== undefined && location !== undefined && !location.startsWith(`/v2/${options.repository}/`)) {
          answer.resume();
          reject(new UpstreamRedirectError(`the registry pointed outside repository '${options.repository}' (${location}); the sandbox does not pass that on`));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, clientResponseHeaders(answer.headers));
        pipeline(answer, res, () => resolve());
      });
      upstream.on('error', (error) => {
        if (!res.headersSent) reject(error instanceof UpstreamError ? error : new UpstreamError(error.message));
        else {
          res.destroy();
          resolve();
        }
      });
      // Only once the request has its (proven) connection, so that its body meets backpressure
      // from that connection rather than piling up in the request while the proof runs.
      upstream.once('socket', () => sendBody(req, upstream));
    });
  }

  /** A small request with a buffered answer (manifests, deletes, an upload's status). */
  request(method: string, path: string, headers: OutgoingHttpHeaders = {}, body?: Buffer): Promise<BufferedResponse> {
    const gone = this.refuseIfGone();
    if (gone) return Promise.reject(gone);
    return new Promise((resolve, reject) => {
      const upstream = this.open(method, path, body ? { ...headers, 'content-length': body.length } : headers);
      upstream.on('response', (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', (error) => reject(new UpstreamError(error.message)));
      });
      upstream.on('error', (error) => reject(error instanceof UpstreamError ? error : new UpstreamError(error.message)));
      upstream.end(body);
    });
  }

  /** Stops watching and closes the kept-alive connections. */
  close(): void {
    if (this.watch) clearInterval(this.watch);
    this.agent.destroy();
  }
}

/** Sends a buffered registry answer on to the client. */
export function relay(res: ServerResponse, answer: BufferedResponse): void {
  res.writeHead(answer.status, clientResponseHeaders(answer.headers));
  res.end(answer.body);
}

/**
 * Sends a client's body on to the registry, gathering the small pieces a slow sender's body
 * arrives in (docker streams a layer as its compressor produces it, 32 KiB at a time) into
 * writes of up to `batchBytes`: the request is corked while a batch fills and uncorked once,
 * which becomes a single writev of the pieces themselves. One write per piece cost the sandbox
 * several times the CPU of the copy; gathering the pieces into a new buffer doubled the memory
 * churn that drives V8's collections; 1 MiB batches cost less CPU than 256 KiB ones (paced
 * 256 MiB uploads: 1.36 s against 1.62 s). At most one batch is held per upload, nothing is
 * held back at the end, and backpressure is honoured between batches. A client that goes away
 * mid-transfer tears the registry request down with it.
 */
export function sendBody(req: Readable, upstream: ClientRequest, batchBytes = 1024 * 1024): void {
  let held = 0;
  const release = () => {
    if (held === 0) return;
    held = 0;
    upstream.uncork();
  };
  req.on('data', (chunk: Buffer) => {
    if (held === 0) upstream.cork();
    held += chunk.length;
    upstream.write(chunk);
    if (held < batchBytes) return;
    release();
    // Backpressure from the registry connection itself. The request's own 'drain' is not to be
    // relied on here: with its socket corked by hand it can miss one, and a paced upload (docker's)
    // then waits for it forever. No socket yet: wait for it, then go on.
    const socket = upstream.socket;
    if (!socket) {
      req.pause();
      upstream.once('socket', () => req.resume());
    } else if (socket.writableNeedDrain) {
      req.pause();
      socket.once('drain', () => req.resume());
    }
  });
  finished(req, (error) => {
    release();
    if (error) upstream.destroy();
    else upstream.end();
  });
}
