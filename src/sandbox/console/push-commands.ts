/**
 * "View push commands": the reference solutions of the course's login, build, tag and push
 * steps, rendered by the course library for one repository. The page shows the lessons' own
 * commands, so the two cannot drift apart.
 */
import { findLesson, findStep, type Course } from '../../course/load.js';
import { endpointUrlFor, insertEndpointUrl, PLACEHOLDER_PATTERN, renderSolution, renderTemplate, type RenderContext } from '../../course/render.js';
import { solutionFor } from '../../course/schema.js';
import { buildVars } from '../../course/vars.js';

/** The four steps of the ECR console's push commands, and the course step each one comes from. */
export const PUSH_STEPS = [
  { key: 'login', stepId: 'docker-login' },
  { key: 'build', stepId: 'build-image' },
  { key: 'tag', stepId: 'tag-image' },
  { key: 'push', stepId: 'push-image' },
] as const;

export type PushStepKey = (typeof PUSH_STEPS)[number]['key'];

export interface PushCommandStep {
  key: PushStepKey;
  /** The course step the commands come from. */
  stepId: string;
  lesson: { number: number; title: string };
  commands: string[];
}

export interface PushCommands {
  repositoryName: string;
  repositoryUri: string;
  /** macOS and Linux shells (POSIX quoting), exactly the lessons' rendered solutions. */
  unix: PushCommandStep[];
  /** Windows PowerShell: the same commands with PowerShell's quoting. */
  windows: PushCommandStep[];
}

export interface PushCommandsInput {
  region: string;
  accountId: string;
  /** `localhost:PORT`. */
  registryHost: string;
  /** `http://localhost:PORT`: the ECR endpoint the aws commands need. */
  endpoint: string;
  repositoryName: string;
}

/**
 * The render context the console uses, the same one a lesson uses for a sandbox learner. The
 * page cannot know which aws CLI the learner has, so it takes the course's rule for an unknown
 * version: add `--endpoint-url` (harmless when the CLI would have read AWS_ENDPOINT_URL_ECR).
 */
export function pushCommandsContext(course: Course, input: PushCommandsInput): RenderContext {
  return {
    target: 'sandbox',
    vars: buildVars({
      target: 'sandbox',
      region: input.region,
      account: input.accountId,
      registry: input.registryHost,
      repo: input.repositoryName,
      assets: course.assetsDir,
    }),
    endpointUrl: endpointUrlFor('sandbox', input.endpoint, undefined),
  };
}

/** The push commands for one repository, for both platforms; throws when the course lacks a step. */
export function renderPushCommands(course: Course, input: PushCommandsInput): PushCommands {
  const ctx = pushCommandsContext(course, input);
  const steps = PUSH_STEPS.map(({ key, stepId }) => {
    const step = findStep(course, stepId);
    if (!step) throw new Error(`The course has no step '${stepId}', which the console's push commands show.`);
    const lesson = findLesson(course, step.lessonId);
    return { key, stepId, step, lesson: { number: lesson?.number ?? 0, title: lesson ? renderTemplate(lesson.title, ctx.vars) : step.lessonId } };
  });
  return {
    repositoryName: input.repositoryName,
    repositoryUri: ctx.vars.repositoryUri,
    unix: steps.map(({ key, stepId, step, lesson }) => ({ key, stepId, lesson, commands: renderSolution(step, ctx) })),
    windows: steps.map(({ key, stepId, step, lesson }) => ({
      key,
      stepId,
      lesson,
      commands: solutionFor(step, ctx.target).map((cmd) => renderPowerShellCommand(cmd, ctx)),
    })),
  };
}

/**
 * A lesson command for PowerShell. POSIX quoting of one value inside a word
 * (`'C:\my dir'/demo-app`) splits into two arguments there, so each word holding a placeholder
 * is quoted whole, PowerShell's way; a line-continuing `\` becomes PowerShell's backtick.
 */
export function renderPowerShellCommand(cmd: string, ctx: Pick<RenderContext, 'vars' | 'endpointUrl'>): string {
  const rendered = cmd
    .split(/(\s+)/)
    .map((word, i, parts) => {
      if (i % 2 === 1) return word;
      if (word === '\\' && /\n/.test(parts[i + 1] ?? '\n')) return '`';
      if (!new RegExp(PLACEHOLDER_PATTERN.source).test(word)) return word;
      const value = renderTemplate(word, ctx.vars);
      // A word the author quoted already is left as written.
      return /["']/.test(word) ? value : powerShellQuote(value);
    })
    .join('');
  return ctx.endpointUrl ? insertEndpointUrl(rendered, ctx.endpointUrl) : rendered;
}

/** Quotes a word for PowerShell only when it needs it (single quotes, inner ones doubled). */
export function powerShellQuote(word: string): string {
  if (/^[A-Za-z0-9_.:/\\=+-][A-Za-z0-9_.:/\\=+@%-]*$/.test(word)) return word;
  // PowerShell also ends a single-quoted string at typographic single quotes.
  return `'${word.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}
