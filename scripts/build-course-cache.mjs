#!/usr/bin/env node
// Validates the course once at build time and caches it (dist/course-cache.json), so fast
// commands (status) skip YAML parsing and schema validation. A broken lesson fails the build.
import { courseCacheFile, courseFingerprint, writeCourseCache } from '../dist/src/course/cache.js';
import { lessonsDir } from '../dist/src/course/lessons-dir.js';
import { loadCourse } from '../dist/src/course/load.js';

const dir = lessonsDir();
try {
  const course = await loadCourse(dir);
  writeCourseCache(courseCacheFile(dir), courseFingerprint(dir), course);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
