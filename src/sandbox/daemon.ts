/**
 * The sandbox as a background process, started by `ecr-workbook sandbox up` (see
 * util/daemon.ts for how it is started, found and stopped). SIGTERM/SIGINT stop it cleanly,
 * container included.
 */
import { runDaemon } from '../util/daemon.js';
import { startSandbox } from './index.js';
import type { DaemonOptions, SandboxRuntime } from './runtime.js';

runDaemon<DaemonOptions, SandboxRuntime>(async (options, hooks) => {
  const sandbox = await startSandbox({ ...options, onProgress: hooks.onProgress, onWarning: hooks.onWarning });
  hooks.log(`serving ${sandbox.endpoint} (region ${sandbox.region})`);
  return {
    runtime: {
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
    },
    stop: () => sandbox.stop(),
  };
});
