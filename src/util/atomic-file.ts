import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a file so that a reader (or a process restarted after SIGKILL) sees either the old
 * content or the new, never a torn mix: write a temporary sibling, fsync it, rename over.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await fsp.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.rename(tmp, file);
  } catch (error) {
    await fsp.rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** The synchronous twin of writeFileAtomic, for exit paths that cannot await. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable; some filesystems refuse fsync on a directory, which is fine.
  try {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

export type JsonReadResult<T> =
  | { kind: 'missing' }
  | { kind: 'ok'; value: T }
  | { kind: 'corrupt'; movedTo: string; reason: string };

/**
 * Reads a JSON file. A file that does not parse (or fails `accept`) is moved aside to
 * `<file>.corrupt-<timestamp>` so nothing is lost, and reported as corrupt.
 */
export async function readJsonFile<T>(file: string, accept: (value: unknown) => value is T): Promise<JsonReadResult<T>> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let reason: string;
  try {
    const value: unknown = JSON.parse(text);
    if (accept(value)) return { kind: 'ok', value };
    reason = 'its content does not have the expected shape';
  } catch (error) {
    reason = `it is not valid JSON (${(error as Error).message})`;
  }
  const movedTo = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await fsp.rename(file, movedTo);
  return { kind: 'corrupt', movedTo, reason };
}
