#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
// The AWS SDK's notice that its 2027 releases will need Node 22 is for us, not for learners
// (package-lock pins SDK releases that support Node 20).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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
