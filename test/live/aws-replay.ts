import { runShell } from '../../src/util/shell.js';
import { assetsOfThisRun, replaySteps, type ReplayStep } from '../../src/runner/course-check.js';
import { renderCommand, type RenderContext } from '../../src/course/render.js';
import { solutionFor } from '../../src/course/target.js';
import { templateVars, type Session } from '../../src/runner/session.js';
import type { CourseStep } from '../../src/course/load.js';
import type { ResolvedTarget } from '../../src/targets/index.js';

// The course replayed on the aws target, as `course check` replays it on the sandbox: check
// (must fail), run the step's reference solution for AWS, check (must pass). The live suite runs
// it on real AWS; test/aws runs the same code against a sandbox through the endpoint override.

export interface AwsReplayOptions {
  session: Session;
  resolved: ResolvedTarget;
  /** The learner's environment for the commands and docker (HOME, DOCKER_CONFIG, PATH, AWS_*). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Adds --endpoint-url to every aws ecr/sts command (a sandbox standing in for AWS). */
  endpointUrl?: string;
  /** Build with the offline Dockerfile (no Docker Hub on this machine). */
  offlineBuild?: boolean;
  /** Re-check a step this long while AWS records it (lastRecordedPullTime can lag on AWS). */
  settleMs?: number;
  /** Steps not to replay (lesson 11's, without a second account), as a learner skips them. */
  skip?: (step: CourseStep) => boolean;
  onStep?: (result: ReplayStep) => void | Promise<void>;
}

/** Lesson 11's steps that need a second account (its profile `partner`); its last step does not. */
export const PARTNER_STEPS = ['partner-profile', 'share-repository', 'partner-ci-user', 'partner-pull', 'delete-partner-user'];

/** `aws configure --profile x` asks questions: the live suite's profile already works. */
const INTERACTIVE = /^aws configure --profile \S+$/;

/**
 * Steps whose AWS solution needs what this machine or a sandbox standing in for AWS cannot give:
 * an image FROM Docker Hub (offline builds), or EC2 (the default VPC's subnet, which the sandbox
 * does not have: its ECS accepts any subnet id). Those replay their sandbox solution.
 */
function needsSandboxSolution(step: Parameters<typeof solutionFor>[0] & { check: string }, options: AwsReplayOptions): boolean {
  const aws = solutionFor(step, 'aws');
  if (options.offlineBuild && (step.check === 'image-built' || aws.some((c) => /docker build(?![^\n]*\s-f\s)/.test(c) || /\/demo-app\/Dockerfile(\s|$)/.test(c)))) return true;
  return options.endpointUrl !== undefined && aws.some((c) => /\baws ec2 /.test(c));
}

/** Runs one shell line without blocking this process (a sandbox may be serving from it). */
export const sh = runShell;

/** Replays every step; the caller cleans up (the last lesson deletes the repository itself). */
export async function replayAwsCourse(options: AwsReplayOptions): Promise<ReplayStep[]> {
  const { session, resolved, env, cwd } = options;
  const vars = { ...templateVars(session, resolved), assets: assetsOfThisRun(session.course.assetsDir, cwd) };
  const ctx: RenderContext = { target: 'aws', vars, ...(options.endpointUrl ? { endpointUrl: options.endpointUrl } : {}) };
  // A build left over from an earlier run would make the build step pass before it runs.
  await sh(`docker rmi -f ${ctx.vars.image} ${ctx.vars.repositoryUri}:${ctx.vars.tag} >/dev/null 2>&1 || true`, env, cwd);
  return replaySteps(session, resolved, env, cwd, {
    commandsFor: (step) => {
      const target = needsSandboxSolution(step, options) ? 'sandbox' : 'aws';
      return solutionFor(step, target)
        .filter((template) => !INTERACTIVE.test(template.replace(/\{\{profile\}\}/, 'p')))
        .map((template) => renderCommand(template, ctx));
    },
    // The learner's credentials are this suite's precondition, so lesson 02 may pass before; so
    // are the second account's, set up the way lesson 11's first step asks (`aws configure`).
    mayPassBefore: (step) => step.check === 'caller-identity' || step.id === 'partner-profile',
    settleMs: options.settleMs,
    ...(options.skip ? { skip: options.skip } : {}),
    onStep: options.onStep,
  });
}

/** One line per step that did not go from fail to pass, with its commands' output. */
export function failures(steps: ReplayStep[]): string[] {
  return steps
    .filter((s) => !s.ok)
    .map((s) => `${s.step}: ${s.before} → ${s.after} | ${s.afterSummary}\n${s.commands.map((c) => `$ ${c.command} → ${c.code}\n${c.output}`).join('\n')}`);
}
