import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxStore } from '../../src/sandbox/backend/store.js';
import { hostAllowed } from '../../src/sandbox/host-guard.js';
import { profileCommands, renderShellEnv, sandboxEnvVars } from '../../src/sandbox/env.js';
import { issueToken, verifyToken } from '../../src/sandbox/auth/token.js';
import { dockerIsLocal } from '../../src/sandbox/registry/container.js';
import { startTestSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

describe('where the registry container is reached', () => {
  it('on loopback when Docker is local (socket or pipe), by the default binding when DOCKER_HOST is remote', () => {
    for (const host of [undefined, '', 'unix:///var/run/docker.sock', 'npipe:////./pipe/docker_engine']) {
      expect(dockerIsLocal(host), String(host)).toBe(true);
    }
    for (const host of ['tcp://10.0.0.5:2376', 'ssh://me@builder']) {
      expect(dockerIsLocal(host), host).toBe(false);
    }
  });
});

describe('host guard (DNS rebinding)', () => {
  it('serves loopback names only, unless a --host was chosen', () => {
    for (const host of ['localhost:5123', '127.0.0.1:5123', '[::1]:5123', 'localhost', '127.0.0.2:80']) {
      expect(hostAllowed(host), host).toBe(true);
    }
    for (const host of ['evil.example:5123', 'localhost.evil.example', '10.0.0.5:5123', undefined, '']) {
      expect(hostAllowed(host), String(host)).toBe(false);
    }
    expect(hostAllowed('10.0.0.5:5123', '10.0.0.5')).toBe(true);
    expect(hostAllowed('evil.example:5123', '10.0.0.5')).toBe(false);
  });

  describe('on a running sandbox', () => {
    let sandbox: TestSandbox;
    beforeAll(async () => {
      sandbox = await startTestSandbox({ withoutRegistry: true });
    });
    afterAll(async () => {
      await sandbox.stop();
    });

    it('refuses a request whose Host header is not loopback, and keeps serving', async () => {
      const http = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: sandbox.port, path: '/health', headers: { host: 'attacker.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
      const ok = await fetch(`${sandbox.endpoint}/health`);
      expect(ok.status).toBe(200);
    });
  });
});

describe('sandbox state store', () => {
  it('creates a state file with issued credentials, and reloads them', async () => {
    const dir = tempDir();
    const { store } = await SandboxStore.open(dir);
    expect(store.state.credentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(store.state.credentials.secretAccessKey).toHaveLength(40);
    store.region('us-east-1').repositories.x = {
      name: 'x',
      createdAt: 1,
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
      encryption: { encryptionType: 'AES256' },
      tags: [],
      images: {},
    };
    await store.save();
    const again = await SandboxStore.open(dir);
    expect(again.store.state.credentials).toEqual(store.state.credentials);
    expect(Object.keys(again.store.state.regions['us-east-1']!.repositories)).toEqual(['x']);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('moves a corrupt state file aside, says so, and starts fresh', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'state.json'), '{"version":1, "regions": {');
    const { store, report } = await SandboxStore.open(dir);
    expect(report.corrupt?.reason).toContain('not valid JSON');
    expect(fs.readFileSync(report.corrupt!.movedTo, 'utf8')).toBe('{"version":1, "regions": {');
    expect(store.state.regions).toEqual({});
  });

  it('serializes concurrent saves so the file always holds a whole state', async () => {
    const dir = tempDir();
    const { store } = await SandboxStore.open(dir);
    const saves = [];
    for (let i = 0; i < 20; i++) {
      store.state.regions[`r${i}`] = { repositories: {} };
      saves.push(store.save());
    }
    await Promise.all(saves);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    expect(Object.keys(onDisk.regions)).toHaveLength(20);
  });
});

describe('registry tokens', () => {
  const secret = 'k'.repeat(64);
  it('decode the way the aws CLI does: base64 of AWS:<password> with exactly one colon', () => {
    const token = issueToken(secret, { region: 'us-east-1', accessKeyId: 'AKIA', accountId: '123456789012' }, 43200, 1000);
    const decoded = Buffer.from(token.authorizationToken, 'base64').toString();
    expect(decoded.split(':')).toHaveLength(2);
    expect(decoded.split(':')[0]).toBe('AWS');
    expect(token.expiresAt).toBe(1000 + 43200);
    expect(verifyToken(secret, token.password, 1001)).toMatchObject({ ok: true, claims: { region: 'us-east-1' } });
    expect(verifyToken(secret, token.password, 1000 + 43200)).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyToken('other', token.password, 1001)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyToken(secret, 'not-a-token', 1001)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('sandbox env', () => {
  it('quotes values safely for sh', () => {
    const vars = sandboxEnvVars({ endpoint: 'http://localhost:1', region: 'us-east-1', accessKeyId: 'AKIA', secretAccessKey: "a'b c", registryHost: 'localhost:1' });
    const text = renderShellEnv(vars, 'sh');
    expect(text).toContain(`export AWS_SECRET_ACCESS_KEY='a'\\''b c'`);
    expect(text).toContain('unset AWS_SESSION_TOKEN AWS_PROFILE');
    expect(text).toContain('export AWS_ENDPOINT_URL_IAM=http://localhost:1');
    expect(text).toContain('# eval "$(ecr-workbook sandbox env)"');
    expect(renderShellEnv(vars, 'fish', '--account second')).toContain('# ecr-workbook sandbox env --account second --shell fish | source');
  });

  it('prints the aws configure set commands for a named profile, quoted', () => {
    expect(profileCommands("my profile", { accessKeyId: 'AKIA1', secretAccessKey: "s'x", region: 'us-east-1', endpoint: 'http://localhost:1' })).toEqual([
      "aws configure set aws_access_key_id AKIA1 --profile 'my profile'",
      "aws configure set aws_secret_access_key 's'\\''x' --profile 'my profile'",
      "aws configure set region us-east-1 --profile 'my profile'",
      "aws configure set endpoint_url http://localhost:1 --profile 'my profile'",
    ]);
  });
});
