/**
 * The sandbox as a background process, started by `ecr-workbook sandbox up`. Options come in
 * ECR_WORKBOOK_DAEMON_OPTIONS (JSON); progress, readiness and failure go to the parent over
 * IPC; runtime.json tells later commands where it listens. SIGTERM/SIGINT stop it cleanly,
 * container included.
 */
import { startSandbox, type SandboxOptions } from './index.js';
import { SandboxLockedError } from './lock.js';
import { removeRuntimeFile, writeRuntimeFile, type DaemonMessage, type DaemonOptions } from './runtime.js';

function send(message: DaemonMessage): void {
  if (process.send && process.connected) process.send(message);
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.ECR_WORKBOOK_DAEMON_OPTIONS ?? '{}') as DaemonOptions;
  const sandboxOptions: SandboxOptions = {
    ...options,
    onProgress: (message) => {
      log(message);
      send({ type: 'progress', message });
    },
    onWarning: (message) => {
      log(`warning: ${message}`);
      send({ type: 'warning', message });
    },
    // Another daemon took the folder over: this one must not touch its state any more.
    // (startSandbox stops serving at once; the process goes once that had time to finish.)
    onLockLost: () =>
      setTimeout(() => {
        removeRuntimeFile(options.dir, process.pid);
        log('stopped: the state folder is held by another sandbox now');
        process.exit(1);
      }, 5_000),
  };
  let sandbox;
  try {
    sandbox = await startSandbox(sandboxOptions);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    log(`failed: ${message}`);
    send(error instanceof SandboxLockedError ? { type: 'locked', message } : { type: 'failed', message });
    process.exitCode = 1;
    return;
  }
  const runtime = {
    pid: process.pid,
    port: sandbox.port,
    endpoint: sandbox.endpoint,
    registryHost: sandbox.registryHost,
    region: sandbox.region,
    host: options.host ?? '127.0.0.1',
    accountId: sandbox.accountId,
    containerId: sandbox.registry?.containerId,
    startedAt: new Date().toISOString(),
    tokenTtlSeconds: options.tokenTtlSeconds,
  };
  await writeRuntimeFile(options.dir, runtime);
  log(`ready on ${sandbox.endpoint} (region ${sandbox.region})`);
  send({ type: 'ready', runtime });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    try {
      await sandbox.stop();
    } finally {
      removeRuntimeFile(options.dir, process.pid);
      log('stopped');
      process.exit(0);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  process.on('disconnect', () => log('parent detached'));
}

process.on('uncaughtException', (error) => {
  log(`uncaught: ${error.stack ?? error.message}`);
});
void main();
