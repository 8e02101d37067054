import { describe, expect, it } from 'vitest';
import { replayCourse } from '../../src/runner/course-check.js';
import { replayTaskLabel, taskContainers } from '../helpers/ecs.js';
import { localReferences } from '../helpers/docker.js';
import { BEFORE_EACH_STEP, shortfalls } from '../helpers/learner.js';
import { installedAwsClis, tempDir } from '../helpers/sandbox.js';

// The whole course replayed with the real aws CLI and docker against a fresh sandbox: before
// each step its check fails with the diagnosis a learner who has not done it yet gets, every
// command of the step exits 0, and after it the check passes. Once per aws CLI on the machine
// (test/podman/course-replay.test.ts does the same with podman). Replays run one after another,
// each with a repository (and so local image names) of its own: the docker daemon's image store
// is shared.
const clis = installedAwsClis();

describe('the course, replayed end to end', () => {
  it('finds the aws CLIs the README promises: at least one, and in CI both v1 and v2', () => {
    expect(clis.length).toBeGreaterThan(0);
    if (process.env.CI) expect(clis.map((c) => c.major).sort()).toEqual([1, 2]);
  });

  for (const cli of clis) {
    it(`with docker and ${cli.version.split(' ')[0]}: every step fails first with its diagnosis, its commands exit 0, then it passes`, { timeout: 300_000 }, async () => {
      const workDir = tempDir('ecrwb-replay-');
      const steps = await replayCourse({ awsCli: cli.path, readsEndpointEnv: cli.readsEndpointEnv, repo: `e2e-v${cli.major}-${process.pid}`, client: 'docker', workDir });
      // Lesson 14's tasks are the learner's: the replay's sandbox, stopped, leaves none of its containers.
      expect(await taskContainers(replayTaskLabel(workDir))).toEqual([]);
      // Every reference to the run's repository went with it, digest references of moved tags too.
      expect(localReferences((name) => name.endsWith(`/e2e-v${cli.major}-${process.pid}`))).toEqual([]);
      expect(steps.map((s) => s.step)).toEqual(Object.keys(BEFORE_EACH_STEP));
      expect(steps.every((s) => s.commands.length > 0 || BEFORE_EACH_STEP[s.step] === 'quiz-not-answered')).toBe(true);
      expect(shortfalls(steps), shortfalls(steps).join('\n')).toEqual([]);
      expect(steps.every((s) => s.ok)).toBe(true);
    });
  }
});
