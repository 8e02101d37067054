import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBuildspec } from '../../src/ci/buildspec.js';
import { runBuild } from '../../src/ci/build.js';
import { tempDir } from '../helpers/sandbox.js';

// A build's phases as CodeBuild runs them (its documented phase transitions), in one shell.

async function build(yaml: string) {
  const dir = tempDir('ecrwb-build-');
  let log = '';
  const result = await runBuild({ spec: parseBuildspec(yaml, 'buildspec.yml'), cwd: dir, env: { PATH: process.env.PATH, HOME: dir }, write: (t) => (log += t) });
  return { ...result, log, dir, statuses: Object.fromEntries(result.phases.map((p) => [p.name, p.status])) };
}

const spec = (phases: string, env = '') => `version: 0.2\n${env}phases:\n${phases}`;

describe('phase transitions', () => {
  it('a failure in PRE_BUILD skips BUILD and POST_BUILD, but its own finally runs', async () => {
    const b = await build(spec('  pre_build:\n    commands:\n      - echo before\n      - false\n      - echo never\n    finally:\n      - echo "finally $CODEBUILD_BUILD_SUCCEEDING"\n  build:\n    commands: [echo building]\n  post_build:\n    commands: [echo post]\n'));
    expect(b.status).toBe('FAILED');
    expect(b.statuses).toEqual({ INSTALL: 'SUCCEEDED', PRE_BUILD: 'FAILED', BUILD: 'SKIPPED', POST_BUILD: 'SKIPPED' });
    expect(b.phases[2]!.skippedBecause).toBe('PRE_BUILD failed: a failure in INSTALL or PRE_BUILD ends the build');
    expect(b.log).toContain('before\n');
    expect(b.log).toContain('finally 0\n');
    expect(b.log).not.toContain('never');
    expect(b.log).not.toContain('building');
    expect(b.log).toContain('Command did not exit successfully false exit status 1');
    expect(b.log).toContain('Phase complete: PRE_BUILD State: FAILED');
    expect(b.log).toContain('Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: false. Reason: exit status 1');
    expect(b.phases[1]!.context).toEqual({ code: 'COMMAND_EXECUTION_ERROR', message: 'Error while executing command: false. Reason: exit status 1' });
  });

  it('a failure in INSTALL ends the build the same way', async () => {
    const b = await build(spec('  install:\n    commands: ["exit 4"]\n  build:\n    commands: [echo building]\n'));
    expect(b.statuses).toEqual({ INSTALL: 'FAILED', PRE_BUILD: 'SKIPPED', BUILD: 'SKIPPED', POST_BUILD: 'SKIPPED' });
    expect(b.log).toContain('exit status 4');
  });

  it('a failure in BUILD still runs POST_BUILD, which sees CODEBUILD_BUILD_SUCCEEDING=0', async () => {
    const b = await build(spec('  build:\n    commands: ["echo \\"build $CODEBUILD_BUILD_SUCCEEDING\\"", "false"]\n  post_build:\n    commands: ["echo \\"post $CODEBUILD_BUILD_SUCCEEDING\\""]\n'));
    expect(b.status).toBe('FAILED');
    expect(b.statuses).toEqual({ INSTALL: 'SUCCEEDED', PRE_BUILD: 'SUCCEEDED', BUILD: 'FAILED', POST_BUILD: 'SUCCEEDED' });
    expect(b.log).toContain('build 1\n');
    expect(b.log).toContain('post 0\n');
  });

  it('on-failure CONTINUE goes on to the next phase (the build still FAILED); ABORT ends it, POST_BUILD included', async () => {
    const cont = await build(spec('  pre_build:\n    on-failure: CONTINUE\n    commands: [false]\n  build:\n    commands: [echo built]\n'));
    expect(cont.status).toBe('FAILED');
    expect(cont.statuses).toEqual({ INSTALL: 'SUCCEEDED', PRE_BUILD: 'FAILED', BUILD: 'SUCCEEDED', POST_BUILD: 'SUCCEEDED' });
    expect(cont.log).toContain('built\n');
    const abort = await build(spec('  build:\n    on-failure: ABORT\n    commands: [false]\n  post_build:\n    commands: [echo post]\n'));
    expect(abort.statuses).toEqual({ INSTALL: 'SUCCEEDED', PRE_BUILD: 'SUCCEEDED', BUILD: 'FAILED', POST_BUILD: 'SKIPPED' });
    expect(abort.phases[3]!.skippedBecause).toBe('BUILD failed and its on-failure is ABORT');
    expect(abort.log).not.toContain('post\n');
  });

  it('a failing finally command fails its phase; every phase that ran must succeed for the build to', async () => {
    const b = await build(spec('  post_build:\n    commands: [echo fine]\n    finally: [false, echo not-after-a-failure]\n'));
    expect(b.statuses.POST_BUILD).toBe('FAILED');
    expect(b.status).toBe('FAILED');
    expect(b.log).not.toContain('not-after-a-failure');
    expect((await build(spec('  build:\n    commands: [true]\n'))).status).toBe('SUCCEEDED');
  });
});

