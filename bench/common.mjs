// What the benchmark scripts share: the repository root, `--name value` options, the check that
// dist/ was built, and a fresh image of random bytes (fresh, so docker can neither skip nor
// cross-mount a layer it pushed before).
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The number after `--<name>` on the command line, else `fallback`. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** Exits with the fix when dist/ (what the benchmarks run) is missing. */
export function requireBuilt() {
  if (!fs.existsSync(path.join(root, 'dist/src/sandbox/index.js'))) {
    console.error('dist/ is missing: run `npm run build` first.');
    process.exit(2);
  }
}

/** Builds `tag`: FROM scratch with `sizeMib` MiB of random bytes, its context in a temp folder under `dir`. */
export async function buildRandomImage(tag, sizeMib, dir, env) {
  const context = fs.mkdtempSync(path.join(dir, 'ctx-'));
  const fd = fs.openSync(path.join(context, 'payload.bin'), 'w');
  for (let i = 0; i < sizeMib; i++) fs.writeSync(fd, crypto.randomBytes(1024 * 1024));
  fs.closeSync(fd);
  fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY payload.bin /payload.bin\n');
  await run('docker', ['build', '-q', '-t', tag, context], { env });
  fs.rmSync(context, { recursive: true, force: true });
}
