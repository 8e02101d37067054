import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { registryHealth } from '../../src/sandbox/control.js';
import { HEALTH_TIMEOUT_MS, healthAnswers } from '../../src/util/daemon.js';

// What `sandbox status` and `sandbox up` make of the sandbox's health page: its words when it
// answers, and "unknown" (never "up") when it does not answer in time.
const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.on('connection', (socket) => server.once('close', () => socket.destroy()));
  return (server.address() as AddressInfo).port;
}

describe("the sandbox's health page as status reads it", () => {
  it('counts a daemon that answers after 1.5 s as running: a sandbox on a busy machine may take more than a second', async () => {
    expect(HEALTH_TIMEOUT_MS).toBeGreaterThan(1_500);
    const port = await serve((_req, res) => setTimeout(() => res.end(JSON.stringify({ ok: true, registry: 'up' })), 1_500));
    expect(await healthAnswers(port)).toBe(true);
    expect(await registryHealth(port)).toEqual({ registry: 'up' });
  });

  it('passes on what the page says of the registry', async () => {
    const port = await serve((_req, res) => res.end(JSON.stringify({ ok: true, registry: 'down', registryProblem: 'its container is gone' })));
    expect(await registryHealth(port)).toEqual({ registry: 'down', registryProblem: 'its container is gone' });
  });

  it('says unknown, and why, when the page does not answer in time', async () => {
    const port = await serve(() => undefined);
    expect(await registryHealth(port, 200)).toEqual({ registry: 'unknown', registryProblem: 'the sandbox did not answer its health page within 0.2 s' });
  });

  it('says unknown when nothing listens', async () => {
    const port = await serve(() => undefined);
    servers.pop()!.close();
    expect(await registryHealth(port)).toMatchObject({ registry: 'unknown', registryProblem: expect.stringMatching(/^its health page did not answer \(/) });
  });
});
