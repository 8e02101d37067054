import type { DaemonRuntime } from '../util/daemon.js';
import type { SandboxOptions } from './index.js';

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
export type DaemonOptions = Pick<SandboxOptions, 'dir' | 'port' | 'anyPortIfBusy' | 'host' | 'region' | 'tokenTtlSeconds' | 'registryImage'>;

