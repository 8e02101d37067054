import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { finished, pipeline, type Readable } from 'node:stream';

/**
 * The sandbox's client for the distribution registry behind it: streamed forwarding for blobs
 * and uploads (pipe, so backpressure holds and nothing is buffered), and small buffered
 * requests for manifests and clean-up. Connections are kept alive between requests.
 */

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, never forwarded. Authorization
// is the sandbox's business (the registry behind it has no auth of its own), and Expect was
// already answered by the sandbox's own server.
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

/** A client request's headers as the registry should see them. */
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

/** The registry container's HTTP endpoint. */
export class Upstream {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' });

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /**
   * Streams `req` to the registry at `path` and its answer back to `res`. Resolves when both
   * directions are done (or torn down); rejects with UpstreamError only when the registry could
   * not be reached before anything was sent to the client, so the caller can still answer.
   */
  forward(req: IncomingMessage, res: ServerResponse, path: string, headers: OutgoingHttpHeaders = upstreamRequestHeaders(req.headers)): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = http.request({ host: this.host, port: this.port, method: req.method, path, headers, agent: this.agent });
      upstream.on('response', (answer) => {
        res.writeHead(answer.statusCode ?? 502, clientResponseHeaders(answer.headers));
        pipeline(answer, res, () => resolve());
      });
      upstream.on('error', (error) => {
        if (!res.headersSent) reject(new UpstreamError(error.message));
        else {
          res.destroy();
          resolve();
        }
      });
      sendBody(req, upstream);
    });
  }

  /** A small request with a buffered answer (manifests, deletes). */
  request(method: string, path: string, headers: OutgoingHttpHeaders = {}, body?: Buffer): Promise<BufferedResponse> {
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          headers: body ? { ...headers, 'content-length': body.length } : headers,
          agent: this.agent,
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
          answer.on('error', (error) => reject(new UpstreamError(error.message)));
        },
      );
      upstream.on('error', (error) => reject(new UpstreamError(error.message)));
      upstream.end(body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
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
