import { describe, expect, it } from 'vitest';
import { replayCourse } from '../../src/runner/course-check.js';
import { installedAwsClis } from '../helpers/sandbox.js';

// The whole course replayed with the real docker and aws CLIs against a fresh sandbox, once per
// aws CLI on the machine: every check fails before its step and passes after the reference
// solution. Replays run one after another (they share the docker daemon's image store).
const clis = installedAwsClis();

describe('the course, replayed end to end', () => {
  it('finds at least one aws CLI to replay with', () => {
    expect(clis.length).toBeGreaterThan(0);
  });

  for (const cli of clis) {
    it(`every step goes from fail to pass with ${cli.version.split(' ')[0]}`, { timeout: 300_000 }, async () => {
      const steps = await replayCourse({ awsCli: cli.path, readsEndpointEnv: cli.readsEndpointEnv, repo: `e2e-v${cli.major}-app` });
      const report = steps.map((s) => `${s.step}: ${s.before} → ${s.after}${s.ok ? '' : ` | ${s.afterSummary} | ${s.commands.map((c) => `$ ${c.command} → ${c.code}\n${c.output}`).join('\n')}`}`);
      expect(steps.map((s) => s.step)).toEqual([
        'knowledge-check',
        'caller-identity',
        'create-repository',
        'docker-login',
        'build-image',
        'tag-image',
        'push-image',
        'verify-image',
        'delete-repository',
        'push-versions',
        'preview-policy',
        'apply-policy',
        'promote-prod',
        'clean-up-promotion',
        'push-runnable-image',
        'task-execution-role',
        'register-task-definition',
        'run-task',
        'stop-task',
        'pipeline-role',
        'pipeline-push',
        'github-actions-quiz',
        'clean-up-everything',
      ]);
      expect(report.filter((line) => line.includes(' | ')), report.join('\n')).toEqual([]);
    });
  }
});
