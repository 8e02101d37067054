import path from 'node:path';
import { EcrBackend } from './backend/ecr.js';
import { SandboxStore } from './backend/store.js';
import type { IssuedCredentials } from './backend/types.js';
import { DEFAULT_REGION, registryImage, sandboxRegionRefusal, TOKEN_TTL_SECONDS } from './config.js';
import { startRegistryContainer, type RegistryUpstream } from './registry/container.js';
import { createRegistryProxy } from './registry/proxy.js';
import { SandboxServer } from './server.js';
import { createConsole } from './console/index.js';

export interface SandboxOptions {
  /** The sandbox's own folder (state.json, registry storage). */
  dir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** When `port` is taken, take a free one instead of failing (the default port, not one the user chose). */
  anyPortIfBusy?: boolean;
  /** Address to listen on: 127.0.0.1 unless the user chose otherwise. */
  host?: string;
  region?: string;
  tokenTtlSeconds?: number;
  /** The registry image; defaults to the override variable, else registry:2. */
  registryImage?: string;
  /** Start without the registry container (API-only tests). */
  withoutRegistry?: boolean;
  deniedActions?: Iterable<string>;
  /** Progress lines for a spinner while the slow parts start. */
  onProgress?: (message: string) => void;
  /** Warnings the caller should show (a corrupt state file moved aside, say). */
  onWarning?: (message: string) => void;
}

export interface RunningSandbox {
  port: number;
  /** `http://localhost:PORT`: the ECR and STS endpoint. */
  endpoint: string;
  /** `localhost:PORT`: the registry host for docker. */
  registryHost: string;
  region: string;
  accountId: string;
  credentials: IssuedCredentials;
  store: SandboxStore;
  backend: EcrBackend;
  registry?: RegistryUpstream;
  stop(): Promise<void>;
}

/** Starts a sandbox in this process: the HTTP server first, then the registry container. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const region = options.region ?? DEFAULT_REGION;
  const refusal = sandboxRegionRefusal(region);
  if (refusal) throw new Error(refusal);
  const listenHost = options.host ?? '127.0.0.1';
  const { store, report } = await SandboxStore.open(options.dir);
  if (report.corrupt) {
    options.onWarning?.(
      `The sandbox state file was unreadable (${report.corrupt.reason}); it was moved to ${report.corrupt.movedTo} and the sandbox starts empty.`,
    );
  }
  let port = options.port ?? 0;
  const backend = new EcrBackend(store, { registryHost: () => `localhost:${port}` });
  const tokenTtlSeconds = options.tokenTtlSeconds ?? TOKEN_TTL_SECONDS;
  const server = new SandboxServer({
    backend,
    console: createConsole({ backend, region, tokenTtlSeconds }),
    tokenTtlSeconds,
    extraHost: isLoopbackAddress(listenHost) ? undefined : listenHost,
    deniedActions: new Set(options.deniedActions ?? []),
  });
  options.onProgress?.('starting the API server');
  try {
    port = await server.listen(port, listenHost);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !options.anyPortIfBusy) throw error;
    options.onWarning?.(`Port ${port} is in use; the sandbox takes a free port instead (see \`ecr-workbook sandbox status\`).`);
    port = await server.listen(0, listenHost);
  }

  let registry: RegistryUpstream | undefined;
  let proxy: ReturnType<typeof createRegistryProxy> | undefined;
  if (!options.withoutRegistry) {
    const image = options.registryImage ?? registryImage();
    options.onProgress?.(`starting the registry container (${image})`);
    try {
      registry = await startRegistryContainer(image, path.join(options.dir, 'registry'));
    } catch (error) {
      await server.close();
      throw error;
    }
    // A sandbox killed after deleting images left their bytes behind: collect them before serving.
    await collectRegistryGarbage(registry, store, options.onWarning);
    proxy = createRegistryProxy({ backend, upstream: registry, region });
    server.setRegistry(proxy);
  }

  let stopped: Promise<void> | undefined;
  return {
    port,
    endpoint: `http://localhost:${port}`,
    registryHost: `localhost:${port}`,
    region,
    accountId: store.state.accountId,
    credentials: store.state.credentials,
    store,
    backend,
    registry,
    stop() {
      stopped ??= (async () => {
        await server.close();
        await proxy?.close();
        if (registry) await collectRegistryGarbage(registry, store, options.onWarning);
        await registry?.stop();
        await store.save();
      })();
      return stopped;
    },
  };
}

/**
 * Frees the disk space of deleted images (layers no remaining image uses), as ECR stops billing
 * for them: only when something was deleted since the last collection, and only while the
 * registry is not serving. A failure is a warning: the bytes wait for the next stop.
 */
async function collectRegistryGarbage(registry: RegistryUpstream, store: SandboxStore, onWarning?: (message: string) => void): Promise<void> {
  if (!store.state.registryGcPending) return;
  try {
    await registry.collectGarbage();
    store.state.registryGcPending = false;
    await store.save();
  } catch (error) {
    onWarning?.(`Could not free the space of deleted images (it is tried again at the next stop): ${(error as Error).message}`);
  }
}

function isLoopbackAddress(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}