describe('one shell for the whole build', () => {
  it('keeps the directory, variables and functions from command to command and phase to phase', async () => {
    const b = await build(
      spec(
        '  install:\n    commands:\n      - mkdir -p sub && cd sub\n      - X=from-install\n      - "greet() { echo \\"hello $1\\"; }"\n' +
          '  post_build:\n    commands:\n      - pwd\n      - echo "$X"\n      - greet there\n',
      ),
    );
    expect(b.status).toBe('SUCCEEDED');
    expect(b.log).toContain(`${path.join(fs.realpathSync(b.dir), 'sub')}\n`);
    expect(b.log).toContain('from-install\n');
    expect(b.log).toContain('hello there\n');
  });

  it('gives commands no stdin (a command that reads cannot eat the next), and a syntax error fails only its command', async () => {
    const b = await build(spec('  build:\n    on-failure: CONTINUE\n    commands:\n      - read line; echo "read [$line]"\n      - echo next\n      - "echo \'unterminated"\n  post_build:\n    commands: [echo "still here"]\n'));
    expect(b.log).toContain('read []\n');
    expect(b.log).toContain('next\n');
    expect(b.statuses.BUILD).toBe('FAILED');
    expect(b.log).toContain('still here\n');
  });

  it('reads the exported variables at the end of the build (unset ones are left out)', async () => {
    const b = await build(
      spec('  pre_build:\n    commands: ["IMAGE_TAG=abc1234"]\n  post_build:\n    commands: ["export NOTE=\\"two words\\""]\n', 'env:\n  exported-variables: [IMAGE_TAG, NOTE, NEVER]\n'),
    );
    expect(b.exportedVariables).toEqual({ IMAGE_TAG: 'abc1234', NOTE: 'two words' });
  });

  it('runs bash when env/shell says so, /bin/sh otherwise', async () => {
    expect((await build(spec('  build:\n    commands: ["echo ${BASH_VERSION:+bash}"]\n', 'env:\n  shell: bash\n'))).log).toContain('bash\n');
    // Debian's /bin/sh is dash, which has no [[ (macOS's is bash in POSIX mode, which has).
    if (fs.realpathSync('/bin/sh').endsWith('dash')) {
      const sh = await build(spec('  build:\n    commands: ["[[ 1 == 1 ]] && echo bashism"]\n'));
      expect(sh.commands[0]).toMatchObject({ exitCode: 127 });
      expect(sh.commands[0]!.output).not.toContain('bashism');
    }
  });

  it('a command that ends the shell fails, and the next commands get a new one', async () => {
    const b = await build(spec('  build:\n    on-failure: CONTINUE\n    commands: ["X=1; exit 7", "echo after"]\n  post_build:\n    commands: ["echo \\"X=[$X]\\""]\n'));
    expect(b.log).toContain('exit status 7');
    expect(b.log).toContain('the commands after it run in a new shell');
    expect(b.log).toContain('X=[]\n');
  });

  it('keeps the end of each command\'s output, and output without a trailing newline stays apart from the log lines', async () => {
    const b = await build(spec("  build:\n    commands: [\"printf 'no newline'\", echo done]\n"));
    expect(b.commands.map((c) => [c.command, c.exitCode, c.output])).toEqual([
      ["printf 'no newline'", 0, 'no newline'],
      ['echo done', 0, 'done\n'],
    ]);
    expect(b.log).toMatch(/no newline\n\[Container\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} Running command echo done\n/);
  });
});

describe('the marker that ends each command', () => {
  it('is found when it arrives split across chunks, and output is held back only while it may be a marker', async () => {
    const { MarkedStream } = await import('../../src/ci/shell.js');
    const shown: string[] = [];
    const stream = new MarkedStream('\n__DONE_1', (t) => shown.push(t));
    const next = stream.next();
    stream.push('tag invalid: already exists\n');
    // The newline might start the marker: it waits; the rest is shown at once.
    expect(shown).toEqual(['tag invalid: already exists']);
    stream.push('__DO');
    expect(shown).toEqual(['tag invalid: already exists']);
    stream.push('NE_1 7\nnext command');
    expect(await next).toBe('7');
    expect(shown).toEqual(['tag invalid: already exists']);
    const second = stream.next();
    stream.push('\n__DONE_1 0\n');
    expect(await second).toBe('0');
    expect(shown.join('')).toBe('tag invalid: already existsnext command');
    // A newline followed by anything else is output after all.
    stream.push('\nplain');
    expect(shown.join('')).toBe('tag invalid: already existsnext command\nplain');
  });
});
