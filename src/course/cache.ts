/**
 * The validated course (and question bank), cached as JSON beside the build: parsing YAML and
 * validating the schema costs more than `ecr-workbook status` may spend starting up. Each cache
 * is keyed by its source files' names, sizes and modification times, so an edited lesson or
 * topic file is re-validated.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Course } from './load.js';
import type { Bank } from '../quiz/types.js';
import type { Drills } from '../drills/types.js';
import { lessonsDir } from './lessons-dir.js';

const CACHE_VERSION = 1;

/** Where the course cache lives: `dist/course-cache.json` in the package. */
export function courseCacheFile(dir: string = lessonsDir()): string {
  return path.join(path.dirname(dir), 'dist', 'course-cache.json');
}

/** Where the bank cache lives: `dist/bank-cache.json` in the package. */
export function bankCacheFile(dir: string = lessonsDir()): string {
  return path.join(path.dirname(dir), 'dist', 'bank-cache.json');
}

/** Where the drills cache lives: `dist/drills-cache.json` in the package. */
export function drillsCacheFile(dir: string = lessonsDir()): string {
  return path.join(path.dirname(dir), 'dist', 'drills-cache.json');
}

/** A fingerprint of the files ending in `ext` in a folder (names, sizes, modification times) and the folder. */
export function filesFingerprint(dir: string, ext: string): string {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((f) => f.endsWith(ext));
  } catch {
    /* no folder: an empty fingerprint, so the loader reports it */
  }
  const files = names.sort().map((f) => {
    const stat = fs.statSync(path.join(dir, f));
    return `${f}:${stat.size}:${Math.round(stat.mtimeMs)}`;
  });
  return `${CACHE_VERSION}|${path.resolve(dir)}|${files.join(',')}`;
}

/** The course's fingerprint: its lesson files. */
export function courseFingerprint(dir: string): string {
  return filesFingerprint(dir, '.md');
}

/** The bank's fingerprint: its topic files in `lessons/questions`. */
export function bankFingerprint(dir: string): string {
  return filesFingerprint(path.join(dir, 'questions'), '.yaml');
}

/** The drills' fingerprint: their files in `lessons/drills`. */
export function drillsFingerprint(dir: string): string {
  return filesFingerprint(path.join(dir, 'drills'), '.md');
}

/** `value` from `file` when its fingerprint is current, else `load()` (then cached). */
async function cached<T>(file: string, fingerprint: string, key: string, load: () => Promise<T>): Promise<T> {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (data.fingerprint === fingerprint && data[key]) return data[key] as T;
  } catch {
    /* no cache yet, or unreadable: load for real */
  }
  const value = await load();
  writeCache(file, fingerprint, key, value);
  return value;
}

/** The course from the cache when it is current, else loaded, validated and cached. */
export async function loadCourseFast(dir: string = lessonsDir()): Promise<Course> {
  return cached(courseCacheFile(dir), courseFingerprint(dir), 'course', async () => (await import('./load.js')).loadCourse(dir));
}

/** The question bank from the cache when it is current, else loaded, validated and cached. */
export async function loadBankFast(dir: string = lessonsDir()): Promise<Bank> {
  return cached(bankCacheFile(dir), bankFingerprint(dir), 'bank', async () => {
    const { bankDir, loadBank } = await import('../quiz/bank.js');
    return loadBank(bankDir(dir));
  });
}

/** The break-fix drills from the cache when it is current, else loaded, validated and cached. */
export async function loadDrillsFast(dir: string = lessonsDir()): Promise<Drills> {
  return cached(drillsCacheFile(dir), drillsFingerprint(dir), 'drills', async () => {
    const { drillsDir, loadDrills } = await import('../drills/load.js');
    return loadDrills(drillsDir(dir));
  });
}

/** Writes a cache (`key` is `course`, `bank` or `drills`); a read-only install simply goes without it. */
export function writeCache(file: string, fingerprint: string, key: string, value: unknown): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ fingerprint, [key]: value }));
    fs.renameSync(tmp, file);
  } catch {
    /* best effort */
  }
}
