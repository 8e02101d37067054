import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { StartedTestContainer } from 'testcontainers';

/** The registry container's address as seen from the sandbox process. */
export interface RegistryUpstream {
  /** Where the sandbox reaches the registry: the container's bridge address when that answers, else the published port. */
  host: string;
  port: number;
  /** The port published on 127.0.0.1 (what `docker push 127.0.0.1:PORT/…` straight into the registry uses). */
  publishedPort: number;
  containerId: string;
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

/** A stable label value per state directory, so a restarted sandbox finds its old container. */
export function containerLabel(storageDir: string): string {
  return crypto.createHash('sha256').update(storageDir).digest('hex').slice(0, 16);
}

/**
 * Starts the distribution registry (`registry:2` or the override image) with testcontainers,
 * its storage bind-mounted from `storageDir` so images survive restarts. A container left
 * behind by a sandbox that was killed is removed first: two registries must never share
 * one storage folder.
 */
export async function startRegistryContainer(image: string, storageDir: string): Promise<RegistryUpstream> {
  // The sandbox removes its own containers (on stop, and stale ones at start), so testcontainers'
  // reaper, an image of its own that offline machines cannot pull, is off unless asked for.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // The registry is published on the loopback interface only (below), so that is where it is
  // reached. Left alone, testcontainers running inside a container (a /.dockerenv file, as on
  // CI machines and dev containers) would look for it at the bridge gateway (172.17.0.1) and
  // wait in vain. A user's own override still wins.
  const local = dockerIsLocal(process.env.DOCKER_HOST);
  if (local) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  // testcontainers is heavy to load; only the sandbox needs it.
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  await fs.mkdir(storageDir, { recursive: true });
  const label = containerLabel(storageDir);
  const client = await getContainerRuntimeClient();
  const stale = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=${label}`] } });
  await Promise.all(stale.map((info) => client.container.dockerode.getContainer(info.Id).remove({ force: true }).catch(() => undefined)));

  // Docker publishes ports on every interface by default; the raw registry (no ECR auth in
  // front of it) must only be reachable from this machine, like the sandbox itself. (A remote
  // DOCKER_HOST has no loopback of ours: there the default binding is the only one that works.)
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
    .withEnvironment({
      REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/var/lib/registry',
      REGISTRY_STORAGE_DELETE_ENABLED: 'true',
      // Upload URLs come back relative, so they stay on the sandbox's own host and port.
      REGISTRY_HTTP_RELATIVEURLS: 'true',
      REGISTRY_LOG_LEVEL: 'warn',
      OTEL_TRACES_EXPORTER: 'none',
    })
    .withLabels({ [SANDBOX_LABEL]: label })
    // The HTTP wait polls once per read timeout (1 s by default): poll faster, start sooner.
    .withWaitStrategy(Wait.forHttp('/v2/', 5000).forStatusCode(200).withReadTimeout(200))
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
  const address = (local && (await bridgeAddress(started))) || published;
  return {
    host: address.host,
    port: address.port,
    publishedPort: published.port,
    containerId: started.getId(),
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
async function bridgeAddress(started: StartedTestContainer): Promise<{ host: string; port: number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  for (const network of started.getNetworkNames()) {
    const host = started.getIpAddress(network);
    if (!host) continue;
    const answered = await new Promise<boolean>((resolve) => {
      const req = http.get({ host, port: 5000, path: '/v2/', timeout: 300 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
    if (answered) return { host, port: 5000 };
  }
  return undefined;
}

/** Docker runs on this machine (its socket or named pipe), not on a remote host. */
export function dockerIsLocal(dockerHost: string | undefined): boolean {
  return !dockerHost || /^(unix|npipe):/i.test(dockerHost);
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
    } else if (/ENOENT|ECONNREFUSED|Could not find a working container runtime|docker\.sock/i.test(reason)) {
      hint = 'Docker does not seem to be running. Start Docker Desktop (or `sudo systemctl start docker`) and try again.';
    }
    super(`The sandbox's registry container (${image}) did not start: ${reason.split('\n')[0]}\n${hint}`);
    this.name = 'RegistryStartError';
  }
}
