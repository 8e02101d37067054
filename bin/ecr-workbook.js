#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
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
