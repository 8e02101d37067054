import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { hashSync } from 'bcryptjs';
import type { StartedTestContainer } from 'testcontainers';
import { proveRegistry, type UpstreamTarget } from './upstream.js';
import { DockerUnavailableError } from '../../docker/cli.js';

/** The registry container as the sandbox reaches it, and what only the sandbox knows about it. */
export interface RegistryUpstream extends UpstreamTarget {
  /** Where the sandbox reaches the registry: the container's bridge address when that answers, else the published port. */
  host: string;
  port: number;
  /** The port published on 127.0.0.1 (what `docker push 127.0.0.1:PORT/…` straight into the registry uses, with the credentials). */
  publishedPort: number;
  containerId: string;
  /** `Basic …` with the container's own credentials, for tests and benchmarks that talk to it directly. */
  authorization: string;
  /**
   * Runs the registry's garbage collector in the container: deletes the bytes of blobs no
   * remaining manifest references. Only while nothing is being pushed (an upload in flight is not
   * referenced yet); the sandbox calls it before it serves and after it stops serving.
   */
  collectGarbage(): Promise<void>;
  stop(): Promise<void>;
}

/** The label every registry container of a sandbox carries (value: containerLabel of its storage). */
export const SANDBOX_LABEL = 'io.ecr-workbook.sandbox';

/** The user of the container's htpasswd file; its password is made afresh for every container. */
export const REGISTRY_AUTH_USER = 'ecr-workbook-sandbox';

/** Where the htpasswd file is copied inside the container (both registry images have /etc). */
const HTPASSWD_PATH = '/etc/ecr-workbook/htpasswd';

/**
 * bcrypt's cheapest cost. The registry checks the password on every request, so each cost step
 * doubles a per-request price; the password is 256 random bits, which no cost setting protects
 * any better than its length already does.
 */
const HTPASSWD_BCRYPT_COST = 4;

/** Partial uploads older than this are deleted (at start by the sandbox, while serving by the registry). */
export const STALE_UPLOAD_MS = 60 * 60 * 1000;

/** A stable label value per state directory, so a restarted sandbox finds its old container. */
export function containerLabel(storageDir: string): string {
  return crypto.createHash('sha256').update(storageDir).digest('hex').slice(0, 16);
}

/** Docker runs on this machine (its socket or named pipe), not on a remote host. */
export function dockerIsLocal(dockerHost: string | undefined): boolean {
  return !dockerHost || /^(unix|npipe):/i.test(dockerHost);
}

/** testcontainers, with its settings for the sandbox: loaded only when a container is needed. */
async function containerRuntime() {
  // The sandbox removes its own containers (on stop, and stale ones at start), so testcontainers'
  // reaper, an image of its own that offline machines cannot pull, is off unless asked for.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // The registry is published on the loopback interface only (below), so that is where it is
  // reached. Left alone, testcontainers running inside a container (a /.dockerenv file, as on
  // CI machines and dev containers) would look for it at the bridge gateway (172.17.0.1) and
  // wait in vain. A user's own override still wins.
  if (dockerIsLocal(process.env.DOCKER_HOST)) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  // A DOCKER_HOST that does not answer is the learner's Docker being down, as the docker CLI
  // will find too; testcontainers would quietly try the default socket instead.
  const refused = await dockerHostRefusal(process.env.DOCKER_HOST);
  if (refused) throw dockerUnavailableForSandbox(refused);
  const testcontainers = await import('testcontainers');
  let client: Awaited<ReturnType<typeof testcontainers.getContainerRuntimeClient>>;
  try {
    client = await testcontainers.getContainerRuntimeClient();
  } catch (error) {
    throw dockerUnavailableForSandbox(error as Error);
  }
  return { testcontainers, client };
}

/** Why the DOCKER_HOST socket or TCP address takes no connection, or undefined when it does (or cannot be probed). */
async function dockerHostRefusal(dockerHost: string | undefined): Promise<Error | undefined> {
  const unix = /^unix:\/\/(.+)$/i.exec(dockerHost ?? '')?.[1];
  const tcp = /^tcp:\/\/([^:/]+):(\d+)/i.exec(dockerHost ?? '');
  if (!unix && !tcp) return undefined;
  return new Promise((resolve) => {
    const socket = unix ? net.connect({ path: unix }) : net.connect({ host: tcp![1]!, port: Number(tcp![2]) });
    const done = (error?: Error) => {
      socket.destroy();
      resolve(error);
    };
    socket.setTimeout(3_000, () => done(new Error(`no answer from ${dockerHost} within 3 s`)));
    socket.once('connect', () => done());
    socket.once('error', (error) => done(error));
  });
}

/**
 * Removes every container left on this storage folder (by its label), running or not. Returns
 * how many it removed. For `sandbox down` after a crash, and before a start: two registries must
 * never share one storage folder.
 */
