import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryProxy } from '../../src/sandbox/registry/proxy.js';
import { SandboxServer, type ClientTimeouts } from '../../src/sandbox/server.js';
import { RegistryHttp, registryAuthorization } from '../helpers/registry-http.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { target } from './api-helpers.js';

/**
 * No client holds a connection for ever: headers trickled, a body trickled (a byte at a time),
 * and an idle kept-alive connection are each cut after a bounded time, while a slow body that
 * keeps moving is never cut. The limits are shortened here (the defaults are minutes: a byte
 * every 20 s against at least 1 KiB a minute); the rules are the same.
 */

const TIMEOUTS: Partial<ClientTimeouts> = { headersMs: 1_000, idleMs: 5_000, keepAliveMs: 1_000, bodyWindowMs: 1_000, minBodyBytes: 64 };

interface RawOutcome {
  /** Everything the server sent before the connection closed. */
  received: string;
  /** Milliseconds from the first byte sent to the close. */
  closedAfterMs: number;
  /** Bytes of the body the client managed to send. */
  sent: number;
}

/**
 * Sends `head`, then `body` in pieces of `piece` bytes every `everyMs`, on a raw socket, and
 * resolves when the server closes the connection (or `giveUpMs` passes: then `closedAfterMs`
 * is Infinity). `keepOpen` leaves the socket open once everything is sent.
 */
function rawRequest(port: number, head: string, body: Buffer, piece: number, everyMs: number, giveUpMs = 20_000): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const started = Date.now();
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedAfterMs: number) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ received, closedAfterMs, sent });
    };
    const giveUp = setTimeout(() => finish(Infinity), giveUpMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', () => finish(Date.now() - started));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent >= body.length) return clearInterval(timer);
        socket.write(body.subarray(sent, sent + piece));
        sent += piece;
      }, everyMs);
    });
  });
}

const apiHead = (port: number, length: number) =>
  `POST / HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: ${target('DescribeRepositories')}\r\nContent-Length: ${length}\r\n\r\n`;

describe('client timeouts (API)', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ withoutRegistry: true, clientTimeouts: TIMEOUTS });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('cuts a client that trickles its body a byte at a time', async () => {
    const body = Buffer.alloc(1000, 0x20);
    const outcome = await rawRequest(sandbox.port, apiHead(sandbox.port, body.length), body, 1, 300);
    expect(outcome.closedAfterMs).toBeLessThan(5_000);
    expect(outcome.sent).toBeLessThan(body.length);
    expect(outcome.received).toBe('');
  });

  it('never cuts a slow body that keeps moving (500 bytes a second against a 64-byte minimum)', async () => {
    const body = Buffer.from(JSON.stringify({ padding: ' '.repeat(2900) }));
    const outcome = await rawRequest(sandbox.port, apiHead(sandbox.port, body.length), body, 100, 200);
    // Answered (unsigned, so refused), after the whole body arrived over several windows.
    expect(outcome.sent).toBeGreaterThanOrEqual(body.length);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 400 /);
    expect(outcome.received).toContain('MissingAuthenticationTokenException');
  });

  it('cuts a client that trickles its headers', async () => {
    const head = Buffer.from(`GET /health HTTP/1.1\r\nHost: localhost:${sandbox.port}\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`);
    const outcome = await rawRequest(sandbox.port, '', head, 1, 200);
    expect(outcome.closedAfterMs).toBeLessThan(5_000);
    expect(outcome.sent).toBeLessThan(head.length);
    expect(outcome.received).not.toContain('200 OK');
  });

  it('closes a kept-alive connection left idle', async () => {
    const outcome = await rawRequest(sandbox.port, `GET /health HTTP/1.1\r\nHost: localhost:${sandbox.port}\r\n\r\n`, Buffer.alloc(0), 1, 100);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(outcome.closedAfterMs).toBeLessThan(5_000);
  });
});

