import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `Tests: N passed, N failed, N skipped`, that any CI log reader
 * understands (vitest's own summary is styled for people). A file that failed without a failing
 * test (it did not load, or a beforeAll hook threw) counts its tests that did not pass as failed,
 * or itself as one failure when it has none: vitest reports those tests as skipped, and the line
 * must never say "0 failed" for a run that failed. Errors outside any test count too.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of testModules) {
      const states = [...module.children.allTests()].map((test) => test.result().state);
      const brokenFile = module.state() === 'failed' && !states.includes('failed');
      if (brokenFile && states.length === 0) failed++;
      for (const state of states) {
        if (state === 'passed') passed++;
        else if (state === 'failed' || brokenFile) failed++;
        else skipped++;
      }
    }
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
