import path from 'node:path';
import { Authorizer } from './authz/authorizer.js';
import { EcrBackend, otherRegistry } from './backend/ecr.js';
import { SandboxStore } from './backend/store.js';
import type { IssuedCredentials } from './backend/types.js';
import { DEFAULT_REGION, LIFECYCLE_INTERVAL_MS, registryImage, SECOND_ACCOUNT_ID, TOKEN_TTL_SECONDS } from './config.js';
import { IamBackend } from './iam/backend.js';
import { containerLabel, startRegistryContainer, type RegistryUpstream } from './registry/container.js';
import { ContainerCli, taskEngine, type ContainerClient } from './ecs/containers.js';
import { EcsBackend } from './ecs/backend.js';
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
  /** The engine ECS tasks run on: docker or podman (default: ECR_WORKBOOK_CONTAINER_CLIENT, else detected). */
  containerClient?: ContainerClient;
  /** How often lifecycle policies are applied (default every minute); 0 applies them only on request. */
  lifecycleIntervalMs?: number;
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
  /** The main (learner's) account's ECR. */
  backend: EcrBackend;
  /** The second account's ECR: its registry is addressed as `127.0.0.1:PORT`. */
  secondBackend: EcrBackend;
  iam: IamBackend;
  authorizer: Authorizer;
  /** ECS: its tasks run as containers labelled `io.ecr-workbook.task=<ecsLabel>`. */
  ecs: EcsBackend;
  /** The value of the task label on this sandbox's task containers. */
  ecsLabel: string;
  registry?: RegistryUpstream;
  stop(): Promise<void>;
}

/** Starts a sandbox in this process: the HTTP server first, then the registry container. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const region = options.region ?? DEFAULT_REGION;
  const listenHost = options.host ?? '127.0.0.1';
  const { store, report } = await SandboxStore.open(options.dir);
  if (report.corrupt) {
    options.onWarning?.(
      `The sandbox state file was unreadable (${report.corrupt.reason}); it was moved to ${report.corrupt.movedTo} and the sandbox starts empty.`,
    );
  }
  let port = options.port ?? 0;
  const iam = new IamBackend(store);
  if (iam.ensureIdentities()) await store.save();
  // Each account's registry has a host of its own, and docker trusts both without configuration
  // (loopback registries are insecure-allowed): the learner's is localhost, the second's 127.0.0.1.
  const backend = new EcrBackend(store, { registryHost: () => `localhost:${port}` });
  const secondBackend = new EcrBackend(store, { registryHost: () => `127.0.0.1:${port}` }, otherRegistry(store, SECOND_ACCOUNT_ID));
  const registries = (accountId: string) => [backend, secondBackend].find((b) => b.accountId === accountId);
  const authorizer = new Authorizer(iam, registries);
  const tokenTtlSeconds = options.tokenTtlSeconds ?? TOKEN_TTL_SECONDS;
  const ecsLabel = containerLabel(options.dir);
  const ecs = new EcsBackend({
    store,
    iam,
    authorizer,
    containers: new ContainerCli(options.containerClient ?? (await taskEngine())),
    registries: () => [backend, secondBackend].map((b) => ({ host: b.env.registryHost(), accountId: b.accountId })),
    registryRegion: region,
    tokenTtlSeconds,
    label: ecsLabel,
  });
  // Containers of tasks a killed sandbox left running go first: tasks are the sandbox's to stop.
  await ecs.recover();
  const server = new SandboxServer({
    backend,
    registries,
    iam,
    authorizer,
    ecs,
    console: createConsole({ backend, iam, authorizer, region, tokenTtlSeconds }),
    tokenTtlSeconds,
    extraHost: isLoopbackAddress(listenHost) ? undefined : listenHost,
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
    proxy = createRegistryProxy({ backends: [backend, secondBackend], iam, authorizer, upstream: registry, region });
    server.setRegistry(proxy);
  }

  const lifecycle = scheduleLifecycle(backend, options.lifecycleIntervalMs ?? LIFECYCLE_INTERVAL_MS);

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
    secondBackend,
    iam,
    authorizer,
    ecs,
    ecsLabel,
    registry,
    stop() {
      stopped ??= (async () => {
        // Tasks first, while the registry still serves a pull under way.
        await ecs.stopAll();
        await lifecycle.stop();
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
 * Applies lifecycle policies once now (a policy that came due while the sandbox was stopped
 * acts at start), then every `intervalMs`. Runs never overlap; stop() waits for one under way.
 */
function scheduleLifecycle(backend: EcrBackend, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = running
      .then(() => backend.applyLifecyclePolicies())
      .then(
        (runs) => {
          for (const r of runs) {
            if (r.expired.length > 0) console.log(`[sandbox] lifecycle policy of ${r.repositoryName} (${r.region}) expired ${r.expired.length} image(s)`);
          }
        },
        (error: unknown) => console.error(`[sandbox] applying lifecycle policies failed: ${(error as Error)?.message ?? error}`),
      );
  };
  run();
  const timer = intervalMs > 0 ? setInterval(run, intervalMs) : undefined;
  timer?.unref();
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await running;
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
