import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendBody } from '../../src/sandbox/registry/upstream.js';

/** A stand-in for the registry: answers each request with what it received (or how it ended). */
let server: http.Server;
let port: number;
type Received = { body: Buffer; aborted: boolean };
const waiting: Array<(got: Received) => void> = [];
/** What the stand-in registry receives in the next request. */
const nextRequest = () => new Promise<Received>((resolve) => waiting.push(resolve));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const resolve = waiting.shift()!;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve({ body: Buffer.concat(chunks), aborted: false });
      res.end('ok');
    });
    req.on('error', () => resolve({ body: Buffer.concat(chunks), aborted: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function upstreamRequest(): http.ClientRequest {
  const req = http.request({ host: '127.0.0.1', port, method: 'PATCH', path: '/v2/x/blobs/uploads/1', agent: false });
  req.on('response', (res) => res.resume());
  req.on('error', () => undefined);
  return req;
}

describe('sendBody (upload bodies on to the registry in batches)', () => {
  it('passes every byte through in order, uncorking once per 1 MiB batch and once for the tail', async () => {
    const pieces = Array.from({ length: 1000 }, () => crypto.randomBytes(1024 + Math.floor(Math.random() * 512)));
    const upstream = upstreamRequest();
    let uncorks = 0;
    const uncork = upstream.uncork.bind(upstream);
    upstream.uncork = () => {
      uncorks++;
      uncork();
    };
    const got = nextRequest();
    sendBody(Readable.from(pieces), upstream);
    await expect(got).resolves.toMatchObject({ aborted: false });
    const { body } = await got;
    expect(body.equals(Buffer.concat(pieces))).toBe(true);
    const total = pieces.reduce((n, p) => n + p.length, 0);
    expect(uncorks).toBeGreaterThan(0);
    expect(uncorks).toBeLessThanOrEqual(Math.ceil(total / (1024 * 1024)) + 1);
  });

  it('ends an empty body at once', async () => {
    const got = nextRequest();
    sendBody(Readable.from([]), upstreamRequest());
    expect(await got).toEqual({ body: Buffer.alloc(0), aborted: false });
  });

  it('tears the registry request down when the client goes away mid-transfer', async () => {
    const client = new Readable({ read() {} });
    const upstream = upstreamRequest();
    const got = nextRequest();
    sendBody(client, upstream);
    client.push(crypto.randomBytes(300 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.destroy(new Error('client went away'));
    expect((await got).aborted).toBe(true);
    expect(upstream.destroyed).toBe(true);
  });

  it('never stalls against a registry that reads slowly over a kept-alive connection', async () => {
    // A registry that takes each piece a moment after it arrives, so the connection fills up and
    // drains again and again. The request's own 'drain' flag used to stay set after its
    // connection drained, and about every second 48 MiB upload then waited for ever.
    const slow = http.createServer((req, res) => {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        req.pause();
        setTimeout(() => req.resume(), 1);
      });
      req.on('end', () => res.end(String(received)));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const agent = new http.Agent({ keepAlive: true });
    const size = 48 * 1024 * 1024;
    try {
      for (let upload = 0; upload < 8; upload++) {
        let sent = 0;
        const body = new Readable({
          read() {
            if (sent >= size) return void this.push(null);
            sent += 32 * 1024;
            setImmediate(() => this.push(Buffer.alloc(32 * 1024, upload)));
          },
        });
        const answered = new Promise<string>((resolve, reject) => {
          const upstream = http.request({ host: '127.0.0.1', port: (slow.address() as AddressInfo).port, method: 'PATCH', path: '/', agent, headers: { 'transfer-encoding': 'chunked' } });
          upstream.on('response', (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve(text));
          });
          upstream.on('error', reject);
          sendBody(body, upstream);
        });
        const stalled = new Promise<string>((resolve) => setTimeout(() => resolve('stalled'), 10_000).unref());
        expect(await Promise.race([answered, stalled]), `upload ${upload + 1}`).toBe(String(size));
      }
    } finally {
      agent.destroy();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  }, 120_000);
});
