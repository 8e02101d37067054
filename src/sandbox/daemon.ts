/**
 * The sandbox as a background process, started by `ecr-workbook sandbox up` (see
 * util/daemon.ts for how it is started, found and stopped). SIGTERM/SIGINT stop it cleanly,
 * container included.
 */
import { removeRuntimeFile, runDaemon } from '../util/daemon.js';
import { startSandbox } from './index.js';
import type { DaemonOptions, SandboxRuntime } from './runtime.js';

runDaemon<DaemonOptions, SandboxRuntime>(async (options, hooks) => {
  const sandbox = await startSandbox({
    ...options,
    onProgress: hooks.onProgress,
    onWarning: hooks.onWarning,
    // Another daemon took the folder over: this one must not touch its state any more. (The
    // sandbox stops serving at once; the process goes once that had time to finish.)
    onLockLost: () =>
      setTimeout(() => {
        removeRuntimeFile(options.dir, process.pid);
        hooks.log('stopped: the state folder is held by another sandbox now');
        process.exit(1);
      }, 5_000),
  });
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
