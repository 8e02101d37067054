/**
 * The learner's docker client configuration: where `docker login` put its credentials
 * (config.json `auths`, a credential store, or a per-registry helper). Read-only: the workbook
 * never writes ~/.docker.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ClientEnv } from './client.js';

export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** `$DOCKER_CONFIG`, else `~/.docker`. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
}

export type ConfigRead = { kind: 'ok'; file: string; config: DockerConfigFile } | { kind: 'missing'; file: string } | { kind: 'corrupt'; file: string; reason: string };

/** Reads config.json without changing it. */
export async function readDockerConfig(env: NodeJS.ProcessEnv = process.env): Promise<ConfigRead> {
  const file = path.join(dockerConfigDir(env), 'config.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return { kind: 'missing', file };
  }
  try {
    return { kind: 'ok', file, config: JSON.parse(text) as DockerConfigFile };
  } catch (error) {
    return { kind: 'corrupt', file, reason: (error as Error).message };
  }
}

/** `https://host/` and `host` name the same registry in config.json. */
export function normalizeRegistryKey(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/+$/, '').replace(/\/v[12]$/, '').toLowerCase();
}

export type StoredCredential =
  | { kind: 'found'; source: string; username: string; secret: string }
  | { kind: 'none'; source: string; otherHosts: string[] }
  | { kind: 'helper-error'; source: string; helper: string; message: string; file: string; key: 'credsStore' | 'credHelpers' };

function runHelper(helper: string, host: string, env: NodeJS.ProcessEnv): Promise<{ ok: true; username: string; secret: string } | { ok: false; message: string; missing: boolean }> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) {
        const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
        const text = `${stdout}${stderr}`.trim();
        resolve({
          ok: false,
          missing: !notFound && /credentials not found/i.test(text),
          message: notFound ? `exec: "docker-credential-${helper}": executable file not found in $PATH` : text || error.message,
        });
        return;
      }
      try {
        const value = JSON.parse(String(stdout)) as { Username?: string; Secret?: string };
        resolve({ ok: true, username: value.Username ?? '', secret: value.Secret ?? '' });
      } catch {
        resolve({ ok: false, missing: false, message: `docker-credential-${helper} answered something that is not JSON` });
      }
    });
    child.stdin?.end(host);
  });
}

/** The entry of `auths` (or `credHelpers`) naming `host`, in any of its spellings (`https://host/v1/`). */
function entryFor<T>(record: Record<string, T> | undefined, host: string): T | undefined {
  const wanted = normalizeRegistryKey(host);
  return Object.entries(record ?? {}).find(([k]) => normalizeRegistryKey(k) === wanted)?.[1];
}

/** A credential from one config file's `auths` entry for `host`, or undefined. */
function fromAuths(config: DockerConfigFile, host: string, source: string): StoredCredential | undefined {
  const entry = entryFor(config.auths, host);
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { kind: 'found', source, username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  if (entry?.username !== undefined) return { kind: 'found', source, username: entry.username, secret: entry.password ?? '' };
  return undefined;
}

/** Asks a credential helper for `host`'s login: found, none stored, or the helper itself failing. */
async function fromHelper(
  helper: string,
  host: string,
  env: NodeJS.ProcessEnv,
  otherHosts: string[],
  where: { file: string; key: 'credsStore' | 'credHelpers' },
): Promise<StoredCredential> {
  const source = `docker-credential-${helper}`;
  const result = await runHelper(helper, host, env);
  if (result.ok) return { kind: 'found', source, username: result.username, secret: result.secret };
  if (result.missing) return { kind: 'none', source, otherHosts };
  return { kind: 'helper-error', source, helper, message: result.message, ...where };
}

const otherHostsIn = (config: DockerConfigFile, host: string): string[] =>
  Object.keys(config.auths ?? {})
    .map(normalizeRegistryKey)
    .filter((k) => k !== normalizeRegistryKey(host));

/**
 * The credential docker would send to `host`: from a credHelpers entry, the credsStore, or
 * config.json's auths, in docker's own order of precedence.
 */
async function dockerCredential(host: string, env: NodeJS.ProcessEnv): Promise<StoredCredential> {
  const read = await readDockerConfig(env);
  if (read.kind !== 'ok') return { kind: 'none', source: read.file, otherHosts: [] };
  const config = read.config;
  const otherHosts = otherHostsIn(config, host);
  const perHost = entryFor(config.credHelpers, host);
  const helper = perHost ?? config.credsStore;
  if (helper) return fromHelper(helper, host, env, otherHosts, { file: read.file, key: perHost ? 'credHelpers' : 'credsStore' });
  return fromAuths(config, host, read.file) ?? { kind: 'none', source: read.file, otherHosts };
}

/**
 * Where Podman (containers/image) looks for logins, in its order: `REGISTRY_AUTH_FILE` alone when
 * set, else `$DOCKER_CONFIG/config.json` alone when that is set (podman 4 treats either as its
 * --authfile, and `podman login` writes there); else the runtime file `podman login` writes
 * (`$XDG_RUNTIME_DIR/containers/auth.json`, or `/run/containers/<uid>/auth.json`;
 * `~/.config/containers/auth.json` off Linux), then `$XDG_CONFIG_HOME/containers/auth.json`, then
 * `~/.docker/config.json`.
 */
export function podmanAuthFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.REGISTRY_AUTH_FILE) return [env.REGISTRY_AUTH_FILE];
  if (env.DOCKER_CONFIG) return [path.join(env.DOCKER_CONFIG, 'config.json')];
  const home = env.HOME || os.homedir();
  const configHome = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const runtime =
    process.platform !== 'linux'
      ? path.join(home, '.config', 'containers', 'auth.json')
      : env.XDG_RUNTIME_DIR
        ? path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')
        : `/run/containers/${uid}/auth.json`;
  return [...new Set([runtime, path.join(configHome, 'containers', 'auth.json'), path.join(dockerConfigDir(env), 'config.json')])];
}

/** The credential Podman would send to `host`: the first of its auth files with a credHelpers or auths entry for it. */
async function podmanCredential(host: string, env: NodeJS.ProcessEnv): Promise<StoredCredential> {
  const files = podmanAuthFiles(env);
  const otherHosts = new Set<string>();
  for (const file of files) {
    let config: DockerConfigFile;
    try {
      config = JSON.parse(await fs.readFile(file, 'utf8')) as DockerConfigFile;
    } catch {
      continue; // absent, or unreadable: Podman skips it too
    }
    for (const other of otherHostsIn(config, host)) otherHosts.add(other);
    // Podman ignores credsStore; a credHelpers entry for the host wins over auths in the same file.
    const helper = entryFor(config.credHelpers, host);
    if (helper) return fromHelper(helper, host, env, [...otherHosts], { file, key: 'credHelpers' });
    const found = fromAuths(config, host, file);
    if (found) return found;
  }
  return { kind: 'none', source: files.join(', '), otherHosts: [...otherHosts] };
}

/** The credential the learner's client (docker or podman) would send to `host`, and where it is stored. */
export async function storedCredential(host: string, on: ClientEnv): Promise<StoredCredential> {
  return on.client === 'podman' ? podmanCredential(host, on.env) : dockerCredential(host, on.env);
}
