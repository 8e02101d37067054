import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { replayCourse, type ReplayStep } from '../../src/runner/course-check.js';
import { BEFORE_EACH_STEP } from '../helpers/learner.js';
import { installedAwsClis } from '../helpers/sandbox.js';

// The whole course replayed with the real aws CLI and the real container client against a fresh
// sandbox: before each step its check fails with the diagnosis a learner who has not done it yet
// gets, every command of the step exits 0, and after it the check passes. Once per aws CLI on the
// machine with docker, and once with podman. Replays run one after another, each with a
// repository (and so local image names) of its own: the docker daemon's image store is shared.
const clis = installedAwsClis();
const hasPodman = (() => {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const BEFORE = BEFORE_EACH_STEP;

/** Every way a replayed step can fall short, one line each (empty when the replay held). */
function shortfalls(steps: ReplayStep[]): string[] {
  return steps.flatMap((s) => [
    ...(!(s.step in BEFORE) ? [`${s.step}: a step this test does not know (it said ${s.before} ${s.beforeDiagnosis ?? ''} before): add it to BEFORE_EACH_STEP in test/helpers/learner.ts`] : []),
    ...(s.step in BEFORE && (s.before !== 'fail' || s.beforeDiagnosis !== BEFORE[s.step]) ? [`${s.step}: before the step ${s.before} ${s.beforeDiagnosis ?? ''}, expected fail ${BEFORE[s.step]}`] : []),
    ...s.commands.filter((c) => c.code !== 0).map((c) => `${s.step}: $ ${c.command} exited ${c.code}\n${c.output}`),
    ...(s.after !== 'pass' ? [`${s.step}: after the step ${s.after}: ${s.afterSummary}`] : []),
  ]);
}

describe('the course, replayed end to end', () => {
  it('finds the aws CLIs the README promises: at least one, and in CI both v1 and v2', () => {
    expect(clis.length).toBeGreaterThan(0);
    if (process.env.CI) expect(clis.map((c) => c.major).sort()).toEqual([1, 2]);
  });

  for (const cli of clis) {
    it(`with docker and ${cli.version.split(' ')[0]}: every step fails first with its diagnosis, its commands exit 0, then it passes`, { timeout: 300_000 }, async () => {
      const steps = await replayCourse({ awsCli: cli.path, readsEndpointEnv: cli.readsEndpointEnv, repo: `e2e-v${cli.major}-${process.pid}`, client: 'docker' });
      expect(steps.map((s) => s.step)).toEqual(Object.keys(BEFORE));
      expect(steps.every((s) => s.commands.length > 0 || s.step === 'knowledge-check')).toBe(true);
      expect(shortfalls(steps), shortfalls(steps).join('\n')).toEqual([]);
      expect(steps.every((s) => s.ok)).toBe(true);
    });
  }

  // CI installs Debian's podman; elsewhere the replay needs it too, and says so when skipped.
  it.runIf(hasPodman || process.env.CI)('with podman (lessons rendered for it) and the aws CLI: every lesson, each check on real state', { timeout: 300_000 }, async () => {
    const cli = clis[0]!;
    const steps = await replayCourse({ awsCli: cli.path, readsEndpointEnv: cli.readsEndpointEnv, repo: `e2e-podman-${process.pid}`, client: 'podman' });
    expect(steps.map((s) => s.step)).toEqual(Object.keys(BEFORE));
    const commands = steps.flatMap((s) => s.commands.map((c) => c.command));
    expect(commands.filter((c) => /(^|[|&;]\s*|\bdo\s+)docker /.test(c))).toEqual([]);
    expect(commands.some((c) => /podman login --tls-verify=false --username AWS/.test(c))).toBe(true);
    expect(commands.some((c) => /podman push --tls-verify=false /.test(c))).toBe(true);
    expect(shortfalls(steps), shortfalls(steps).join('\n')).toEqual([]);
  });
});
