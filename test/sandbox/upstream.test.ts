import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Upstream, UpstreamGoneError, UpstreamIdentityError, UpstreamRedirectError, type UpstreamTarget } from '../../src/sandbox/registry/upstream.js';

/**
 * The sandbox's client for its registry container, against small HTTP servers standing in for
 * what may answer at the container's address: the container itself (challenging anonymous
 * requests in the sandbox's realm), a registry without auth that took over the address, another
 * sandbox's registry, one that never answers. Nothing is written anywhere but the sandbox's own.
 */

const REALM = 'ecr-workbook-sandbox-0123456789abcdef';
const CREDENTIALS = { username: 'ecr-workbook-sandbox', password: 'the-sandbox-secret' };
const servers: http.Server[] = [];
const upstreams: Upstream[] = [];

interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

/** A server that records every request; `answer` decides what it says. */
async function server(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => answer(req, res));
  });
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { port: (s.address() as AddressInfo).port, seen };
}

/** The sandbox's own container: anonymous requests get its realm's challenge. */
function ownRegistry(realm = REALM) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.headers.authorization) {
      const body = '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}\n';
      res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${realm}"`, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.url?.includes('/blobs/uploads/')) {
      res.writeHead(202, { Location: req.url.includes('escape') ? '/v2/other-repo/blobs/uploads/x' : `${req.url}x`, 'Content-Length': 0 });
      res.end();
      return;
    }
    res.writeHead(201, { 'Content-Length': 0 });
    res.end();
  };
}

/** A registry without auth, as `docker run registry:2` starts it: it takes anything. */
function openRegistry(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(req.method === 'GET' ? 200 : 201, { 'Content-Type': 'application/json', 'Content-Length': 2 });
  res.end('{}');
}

function upstream(port: number, extra: Partial<UpstreamTarget> = {}, timeouts = { connectMs: 2_000, idleMs: 60_000, watchMs: 0 }): Upstream {
  const u = new Upstream({ host: '127.0.0.1', port, realm: REALM, ...CREDENTIALS, ...extra }, timeouts);
  upstreams.push(u);
  return u;
}

