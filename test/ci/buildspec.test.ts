import { describe, expect, it } from 'vitest';
import { BuildspecError, parseBuildspec } from '../../src/ci/buildspec.js';

// The buildspec as `ci run` reads it: what it takes, what it refuses (CodeBuild's YAML_FILE_ERROR
// cases, each saying what to write instead), and what CodeBuild does that a local run cannot.

const refused = (text: string) => {
  try {
    parseBuildspec(text, 'buildspec.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(BuildspecError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('parseBuildspec', () => {
  it('reads version 0.2: variables, exported variables, the shell, the phases with finally and on-failure', () => {
    const spec = parseBuildspec(
      [
        'version: 0.2',
        'env:',
        '  shell: bash',
        '  variables:',
        '    NAME: demo',
        '    PORT: 80',
        '  exported-variables: [IMAGE_TAG]',
        'phases:',
        '  pre_build:',
        '    on-failure: CONTINUE',
        '    commands:',
        '      - echo one',
        '      - "echo two: quoted"',
        '    finally:',
        '      - echo always',
        '  build:',
        '    commands:',
        '      - make',
        'artifacts:',
        '  files: [out]',
      ].join('\n'),
      'buildspec.yml',
    );
    expect(spec).toEqual({
      shell: 'bash',
      variables: { NAME: 'demo', PORT: '80' },
      exportedVariables: ['IMAGE_TAG'],
      phases: { pre_build: { commands: ['echo one', 'echo two: quoted'], finally: ['echo always'], onFailure: 'CONTINUE' }, build: { commands: ['make'], finally: [] } },
      warnings: ['artifacts is not used: ci run runs the phases only (CodeBuild would then upload artifacts, reports and the cache).'],
    });
    expect(parseBuildspec('version: "0.2"\nphases:\n  build:\n    commands: [ls]\n', 'b').shell).toBe('/bin/sh');
  });

  it('refuses what CodeBuild refuses, saying where and what to write', () => {
    expect(refused('phases:\n  build:\n    commands: [ls]\n')).toContain('no version. Start the file with `version: 0.2`');
    expect(refused('version: 0.3\nphases: {}\n')).toContain('invalid buildspec version 0.3');
    expect(refused('version: 0.1\nphases: {}\n')).toContain('ci run runs 0.2');
    expect(refused('version: 0.2\n')).toContain('no phases');
    expect(refused('version: 0.2\nphases:\n  deploy:\n    commands: [ls]\n')).toContain("unknown phase 'deploy'");
    // The classic: an unquoted command with ": " in it is a mapping, not a string.
    expect(refused('version: 0.2\nphases:\n  build:\n    commands:\n      - echo Build: done\n')).toMatch(/\(line 5\): expected Commands\[0\] to be of string type: found subkeys instead\. A command that contains ": " must be quoted/);
    expect(refused('version: 0.2\nphases:\n  build:\n    on-failure: STOP\n    commands: [ls]\n')).toContain("on-failure is ABORT or CONTINUE, not 'STOP'");
    expect(refused('version: 0.2\nenv:\n  variables:\n    CODEBUILD_X: 1\nphases: {build: {commands: [ls]}}\n')).toContain("CODEBUILD_ are CodeBuild's own");
    expect(refused('version: 0.2\nenv:\n  parameter-store:\n    X: /p\nphases: {build: {commands: [ls]}}\n')).toContain('Put the values in env/variables');
    expect(refused('version: 0.2\nenv:\n  shell: zsh\nphases: {build: {commands: [ls]}}\n')).toContain("bash or /bin/sh, not 'zsh'");
    expect(refused('version: 0.2\nphases: {build: {commands: [ls]}}\nstages: []\n')).toContain("unknown top-level key 'stages'");
    expect(refused('version: 0.2\nphases: [\n')).toContain('the YAML does not parse');
  });

  it('warns about what a local run does not do', () => {
    const spec = parseBuildspec('version: 0.2\nrun-as: builder\nphases:\n  install:\n    runtime-versions: {nodejs: 20}\n    commands: [ls]\n', 'b');
    expect(spec.warnings).toEqual(['phases/install/runtime-versions is ignored: ci run uses the tools installed on this machine.', 'run-as is ignored: ci run runs every command as you.']);
  });
});
