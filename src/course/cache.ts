/**
 * The validated course, cached as JSON beside the build: parsing YAML and validating the
 * schema costs more than `ecr-workbook status` may spend starting up. The cache is keyed by
 * each lesson file's name, size and modification time, so an edited lesson is re-validated.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Course } from './load.js';
import { lessonsDir } from './lessons-dir.js';

const CACHE_VERSION = 1;

/** Where the cache lives: `dist/course-cache.json` in the package. */
export function courseCacheFile(dir: string = lessonsDir()): string {
  return path.join(path.dirname(dir), 'dist', 'course-cache.json');
}

/** A fingerprint of the lesson files (names, sizes, modification times) and the folder. */
export function courseFingerprint(dir: string): string {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => {
      const stat = fs.statSync(path.join(dir, f));
      return `${f}:${stat.size}:${Math.round(stat.mtimeMs)}`;
    });
  return `${CACHE_VERSION}|${path.resolve(dir)}|${files.join(',')}`;
}

/** The course from the cache when it is current, else loaded, validated and cached. */
export async function loadCourseFast(dir: string = lessonsDir()): Promise<Course> {
  const file = courseCacheFile(dir);
  const fingerprint = courseFingerprint(dir);
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as { fingerprint?: string; course?: Course };
    if (cached.fingerprint === fingerprint && cached.course) return cached.course;
  } catch {
    /* no cache yet, or unreadable: load for real */
  }
  const { loadCourse } = await import('./load.js');
  const course = await loadCourse(dir);
  writeCourseCache(file, fingerprint, course);
  return course;
}

/** Writes the cache; a read-only install simply goes without it. */
export function writeCourseCache(file: string, fingerprint: string, course: Course): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ fingerprint, course }));
    fs.renameSync(tmp, file);
  } catch {
    /* best effort */
  }
}
