import fs from 'node:fs/promises';
import path from 'node:path';
import { Authorizer } from './authz/authorizer.js';
import { EcrBackend, otherRegistry } from './backend/ecr.js';
import { SandboxStore, type StoreLoadReport } from './backend/store.js';
import type { IssuedCredentials } from './backend/types.js';
import { DEFAULT_REGION, LIFECYCLE_INTERVAL_MS, registryImage, sandboxRegionRefusal, SECOND_ACCOUNT_ID, TOKEN_TTL_SECONDS } from './config.js';
import { IamBackend } from './iam/backend.js';
import { lockStateFolder, type StateLock } from './lock.js';
import { adoptRegistryContent, type AdoptionReport } from './registry/adopt.js';
import { containerLabel, startRegistryContainer, type RegistryUpstream } from './registry/container.js';
import { ContainerCli, taskEngine, type ContainerClient } from './ecs/containers.js';
import { EcsBackend } from './ecs/backend.js';
import { createRegistryProxy } from './registry/proxy.js';
import { UPSTREAM_TIMEOUTS as UPSTREAM_DEFAULTS, type UpstreamTimeouts } from './registry/upstream.js';
import { SandboxServer, type ClientTimeouts } from './server.js';
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
  /** Called if the state folder's lock is taken away (the sandbox then stops serving). */
  onLockLost?: (error: Error) => void;
  /** Shorter waits for tests; the defaults are CLIENT_TIMEOUTS and UPSTREAM_TIMEOUTS. */
  clientTimeouts?: Partial<ClientTimeouts>;
  upstreamTimeouts?: Partial<UpstreamTimeouts>;
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

/**
 * Starts a sandbox in this process: the state folder's lock first (one sandbox per folder), then
 * the HTTP server, then the registry container. A lost or unreadable state file is recovered from,
 * never silently reset: the credentials come from their own file, whole records are salvaged, and
 * what the registry's storage still holds is taken back into the books.
 */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const region = options.region ?? DEFAULT_REGION;
  const refusal = sandboxRegionRefusal(region);
  if (refusal) throw new Error(refusal);
  const listenHost = options.host ?? '127.0.0.1';
  let running: RunningSandbox | undefined;
  const held = { lost: false };
  const lock = await lockStateFolder(options.dir, {
    onProgress: options.onProgress,
    onLost: (error) => {
      held.lost = true;
      options.onWarning?.(`Another process took over the state folder's lock (${error.message}); this sandbox stops serving it and writes nothing more to it.`);
      options.onLockLost?.(error);
      void running?.stop();
    },
  });
  try {
    running = await startLocked(options, region, listenHost, lock, held);
    return running;
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startLocked(
  options: SandboxOptions,
  region: string,
  listenHost: string,
  lock: StateLock,
  held: { lost: boolean },
): Promise<RunningSandbox> {
  const { store, report } = await SandboxStore.open(options.dir);
  for (const warning of loadWarnings(report)) options.onWarning?.(warning);
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
    expectRegistry: !options.withoutRegistry,
    timeouts: options.clientTimeouts,
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
    const storageDir = path.join(options.dir, 'registry');
    options.onProgress?.(`starting the registry container (${image})`);
    try {
      registry = await startRegistryContainer(image, storageDir);
      // A sandbox killed after deleting images left their bytes behind: collect them before serving.
      await collectRegistryGarbage(registry, store, options.onWarning);
      if (report.corrupt || (report.missing && (await holdsRepositories(storageDir)))) {
        options.onProgress?.("reading back what the registry's storage holds");
        // Into the learner's own account: which account a lost repository belonged to was in the state.
        const adopted = await adoptRegistryContent({ backend, region, registry, storageDir });
        for (const warning of adoptionWarnings(adopted, report)) options.onWarning?.(warning);
      }
    } catch (error) {
      await registry?.stop();
      await server.close();
      throw error;
    }
    proxy = createRegistryProxy({
      backends: [backend, secondBackend],
      iam,
      authorizer,
      upstream: registry,
      upstreamTimeouts: { ...UPSTREAM_DEFAULTS, ...options.upstreamTimeouts },
      region,
    });
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
        // Tasks first, while the registry still serves a pull under way. With the lock lost, the
        // folder's tasks (and the label on their containers) are the new owner's: it removes ours
        // as it would a killed sandbox's, and nothing is written here.
        if (!held.lost) await ecs.stopAll();
        await lifecycle.stop();
        await server.close();
        await proxy?.close();
        // With the lock lost, the folder is another sandbox's now: no collection, no save, no release.
        if (held.lost) return void (await registry?.stop());
        try {
          if (registry) await collectRegistryGarbage(registry, store, options.onWarning);
          await registry?.stop();
          await store.save();
        } finally {
          await lock.release();
        }
      })();
      return stopped;
    },
  };
}

/** What the learner must hear about a state file that was missing or unreadable (a first start says nothing). */
function loadWarnings(report: StoreLoadReport): string[] {
  const warnings: string[] = [];
  if (report.corrupt) {
    const { salvaged } = report.corrupt;
    warnings.push(
      `The sandbox state file was unreadable (${report.corrupt.reason}); it was moved to ${report.corrupt.movedTo}. ` +
        `Kept from it: ${count(salvaged.repositories, 'repository', 'repositories')} and ${count(salvaged.images, 'image')}` +
        (salvaged.dropped.length > 0 ? `; not readable: ${salvaged.dropped.join(', ')}.` : '.'),
    );
    if (report.newCredentials) warnings.push(NEW_CREDENTIALS);
  } else if (report.missing && !report.newCredentials) {
    // The credentials file outlived it, so this is no first start.
    warnings.push(
      'The sandbox state file (state.json) was missing. Your access key and docker login stay valid (credentials.json); ' +
        "repositories come back from the registry's storage where they hold images, but not their tags, settings or policies, nor repositories that held no image.",
    );
  }
  return warnings;
}

const NEW_CREDENTIALS =
  'The sandbox\'s access key and login secret were lost too, so new ones were made: run `eval "$(ecr-workbook sandbox env)"` and log docker in again.';

/** What re-adoption found, in words; nothing at all when the storage held nothing. */
function adoptionWarnings(adopted: AdoptionReport, report: StoreLoadReport): string[] {
  const warnings: string[] = [];
  const found = adopted.images > 0 || adopted.unreadable.length > 0;
  if (report.missing && report.newCredentials && found) {
    warnings.push("The sandbox state file (state.json) was missing, but the registry's storage holds images: the sandbox takes them back instead of starting empty.");
    warnings.push(NEW_CREDENTIALS);
  }
  if (adopted.images > 0) {
    warnings.push(
      `Recovered from the registry's storage: ${count(adopted.images, 'image')}` +
        (adopted.repositories.length > 0 ? ` in ${count(adopted.repositories.length, 'repository', 'repositories')} (${adopted.repositories.join(', ')})` : '') +
        '. Their tags, repository settings and policies were only in the state file: the images are untagged now ' +
        '(push them again with their tags; no layer is sent twice), and recreated repositories have the default settings.',
    );
  }
  if (adopted.unreadable.length > 0) warnings.push(`Not recovered (unreadable in the registry's storage): ${adopted.unreadable.join(', ')}.`);
  return warnings;
}

/** `1 image`, `3 images`. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Whether the registry's storage has any repository folder (a first start has none). */
async function holdsRepositories(storageDir: string): Promise<boolean> {
  const entries = await fs.readdir(path.join(storageDir, 'docker', 'registry', 'v2', 'repositories')).catch(() => []);
  return entries.length > 0;
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
