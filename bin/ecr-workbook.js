#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
// Written so that any Node that can start it can also refuse it: no syntax newer than the check.
var NEEDED = 22;
var running = process.versions.node;
if (Number(running.split('.')[0]) < NEEDED) {
  console.error('ecr-workbook needs Node.js ' + NEEDED + ' or later; this is Node.js ' + running + '. Install Node.js ' + NEEDED + ' or a later LTS (https://nodejs.org), then run it again.');
  process.exit(2);
}
// A closed pipe (`ecr-workbook lessons | head`) is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
import('../dist/src/cli/main.js').then(
  async (cli) => {
    process.exitCode = await cli.run(process.argv);
  },
  (error) => {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('main.js')) {
      console.error('ecr-workbook is not built yet. Run `npm install` (or `npm run build`) in the project folder first.');
      process.exitCode = 2;
      return;
    }
    throw error;
  },
);
