import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { replayCourse } from '../../src/runner/course-check.js';
import { replayTaskLabel, taskContainers } from '../helpers/ecs.js';
import { BEFORE_EACH_STEP, shortfalls } from '../helpers/learner.js';
import { localReferences, podmanLeftovers } from '../helpers/docker.js';
import { installedAwsClis, tempDir } from '../helpers/sandbox.js';

// The whole course as a Podman learner does it: every lesson rendered for podman (its commands
// run as rendered), each check looking at real state (Podman's logins and images), with the same
// first diagnoses, exit codes and passes as with docker (test/e2e/course-replay.test.ts).
// CI installs Debian's podman; elsewhere the replay needs it too, and says so when skipped.
const hasPodman = spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPodman && !process.env.CI) console.info('test/podman: the podman course replay is skipped, podman is not installed');

describe('the course, replayed with podman', () => {
  it.runIf(hasPodman || process.env.CI)('with podman (lessons rendered for it) and the aws CLI: every lesson, each check on real state', { timeout: 300_000 }, async () => {
    const cli = installedAwsClis()[0]!;
    const workDir = tempDir('ecrwb-replay-');
    const steps = await replayCourse({ awsCli: cli.path, readsEndpointEnv: cli.readsEndpointEnv, repo: `e2e-podman-${process.pid}`, client: 'podman', workDir });
    expect(await taskContainers(replayTaskLabel(workDir), 'podman')).toEqual([]);
    // Nothing of the run's repository stays in either store (the tasks may have pulled with docker).
    const ofRun = (name: string) => name.endsWith(`/e2e-podman-${process.pid}`);
    expect(localReferences(ofRun, 'podman')).toEqual([]);
    expect(localReferences(ofRun, 'docker')).toEqual([]);
    expect(podmanLeftovers((name) => name.includes(`/e2e-podman-${process.pid}:`))).toEqual([]);
    expect(steps.map((s) => s.step)).toEqual(Object.keys(BEFORE_EACH_STEP));
    const commands = steps.flatMap((s) => s.commands.map((c) => c.command));
    expect(commands.filter((c) => /(^|[|&;]\s*|\bdo\s+)(!\s+)?docker /.test(c))).toEqual([]);
    expect(commands.some((c) => /podman login --tls-verify=false --username AWS/.test(c))).toBe(true);
    expect(commands.some((c) => /podman push --tls-verify=false /.test(c))).toBe(true);
    expect(shortfalls(steps), shortfalls(steps).join('\n')).toEqual([]);
  });
});