const silent: net.Server[] = [];
/** A port that accepts connections and never says a word (a container that hangs). */
async function silentServer(): Promise<number> {
  const s = net.createServer(() => undefined);
  silent.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

const putManifest = (u: Upstream) => u.request('PUT', '/v2/app/manifests/sha256:abc', { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, Buffer.from('{}'));

afterEach(async () => {
  for (const u of upstreams.splice(0)) u.close();
  for (const s of silent.splice(0)) s.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('Upstream: only ever the sandbox registry container', () => {
  it('sends every request with the sandbox credentials, after proving the connection once', async () => {
    const { port, seen } = await server(ownRegistry());
    const u = upstream(port);
    expect((await putManifest(u)).status).toBe(201);
    expect((await u.request('GET', '/v2/app/tags/list')).status).toBe(201);
    const basic = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;
    // One anonymous proof on the new connection, then the requests on the same one, with credentials.
    expect(seen).toEqual([
      { method: 'GET', url: '/v2/', authorization: undefined },
      { method: 'PUT', url: '/v2/app/manifests/sha256:abc', authorization: basic },
      { method: 'GET', url: '/v2/app/tags/list', authorization: basic },
    ]);
  });

  it('writes nothing to a registry without auth that answers at its address, and counts its own as gone', async () => {
    const { port, seen } = await server(openRegistry);
    const u = upstream(port);
    await expect(putManifest(u)).rejects.toBeInstanceOf(UpstreamIdentityError);
    expect(u.gone).toMatch(/answered by something other than this sandbox's registry container \(HTTP 200, no challenge\)/);
    // From then on nothing at all is sent there.
    await expect(putManifest(u)).rejects.toBeInstanceOf(UpstreamGoneError);
    expect(seen.every((r) => r.method === 'GET' && r.url === '/v2/' && r.authorization === undefined)).toBe(true);
  });

  it("writes nothing to another sandbox's registry (another realm)", async () => {
    const { port, seen } = await server(ownRegistry('ecr-workbook-sandbox-ffffffffffffffff'));
    const u = upstream(port);
    await expect(putManifest(u)).rejects.toBeInstanceOf(UpstreamIdentityError);
    expect(seen.map((r) => r.method)).toEqual(['GET']);
  });

  it('forward() too: a stream is never sent to the wrong registry, and the caller can still answer', async () => {
    const { port, seen } = await server(openRegistry);
    const u = upstream(port);
    const front = http.createServer((req, res) => {
      u.forward(req, res, '/v2/app/blobs/uploads/').catch((error: Error) => {
        res.writeHead(503, { 'Content-Length': Buffer.byteLength(error.constructor.name) });
        res.end(error.constructor.name);
      });
    });
    servers.push(front);
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(front.address() as AddressInfo).port}/`, { method: 'POST', body: 'layer bytes' });
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('UpstreamIdentityError');
    expect(seen.map((r) => r.method)).toEqual(['GET']);
  });

  it('refuses to pass on a Location that leaves the repository', async () => {
    const { port } = await server(ownRegistry());
    const u = upstream(port);
    const front = http.createServer((req, res) => {
      u.forward(req, res, req.url!, undefined, { repository: 'app' }).catch((error: Error) => {
        res.writeHead(500, { 'Content-Length': Buffer.byteLength(error.constructor.name) });
        res.end(error.constructor.name);
      });
    });
    servers.push(front);
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    const within = await fetch(`${base}/v2/app/blobs/uploads/`, { method: 'POST', redirect: 'manual' });
    expect(within.status).toBe(202);
    expect(within.headers.get('location')).toBe('/v2/app/blobs/uploads/x');
    const escape = await fetch(`${base}/v2/app/blobs/uploads/escape`, { method: 'POST', redirect: 'manual' });
    expect(escape.status).toBe(500);
    expect(await escape.text()).toBe(UpstreamRedirectError.name);
  });
});

describe('Upstream: an answer to the proof that is not the registry challenge', () => {
  /** A port that answers every connection with `bytes`, whatever was asked. */
  async function rawServer(bytes: string): Promise<number> {
    const s = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write(bytes);
    });
    silent.push(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return (s.address() as AddressInfo).port;
  }

  it.each([
    ['not HTTP at all', 'x'.repeat(20_000), 'an answer that is not HTTP from a registry'],
    ['a challenge with more bytes after it', `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="${REALM}"\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n`, 'more bytes than its answer'],
    ['a chunked answer', `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="${REALM}"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 'without a plain Content-Length'],
  ])('%s: nothing is sent', async (_label, answer, reason) => {
    const u = upstream(await rawServer(answer));
    await expect(putManifest(u)).rejects.toBeInstanceOf(UpstreamIdentityError);
    expect(u.gone).toContain(reason);
  });
});

describe('Upstream: a registry that is gone or silent never holds a request', () => {
  it('a connection on which nothing answers fails after the connect timeout', async () => {
    const port = await silentServer();
    const u = upstream(port, {}, { connectMs: 500, idleMs: 60_000, watchMs: 0 });
    const started = Date.now();
    await expect(putManifest(u)).rejects.toThrow('no answer within 500 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('closes a kept-alive connection left idle', async () => {
    const { port } = await server(ownRegistry());
    const u = upstream(port, {}, { connectMs: 2_000, idleMs: 300, watchMs: 0 });
    expect((await putManifest(u)).status).toBe(201);
    const registry = servers.at(-1)!;
    const open = () => new Promise<number>((resolve) => registry.getConnections((_e, count) => resolve(count)));
    expect(await open()).toBe(1);
    await expect.poll(open, { timeout: 3_000 }).toBe(0);
  });

  it('a registry that stops answering mid-request is cut after the idle timeout', async () => {
    const { port } = await server((req, res) => {
      if (!req.headers.authorization) ownRegistry()(req, res);
      // else: never answers
    });
    const u = upstream(port, {}, { connectMs: 2_000, idleMs: 400, watchMs: 0 });
    await expect(putManifest(u)).rejects.toThrow(/no data for 0.4 s/);
  });

  it('once Docker says the container stopped, every request fails at once', async () => {
    const { port } = await server(ownRegistry());
    let running = true;
    const u = upstream(port, { running: async () => running }, { connectMs: 300, idleMs: 60_000, watchMs: 100 });
    expect((await putManifest(u)).status).toBe(201);
    expect(u.gone).toBeUndefined();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
    running = false;
    await expect.poll(() => u.gone, { timeout: 3_000 }).toMatch(/its container has stopped/);
    await expect(putManifest(u)).rejects.toBeInstanceOf(UpstreamGoneError);
  });

  it('a container Docker still runs is not given up for a slow answer', async () => {
    const port = await silentServer();
    const u = upstream(port, { running: async () => true }, { connectMs: 100, idleMs: 60_000, watchMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(u.gone).toBeUndefined();
  });

  it('another registry answering at the address is conclusive, even while a check of it still waits on Docker', async () => {
    const port = await silentServer();
    // Docker is slow to say whether the container runs: the check a failure starts waits on it.
    const u = upstream(port, { running: () => new Promise<boolean>(() => undefined) }, { connectMs: 100, idleMs: 60_000, watchMs: 0 });
    await expect(putManifest(u)).rejects.toThrow(/no answer within 100 ms/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(u.gone).toBeUndefined();
    // Meanwhile another registry takes the address (as Docker hands a freed address out again).
    silent.pop()!.close();
    const open = http.createServer(openRegistry);
    servers.push(open);
    await new Promise<void>((resolve) => open.listen(port, '127.0.0.1', resolve));
    await expect(putManifest(u)).rejects.toBeInstanceOf(UpstreamIdentityError);
    expect(u.gone).toMatch(/answered by something other than this sandbox's registry container \(HTTP 200, no challenge\)/);
  });

  it('without Docker to ask, a registry silent three checks in a row is gone', async () => {
    const port = await silentServer();
    const u = upstream(port, {}, { connectMs: 100, idleMs: 60_000, watchMs: 50 });
    await expect.poll(() => u.gone, { timeout: 3_000 }).toBe('no answer within 100 ms');
  });
});