describe('client timeouts (a layer upload through the registry)', () => {
  let sandbox: TestSandbox;
  let registry: RegistryHttp;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ clientTimeouts: TIMEOUTS });
    const client = ecrClient(sandbox);
    await client.send(new CreateRepositoryCommand({ repositoryName: 'slow/app' }));
    client.destroy();
    registry = new RegistryHttp(sandbox.endpoint, await registryAuthorization(sandbox));
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function uploadHead(length: number): Promise<string> {
    const start = await registry.request('POST', '/v2/slow/app/blobs/uploads/');
    expect(start.status).toBe(202);
    return (
      `PATCH ${start.headers.get('location')} HTTP/1.1\r\nHost: localhost:${sandbox.port}\r\nAuthorization: ${registry.authorization}\r\n` +
      `Content-Type: application/octet-stream\r\nContent-Length: ${length}\r\n\r\n`
    );
  }

  it('cuts a push that trickles a byte at a time', async () => {
    const body = Buffer.alloc(1000, 1);
    const outcome = await rawRequest(sandbox.port, await uploadHead(body.length), body, 1, 300);
    expect(outcome.closedAfterMs).toBeLessThan(5_000);
    expect(outcome.sent).toBeLessThan(body.length);
  });

  it('never cuts a slow push that keeps moving', async () => {
    const body = Buffer.alloc(6000, 2);
    const outcome = await rawRequest(sandbox.port, await uploadHead(body.length), body, 400, 200);
    expect(outcome.sent).toBeGreaterThanOrEqual(body.length);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 202 Accepted/);
  });
});

describe('client timeouts (a body the sandbox holds back)', () => {
  const REALM = 'slow-registry-realm';
  let sandbox: TestSandbox;
  let registryStub: http.Server;
  let front: SandboxServer;
  let port: number;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ withoutRegistry: true });
    const client = ecrClient(sandbox);
    await client.send(new CreateRepositoryCommand({ repositoryName: 'held/app' }));
    client.destroy();
    // A registry that takes an upload's bytes only after three of the sandbox's windows.
    registryStub = http.createServer((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${REALM}"`, 'Content-Length': 0 });
        res.end();
        return;
      }
      req.pause();
      setTimeout(() => {
        req.resume();
        req.on('end', () => {
          res.writeHead(202, { Location: req.url!, 'Content-Length': 0 });
          res.end();
        });
      }, 3_500);
    });
    await new Promise<void>((resolve) => registryStub.listen(0, '127.0.0.1', resolve));
    const proxy = createRegistryProxy({
      backends: [sandbox.backend, sandbox.secondBackend],
      iam: sandbox.iam,
      authorizer: sandbox.authorizer,
      upstream: { host: '127.0.0.1', port: (registryStub.address() as AddressInfo).port, username: 'u', password: 'p', realm: REALM },
      upstreamTimeouts: { connectMs: 2_000, idleMs: 60_000, watchMs: 0 },
      region: sandbox.region,
    });
    const accounts = [sandbox.backend, sandbox.secondBackend];
    front = new SandboxServer({
      backend: sandbox.backend,
      registries: (accountId) => accounts.find((b) => b.accountId === accountId),
      iam: sandbox.iam,
      authorizer: sandbox.authorizer,
      registry: proxy,
      tokenTtlSeconds: 3600,
      timeouts: TIMEOUTS,
    });
    port = await front.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await front?.close();
    await new Promise((resolve) => registryStub?.close(resolve));
    await sandbox?.stop();
  });

  it('is not cut while the registry is slow to take it, however long that lasts', async () => {
    const authorization = await registryAuthorization(sandbox);
    const body = Buffer.alloc(8 * 1024 * 1024, 3);
    const res = await fetch(`http://127.0.0.1:${port}/v2/held/app/blobs/uploads/4f0a7c1e-0d7c-4a55-9a5e-1f7f3c2b9a10`, {
      method: 'PATCH',
      headers: { host: `localhost:${port}`, authorization, 'content-type': 'application/octet-stream' },
      body,
    });
    expect(res.status).toBe(202);
  });
});
