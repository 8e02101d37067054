import { writeRuntimeFile, type DaemonRuntime } from '../util/daemon.js';
import type { RunningSandbox, SandboxOptions } from './index.js';

/** What the daemon writes once it is serving: where, and which process. */
export interface SandboxRuntime extends DaemonRuntime {
  endpoint: string;
  registryHost: string;
  region: string;
  host: string;
  accountId: string;
  containerId?: string;
  tokenTtlSeconds?: number;
}

/** Options the CLI passes to the daemon: the serializable part of the sandbox's own options. */
export type DaemonOptions = Pick<SandboxOptions, 'dir' | 'port' | 'anyPortIfBusy' | 'host' | 'region' | 'tokenTtlSeconds' | 'registryImage' | 'containerClient'>;

/**
 * Writes the runtime file for a sandbox this process runs (the course replay, tests), as the
 * daemon does for its own, so `ecr-workbook sandbox …` commands find it and reach its control API.
 * Remove it with removeRuntimeFile(dir, process.pid) before stopping the sandbox.
 */
export async function announceInProcessSandbox(dir: string, sandbox: RunningSandbox): Promise<void> {
  await writeRuntimeFile(dir, {
    pid: process.pid,
    port: sandbox.port,
    endpoint: sandbox.endpoint,
    registryHost: sandbox.registryHost,
    region: sandbox.region,
    host: '127.0.0.1',
    accountId: sandbox.accountId,
    ...(sandbox.registry ? { containerId: sandbox.registry.containerId } : {}),
    startedAt: new Date().toISOString(),
  } as SandboxRuntime);
}
