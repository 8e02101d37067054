#!/usr/bin/env node
// Validates the course and the question bank once at build time and caches them
// (dist/course-cache.json, dist/bank-cache.json), so fast commands (status) skip YAML parsing
// and schema validation. A broken lesson or question fails the build.
import { bankCacheFile, bankFingerprint, courseCacheFile, courseFingerprint, writeCache } from '../dist/src/course/cache.js';
import { lessonsDir } from '../dist/src/course/lessons-dir.js';
import { loadCourse } from '../dist/src/course/load.js';
import { bankDir, loadBank } from '../dist/src/quiz/bank.js';

const dir = lessonsDir();
try {
  const course = await loadCourse(dir);
  writeCache(courseCacheFile(dir), courseFingerprint(dir), 'course', course);
  const bank = await loadBank(bankDir(dir));
  writeCache(bankCacheFile(dir), bankFingerprint(dir), 'bank', bank);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
