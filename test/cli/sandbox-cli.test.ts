import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/util/daemon.js';
import { sandboxUp } from '../../src/sandbox/control.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { BIN, freePort, installedAwsClis, learnerHome, tempDir } from '../helpers/sandbox.js';

describe('ecr-workbook sandbox (the CLI, as a learner runs it)', () => {
  const home = tempDir('ecrwb-cli-');
  const env: NodeJS.ProcessEnv = { ...process.env, ...learnerHome(home), NO_COLOR: '1' };
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  let port: number;

  beforeAll(async () => {
    port = await freePort();
  });

  afterAll(() => {
    cli('sandbox', 'down');
  });

  it('says the sandbox is not running, with exit 1 and the command to start it', () => {
    const status = cli('sandbox', 'status');
    expect(status.status).toBe(1);
    expect(status.stdout).toContain('not running');
    expect(status.stdout).toContain('ecr-workbook sandbox up');
    const envCmd = cli('sandbox', 'env');
    expect(envCmd.status).toBe(1);
    expect(envCmd.stderr).toContain('ecr-workbook sandbox up');
    expect(envCmd.stdout).toBe('');
  });

  it('refuses a region AWS does not have, naming the nearest real one, before starting anything', async () => {
    const result = cli('sandbox', 'up', '--region', 'us-esat-1');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("'us-esat-1' is not an AWS region (the nearest one is us-east-1)");
    expect(fs.existsSync(path.join(home, 'state', 'sandbox', 'runtime.json'))).toBe(false);
    // The sandbox refuses it itself too, for every caller (the runner, scripts), saying what AWS would do.
    const said = "AWS has no region 'us-esat-1' (did you mean 'us-east-1'?), so the sandbox will not serve it: on real AWS a made-up region has no endpoints";
    const dir = tempDir('ecrwb-region-');
    await expect(sandboxUp({ dir, region: 'us-esat-1' })).rejects.toThrow(said);
    await expect(startSandbox({ dir, region: 'us-esat-1', withoutRegistry: true })).rejects.toThrow('Start it with: ecr-workbook sandbox up --region us-east-1');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('says what is missing, and how to start it, when Docker does not answer', () => {
    const noDocker = tempDir('ecrwb-nodocker-');
    const socket = path.join(noDocker, 'no-such-docker.sock');
    const result = spawnSync(process.execPath, [BIN, 'sandbox', 'up', '--port', '0'], {
      env: { ...process.env, ...learnerHome(noDocker), NO_COLOR: '1', DOCKER_HOST: `unix://${socket}` },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`The sandbox needs Docker to run its registry, but no Docker engine answered at DOCKER_HOST=unix://${socket}.`);
    for (const how of ['Docker Desktop', 'colima start', 'sudo systemctl start docker', 'systemctl --user start podman.socket', 'unset DOCKER_HOST']) {
      expect(result.stderr).toContain(how);
    }
    expect(result.stderr).not.toMatch(/^Could not find a working container runtime strategy$/m);
    // Nothing is left running on that state folder.
    expect(fs.existsSync(path.join(noDocker, 'state', 'sandbox', 'runtime.json'))).toBe(false);
  });

  it('refuses a bad --port with exit 2 and says what is allowed', () => {
    const result = cli('sandbox', 'up', '--port', 'abc');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--port must be a number from 1 to 65535');
  });

  it('starts in the background, reports the port, and is idempotent', () => {
    // Left by an older version, readable by others: the sandbox makes them the learner's alone.
    const stateDir = path.join(home, 'state', 'sandbox');
    fs.mkdirSync(path.join(stateDir, 'registry'), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.join(stateDir, 'registry'), 0o755);
    fs.writeFileSync(path.join(stateDir, 'sandbox.log'), 'an older run\n', { mode: 0o644 });
    fs.chmodSync(path.join(stateDir, 'sandbox.log'), 0o644);
    const up = cli('sandbox', 'up', '--port', String(port), '--json');
    expect(up.stderr).toBe('');
    expect(up.status).toBe(0);
    const started = JSON.parse(up.stdout);
    expect(started).toMatchObject({ running: true, alreadyRunning: false, port, endpoint: `http://localhost:${port}`, registryHost: `localhost:${port}` });

    const again = cli('sandbox', 'up', '--port', String(port), '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyRunning: true, pid: started.pid });
    // Its daemon runs with a small young generation (the memory target of bench/push-throughput.mjs).
    expect(fs.readFileSync(`/proc/${started.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=2');

    const other = cli('sandbox', 'up', '--port', String(port + 1));
    expect(other.status).toBe(2);
    expect(other.stderr).toContain(`already running on port ${port}`);

    const status = cli('sandbox', 'status', '--json');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, port, repositories: 0 });

    // The learner's files are theirs alone: the log, the registry's storage, the folder itself.
    expect(fs.statSync(path.join(stateDir, 'sandbox.log')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(stateDir, 'registry')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(stateDir).mode & 0o777).toBe(0o700);

    // The raw registry behind the sandbox is published on loopback only.
    const published = execFileSync('docker', ['port', started.containerId], { encoding: 'utf8' }).trim().split('\n');
    expect(published.length).toBeGreaterThan(0);
    for (const line of published) expect(line).toMatch(/-> 127\.0\.0\.1:\d+$/);
  });

  it('prints exports that the real aws CLIs use unchanged after eval', () => {
    const printed = cli('sandbox', 'env');
    expect(printed.status).toBe(0);
    expect(printed.stdout).toContain(`export AWS_ENDPOINT_URL_ECR=http://localhost:${port}`);
    expect(printed.stdout).toMatch(/export AWS_ACCESS_KEY_ID=AKIA[A-Z2-7]{16}\n/);
    const clis = installedAwsClis();
    expect(clis.length).toBeGreaterThan(0);
    clis.forEach((awsCli, i) => {
      // CLIs too old to read AWS_ENDPOINT_URL_* need the endpoint on the command line.
      const endpoint = awsCli.readsEndpointEnv ? '' : '--endpoint-url "$AWS_ENDPOINT_URL_ECR"';
      const script = `eval "$(node ${BIN} sandbox env)" && "${awsCli.path}" ecr create-repository ${endpoint} --repository-name cli-test-${i} --output json`;
      const out = execFileSync('bash', ['-c', script], { env, encoding: 'utf8' });
      expect(JSON.parse(out).repository.repositoryUri, awsCli.version).toBe(`localhost:${port}/cli-test-${i}`);
    });
    const status = JSON.parse(cli('sandbox', 'status', '--json').stdout);
    expect(status.repositories).toBe(clis.length);
  });

  it('prints fish, PowerShell and JSON forms', () => {
    expect(cli('sandbox', 'env', '--shell', 'fish').stdout).toContain(`set -gx AWS_ENDPOINT_URL_STS http://localhost:${port};`);
    expect(cli('sandbox', 'env', '--shell', 'powershell').stdout).toContain(`$Env:AWS_ENDPOINT_URL_ECR = "http://localhost:${port}"`);
    expect(JSON.parse(cli('sandbox', 'env', '--json').stdout)).toMatchObject({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' });
    const bad = cli('sandbox', 'env', '--shell', 'tcsh');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are sh, fish, powershell');
  });

  it("prints the second account's administrator (--account second), and the aws configure commands for a named profile", () => {
    const main = JSON.parse(cli('sandbox', 'env', '--json').stdout);
    expect(main).toMatchObject({ AWS_ENDPOINT_URL_IAM: `http://localhost:${port}`, AWS_ENDPOINT_URL_ECS: `http://localhost:${port}`, ECR_WORKBOOK_REGISTRY: `localhost:${port}` });
    const second = JSON.parse(cli('sandbox', 'env', '--account', 'second', '--json').stdout);
    expect(second).toMatchObject({ AWS_ENDPOINT_URL_IAM: `http://localhost:${port}`, ECR_WORKBOOK_REGISTRY: `127.0.0.1:${port}` });
    expect(second.AWS_ACCESS_KEY_ID).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(second.AWS_ACCESS_KEY_ID).not.toBe(main.AWS_ACCESS_KEY_ID);
    const awsCli = installedAwsClis().find((c) => c.readsEndpointEnv);
    if (!awsCli) return;
    const whoAmI = (script: string) => JSON.parse(execFileSync('bash', ['-c', script], { env, encoding: 'utf8' }));
    expect(whoAmI(`eval "$(node ${BIN} sandbox env --account second)" && "${awsCli.path}" sts get-caller-identity --output json`)).toEqual({
      UserId: expect.stringMatching(/^AIDA/),
      Account: '111122223333',
      Arn: 'arn:aws:iam::111122223333:user/partner-admin',
    });
    // The learner's own aws CLI writes the profile; the workbook only prints the commands.
    const commands = cli('sandbox', 'env', '--account', 'second', '--aws-profile', 'partner');
    expect(commands.status).toBe(0);
    expect(commands.stdout).toContain(`aws configure set aws_access_key_id ${second.AWS_ACCESS_KEY_ID} --profile partner\n`);
    execFileSync('bash', ['-c', commands.stdout.replaceAll('aws configure', `"${awsCli.path}" configure`)], { env });
    expect(whoAmI(`eval "$(node ${BIN} sandbox env)" && "${awsCli.path}" sts get-caller-identity --profile partner --output json`).Arn).toBe(
      'arn:aws:iam::111122223333:user/partner-admin',
    );
  }, 180_000);

  it('stops cleanly: no process, no container, state kept for next time', () => {
    const { pid, containerId } = JSON.parse(cli('sandbox', 'status', '--json').stdout);
    const down = cli('sandbox', 'down', '--json');
    expect(down.status).toBe(0);
    expect(JSON.parse(down.stdout)).toEqual({ stopped: true, port, orphansRemoved: 0 });
    expect(processAlive(pid)).toBe(false);
    const containers = execFileSync('docker', ['ps', '-aq', '--no-trunc'], { encoding: 'utf8' });
    expect(containers).not.toContain(containerId);
    const status = cli('sandbox', 'status');
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/holds \d+ repositories/);
  });
});
