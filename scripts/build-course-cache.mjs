#!/usr/bin/env node
// Validates the course, the question bank and the drills once at build time and caches them
// (dist/course-cache.json, dist/bank-cache.json, dist/drills-cache.json), so fast commands
// (status) skip YAML parsing and schema validation. A broken lesson, question or drill fails the build.
import { bankCacheFile, bankFingerprint, courseCacheFile, courseFingerprint, drillsCacheFile, drillsFingerprint, writeCache } from '../dist/src/course/cache.js';
import { lessonsDir } from '../dist/src/course/lessons-dir.js';
import { loadCourse } from '../dist/src/course/load.js';
import { bankDir, loadBank } from '../dist/src/quiz/bank.js';
import { drillsDir, loadDrills } from '../dist/src/drills/load.js';

const dir = lessonsDir();
try {
  const course = await loadCourse(dir);
  writeCache(courseCacheFile(dir), courseFingerprint(dir), 'course', course);
  const bank = await loadBank(bankDir(dir));
  writeCache(bankCacheFile(dir), bankFingerprint(dir), 'bank', bank);
  const drills = await loadDrills(drillsDir(dir));
  writeCache(drillsCacheFile(dir), drillsFingerprint(dir), 'drills', drills);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