export async function removeSandboxContainers(storageDir: string): Promise<number> {
  const { client } = await containerRuntime();
  const docker = client.container.dockerode;
  const stale = await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=${containerLabel(storageDir)}`] } });
  const removed = await Promise.all(stale.map((info) => docker.getContainer(info.Id).remove({ force: true }).then(() => true, () => false)));
  return removed.filter(Boolean).length;
}

/**
 * Deletes partial uploads older than `maxAgeMs` from the registry's storage (a push interrupted
 * for good leaves one behind). Only while no registry serves this storage: the sandbox calls it
 * before it starts the container, which purges them itself from then on. Returns how many went.
 */
export async function purgeStaleUploads(storageDir: string, maxAgeMs = STALE_UPLOAD_MS, now = Date.now()): Promise<number> {
  let purged = 0;
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = path.join(dir, entry.name);
      if (entry.name !== '_uploads') {
        // Only repository paths lead to uploads: a repository's own metadata holds none.
        if (entry.name !== '_manifests' && entry.name !== '_layers') await visit(child);
        continue;
      }
      for (const upload of await fs.readdir(child, { withFileTypes: true }).catch(() => [])) {
        const uploadDir = path.join(child, upload.name);
        if (!upload.isDirectory() || now - (await uploadStartedAt(uploadDir)) <= maxAgeMs) continue;
        await fs.rm(uploadDir, { recursive: true, force: true });
        purged++;
      }
    }
  };
  await visit(path.join(storageDir, 'docker', 'registry', 'v2', 'repositories'));
  return purged;
}

/** When an upload began: the registry's `startedat` file (RFC 3339), else the folder's own time. */
async function uploadStartedAt(uploadDir: string): Promise<number> {
  const written = Date.parse((await fs.readFile(path.join(uploadDir, 'startedat'), 'utf8').catch(() => '')).trim());
  if (Number.isFinite(written)) return written;
  return (await fs.stat(uploadDir)).mtimeMs;
}

/**
 * Starts the distribution registry (`registry:2` or the override image) with testcontainers,
 * its storage bind-mounted from `storageDir` so images survive restarts. A container left
 * behind by a sandbox that was killed is removed first: two registries must never share
 * one storage folder. The container accepts only credentials made for it here (htpasswd with a
 * fresh random password, which only this process knows), so nothing else on the machine or on
 * Docker's bridge network can read or write its storage.
 */
export async function startRegistryContainer(image: string, storageDir: string): Promise<RegistryUpstream> {
  const local = dockerIsLocal(process.env.DOCKER_HOST);
  await fs.mkdir(storageDir, { recursive: true, mode: 0o700 });
  // The learner's images: theirs alone to read, whatever the umask made of an older folder.
  await fs.chmod(storageDir, 0o700);
  const { testcontainers, client } = await containerRuntime();
  const { GenericContainer, Wait } = testcontainers;
  await removeSandboxContainers(storageDir);
  // No registry serves this storage now: uploads a killed push left behind can go.
  await purgeStaleUploads(storageDir);

  const password = crypto.randomBytes(32).toString('base64url');
  const realm = `ecr-workbook-sandbox-${crypto.randomBytes(8).toString('hex')}`;

  // Docker publishes ports on every interface by default; the raw registry must only be
  // reachable from this machine, like the sandbox itself. (A remote DOCKER_HOST has no loopback
  // of ours: there the default binding is the only one that works.)
  class LoopbackContainer extends GenericContainer {
    publishOnLoopback(): this {
      if (local) this.hostConfig.PortBindings = { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '0' }] };
      return this;
    }
  }
  let container = new LoopbackContainer(image)
    .withExposedPorts(5000)
    .publishOnLoopback()
    .withBindMounts([{ source: storageDir, target: '/var/lib/registry', mode: 'rw' }])
    // Copied in, never written to the learner's disk: the hash lives only in the container.
    .withCopyContentToContainer([{ content: `${REGISTRY_AUTH_USER}:${hashSync(password, HTPASSWD_BCRYPT_COST)}\n`, target: HTPASSWD_PATH, mode: 0o644 }])
    .withEnvironment({
      REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/var/lib/registry',
      REGISTRY_STORAGE_DELETE_ENABLED: 'true',
      // The registry's own purge of partial uploads (first run within the hour, then hourly).
      REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING: `{enabled: true, age: ${STALE_UPLOAD_MS / 60_000}m, interval: 1h, dryrun: false}`,
      REGISTRY_AUTH: 'htpasswd',
      REGISTRY_AUTH_HTPASSWD_REALM: realm,
      REGISTRY_AUTH_HTPASSWD_PATH: HTPASSWD_PATH,
      // Signs upload state; a fresh one per container, like the password.
      REGISTRY_HTTP_SECRET: crypto.randomBytes(32).toString('base64url'),
      // Upload URLs come back relative, so they stay on the sandbox's own host and port.
      REGISTRY_HTTP_RELATIVEURLS: 'true',
      // Errors only: the sandbox's own address checks are anonymous requests the registry would
      // log as warnings every second, and the access log would grow with every request.
      REGISTRY_LOG_LEVEL: 'error',
      REGISTRY_LOG_ACCESSLOG_DISABLED: 'true',
      OTEL_TRACES_EXPORTER: 'none',
    })
    .withLabels({ [SANDBOX_LABEL]: containerLabel(storageDir) })
    // The HTTP wait polls once per read timeout (1 s by default): poll faster, start sooner.
    .withWaitStrategy(Wait.forHttp('/v2/', 5000).forStatusCode(200).withBasicCredentials(REGISTRY_AUTH_USER, password).withReadTimeout(200))
    .withStartupTimeout(60_000);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    // Files in the bind mount then belong to the learner, who can delete them without sudo.
    container = container.withUser(`${process.getuid()}:${process.getgid!()}`);
  }
  let started: StartedTestContainer;
  try {
    started = await container.start();
  } catch (error) {
    throw new RegistryStartError(image, error as Error);
  }
  const published = { host: started.getHost(), port: started.getMappedPort(5000) };
  const address = (local && (await bridgeAddress(started, realm))) || published;
  const containerId = started.getId();
  return {
    host: address.host,
    port: address.port,
    username: REGISTRY_AUTH_USER,
    password,
    realm,
    authorization: `Basic ${Buffer.from(`${REGISTRY_AUTH_USER}:${password}`).toString('base64')}`,
    publishedPort: published.port,
    containerId,
    running: async () => {
      try {
        return (await client.container.dockerode.getContainer(containerId).inspect()).State.Running;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw error;
      }
    },
    collectGarbage: async () => {
      // Both registry:2 and scripts/build-registry-image.sh keep the binary and config here; the
      // container's environment (storage root, delete enabled) applies to the exec too.
      const result = await started.exec(['/bin/registry', 'garbage-collect', '/etc/docker/registry/config.yml']);
      if (result.exitCode !== 0) throw new Error(`registry garbage-collect exited ${result.exitCode}: ${result.output.trim().split('\n').slice(-3).join(' ')}`);
    },
    stop: async () => {
      await started.stop({ timeout: 2_000, remove: true }).catch(() => undefined);
    },
  };
}

/**
 * The container's own address on Docker's bridge network, if this process can reach it (Linux,
 * Docker on this machine; not Docker Desktop, whose containers live in a VM). Talking to it
 * directly skips docker-proxy, the userland copy that otherwise carries every byte between the
 * published loopback port and the container: the sandbox then costs a push no more hops than
 * pushing straight into the registry would.
 */
async function bridgeAddress(started: StartedTestContainer, realm: string): Promise<{ host: string; port: number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  for (const network of started.getNetworkNames()) {
    const host = started.getIpAddress(network);
    if (!host) continue;
    const socket = net.connect({ host, port: 5000 });
    const answered = await proveRegistry(socket, { host, port: 5000, realm }, 300).then(
      () => true,
      () => false,
    );
    socket.destroy();
    if (answered) return { host, port: 5000 };
  }
  return undefined;
}

/**
 * Docker does not answer the sandbox: the client's DockerUnavailableError, in words that say
 * what is missing and how to start it, whatever the platform.
 */
export function dockerUnavailableForSandbox(causeError: Error): DockerUnavailableError {
  const dockerHost = process.env.DOCKER_HOST;
  const where = dockerHost ? `at DOCKER_HOST=${dockerHost}` : 'on this machine (no Docker socket answered)';
  const reason = [
    `The sandbox needs Docker to run its registry, but no Docker engine answered ${where}.`,
    'Start one, check it with `docker info`, then run `ecr-workbook sandbox up` again:',
    '  - Docker Desktop (macOS, Windows): open the Docker Desktop app and wait until it says it is running;',
    '  - Colima (macOS): colima start;',
    '  - Linux: sudo systemctl start docker (and add yourself to the docker group to use it without sudo);',
    '  - Podman: systemctl --user start podman.socket, then export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock.',
    dockerHost ? `If DOCKER_HOST is stale, unset it (unset DOCKER_HOST) to use the default socket.` : '',
    `(${(causeError.message || String(causeError)).split('\n')[0]})`,
  ]
    .filter(Boolean)
    .join('\n');
  return new DockerUnavailableError(reason, dockerHost ? 'unset DOCKER_HOST' : undefined);
}

/** The registry could not start: says which image and what to do. */
export class RegistryStartError extends Error {
  constructor(
    readonly image: string,
    readonly causeError: Error,
  ) {
    const reason = causeError.message || String(causeError);
    let hint = 'Check that Docker is running (`docker info`).';
    if (/no such image|pull access denied|not found|manifest unknown|failed to resolve|lookup|dial tcp/i.test(reason)) {
      hint =
        `The image '${image}' is not available locally and could not be pulled. Pull it with \`docker pull ${image}\`; or, with no Docker Hub, ` +
        "build the same registry from Debian's or Ubuntu's `docker-registry` package: `sudo apt-get install -y docker-registry && scripts/build-registry-image.sh ecr-workbook/registry:local`, " +
        'then `export ECR_WORKBOOK_REGISTRY_IMAGE=ecr-workbook/registry:local` (README: "Machines without Docker Hub").';
    }
    super(`The sandbox's registry container (${image}) did not start: ${reason.split('\n')[0]}\n${hint}`);
    this.name = 'RegistryStartError';
  }
}
