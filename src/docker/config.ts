/**
 * The learner's docker client configuration: where `docker login` put its credentials
 * (config.json `auths`, a credential store, or a per-registry helper). Read-only: the workbook
 * never writes ~/.docker.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

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
  | { kind: 'helper-error'; source: string; helper: string; message: string };

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

/**
 * The credential docker would send to `host`: from a credHelpers entry, the credsStore, or
 * config.json's auths, in docker's own order of precedence.
 */
export async function storedCredential(host: string, env: NodeJS.ProcessEnv = process.env): Promise<StoredCredential> {
  const read = await readDockerConfig(env);
  if (read.kind !== 'ok') return { kind: 'none', source: read.file, otherHosts: [] };
  const config = read.config;
  const wanted = normalizeRegistryKey(host);
  const authKeys = Object.keys(config.auths ?? {});
  const otherHosts = authKeys.map(normalizeRegistryKey).filter((k) => k !== wanted);
  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => normalizeRegistryKey(k) === wanted)?.[1] ?? config.credsStore;
  if (helper) {
    const source = `docker-credential-${helper}`;
    const result = await runHelper(helper, host, env);
    if (result.ok) return { kind: 'found', source, username: result.username, secret: result.secret };
    if (result.missing) return { kind: 'none', source, otherHosts };
    return { kind: 'helper-error', source, helper, message: result.message };
  }
  const entryKey = authKeys.find((k) => normalizeRegistryKey(k) === wanted);
  const entry = entryKey ? config.auths![entryKey] : undefined;
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { kind: 'found', source: read.file, username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  if (entry?.username !== undefined) return { kind: 'found', source: read.file, username: entry.username, secret: entry.password ?? '' };
  return { kind: 'none', source: read.file, otherHosts };
}
