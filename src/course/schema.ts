/**
 * The lesson front matter, as data: what a lesson file may say and what each check accepts.
 * Lessons are validated against these schemas when the course loads (and in the lint test),
 * so a typo in a lesson fails loudly in CI instead of confusing a learner.
 */
import { z } from 'zod';

/** Lesson ids, step ids and check ids: lowercase words joined by single dashes. */
export const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** An id: kebab-case, with the message lesson authors read. */
export const kebab = () => z.string().regex(KEBAB_CASE, { error: 'must be kebab-case (lowercase letters and digits joined by dashes)' });
/** Text that must say something. */
export const text = () => z.string().trim().min(1, { error: 'must not be empty' });
const noParams = () => z.strictObject({});
/** A whole number of at least `min`. */
export const wholeNumber = (min: number) =>
  z
    .int({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a whole number') })
    .min(min, { error: `must be at least ${min}` });

/** What lesson 12 asks a lifecycle policy to do. */
const lifecycleIntent = () =>
  z.strictObject({ versionPattern: text(), keepVersions: wholeNumber(1), untaggedDays: wholeNumber(1), protect: text() });

/**
 * Every check a lesson may name, with the parameters it accepts. The check itself lives in
 * `checks/<id>.ts`. Keep params to what the lesson asked the learner to choose: everything the
 * target knows (region, registry, repository name, tag) reaches a check through its context.
 * String params are templates, rendered with the same placeholders as the lesson text.
 */
export const CHECK_PARAMS = {
  /** The lesson's quiz was answered; `minCorrect` (default: every question) answers were right. */
  'knowledge-check': z.strictObject({
    minCorrect: wholeNumber(1).optional(),
  }),
  /** STS GetCallerIdentity succeeds with the learner's profile and region. */
  'caller-identity': noParams(),
  /** The repository exists with exactly these settings. */
  'repository-configured': z.strictObject({
    scanOnPush: z.boolean(),
    imageTagMutability: z.enum(['MUTABLE', 'IMMUTABLE']),
  }),
  /** docker holds a credential for the registry, user AWS, and the registry accepts it now. */
  'docker-logged-in': noParams(),
  /** A local image with this reference exists (usually `{{image}}`, i.e. `demo-app:v1`). */
  'image-built': z.strictObject({ image: text() }),
  /** `{{repositoryUri}}:{{tag}}` exists locally and is the same image as `{{image}}`. */
  'image-tagged': noParams(),
  /** The repository holds `{{tag}}` with the same digest as the local image. */
  'image-pushed': noParams(),
  /** The learner looked up the pushed image's digest, size and push time. */
  'image-verified': noParams(),
  /** Nothing the course created is left: no repository `{{repo}}`, so no images either. */
  'repository-deleted': noParams(),
  /** The repository holds versions v1 to v`versions` and at least `untagged` untagged images. */
  'lifecycle-images': z.strictObject({ versions: wholeNumber(1), untagged: wholeNumber(1) }),
  /** The previewed policy keeps the `keepVersions` newest `versionPattern` images and `protect`, and expires untagged images after `untaggedDays`. */
  'lifecycle-preview': lifecycleIntent(),
  /** The saved policy does the same; on the sandbox, the images it expires are gone. */
  'lifecycle-applied': lifecycleIntent(),
  /** `to` names the image `from` names, put there with the API (the sandbox records how). */
  'image-promoted': z.strictObject({ from: text(), to: text() }),
  /**
   * IAM's policy simulator says the user may log in and pull the repository, and not push. With
   * `accountProfile`, the user lives in the account that profile signs in to; with `profile`, that
   * profile must also hold the user's key.
   */
  'iam-user-pull-only': z.strictObject({ user: text(), accountProfile: text().optional(), profile: text().optional() }),
  /** STS GetCallerIdentity with the profile: it is the IAM user `user` and/or signs in to `account`. */
  'profile-identity': z.strictObject({ profile: text(), user: text().optional(), account: text().optional() }),
  /** docker's login for the registry is the user's, it can pull, and (`pushRefused`) a push with it was refused. */
  'docker-login-identity': z.strictObject({ user: text(), profile: text(), account: text().optional(), pushRefused: z.boolean().optional() }),
  /** The repository policy lets `account` (simulated as its user `user`) pull, and not push. */
  'repository-shared': z.strictObject({ account: text(), user: text(), accountProfile: text().optional() }),
  /** The IAM user is deleted (in the account `accountProfile` signs in to, when given). */
  'iam-user-deleted': z.strictObject({ user: text(), accountProfile: text().optional() }),
  /** The role exists, ecs-tasks.amazonaws.com may assume it, and it may pull from the repository. */
  'task-execution-role': z.strictObject({ roleName: text() }),
  /** The family's latest revision: Fargate, the pushed image by its repository URI, the port mapped, an execution role that works. */
  'task-definition-registered': z.strictObject({ family: text(), roleName: text(), containerPort: wholeNumber(1) }),
  /** A task of the family runs in the cluster with the pushed digest, and answers HTTP where its port is bound. */
  'task-serving': z.strictObject({ family: text(), cluster: text(), containerPort: wholeNumber(1) }),
  /** No task of the family runs in the cluster. */
  'tasks-stopped': z.strictObject({ family: text(), cluster: text() }),
  /** The pipeline's role: codebuild.amazonaws.com may assume it, it may push to the repository and nowhere else. */
  'pipeline-role': z.strictObject({ roleName: text() }),
  /** The last `ci run` ran as the role and pushed an image tagged with the commit it built. */
  'pipeline-pushed': z.strictObject({ roleName: text() }),
  /** Nothing lessons 14-15 made is left: tasks, task definitions, the cluster, the roles, the repository. */
  'course-cleaned-up': z.strictObject({ family: text(), cluster: text(), roles: z.array(text()).min(1, { error: 'must have at least 1' }) }),
} as const;

export type CheckId = keyof typeof CHECK_PARAMS;

/** Whether `id` names a check the course knows. */
export function isCheckId(id: string): id is CheckId {
  return Object.prototype.hasOwnProperty.call(CHECK_PARAMS, id);
}

export { TARGETS, type Target } from './target.js';
import type { Target } from './target.js';

const commands = () => z.array(text()).min(1, { error: 'must have at least 1' });

/** A reference solution differs by target only where it must (credentials, offline builds). */
const TargetSolution = z.strictObject({ sandbox: commands(), aws: commands() });

/**
 * `solution` is either one list of commands for both targets or `{sandbox: [...], aws: [...]}`.
 * A hand-written choice instead of z.union, so a mistake inside a list gets its own precise
 * path and message rather than zod's "no union member matched".
 */
const Solution = z.unknown().transform((value, ctx): string[] | z.infer<typeof TargetSolution> => {
  const schema = Array.isArray(value) ? z.array(text()) : value !== null && typeof value === 'object' ? TargetSolution : undefined;
  if (!schema) {
    const message = value === undefined ? 'is required' : 'must be a list of commands, or {sandbox: [...], aws: [...]}';
    ctx.addIssue({ code: 'custom', message, input: value });
    return z.NEVER;
  }
  return parseChosen<string[] | z.infer<typeof TargetSolution>>(schema, value, ctx);
});

/**
 * Parses `value` with a schema chosen by hand (instead of z.union), passing its issues up with
 * their own paths and the course's wording.
 */
export function parseChosen<T>(schema: z.ZodType<T>, value: unknown, ctx: z.RefinementCtx): T {
  const parsed = schema.safeParse(value, { error: courseErrorMap });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: value });
  return z.NEVER;
}

export const StepSchema = z
  .strictObject({
    /** Unique across the whole course; progress is keyed by it. */
    id: kebab(),
    title: text(),
    /** Names `checks/<check>.ts`. */
    check: kebab(),
    params: z.record(z.string(), z.unknown()).optional(),
    /** Gentle first, specific last: the runner reveals them one at a time. */
    hints: z.array(text()).min(2, { error: 'must have at least 2' }),
    /** Shell commands, templated. Empty only for a knowledge check, whose answers are in `quiz`. */
    solution: Solution,
  })
  .superRefine((step, ctx) => {
    if (!isCheckId(step.check)) {
      ctx.addIssue({ code: 'custom', path: ['check'], message: `unknown check '${step.check}' (known: ${Object.keys(CHECK_PARAMS).join(', ')})` });
      return;
    }
    const parsed = CHECK_PARAMS[step.check].safeParse(step.params ?? {}, { error: courseErrorMap });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', path: ['params', ...issue.path], message: issue.message });
      }
    }
    const empty = Array.isArray(step.solution) && step.solution.length === 0;
    if (empty && step.check !== 'knowledge-check') {
      ctx.addIssue({ code: 'custom', path: ['solution'], message: 'must have at least 1' });
    }
  });

export const QuizQuestionSchema = z
  .strictObject({
    question: text(),
    choices: z.array(text()).min(2, { error: 'must have at least 2' }),
    /** Index into `choices` (0-based). */
    answer: wholeNumber(0),
    /** Shown after the learner answers, right or wrong: the teaching happens here. */
    explanation: text(),
  })
  .superRefine((q, ctx) => {
    if (q.answer >= q.choices.length) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: `must be an index into choices (0 to ${q.choices.length - 1})` });
    }
  });

export const LessonFrontMatterSchema = z
  .strictObject({
    /** Must equal the file name's slug: `03-create-repository.md` → `create-repository`. */
    id: kebab(),
    title: text(),
    minutes: wholeNumber(1),
    objectives: z.array(text()).min(1, { error: 'must have at least 1' }),
    steps: z.array(StepSchema).min(1, { error: 'must have at least 1' }),
    quiz: z.array(QuizQuestionSchema).min(1, { error: 'must have at least 1' }).optional(),
  })
  .superRefine((lesson, ctx) => {
    lesson.steps.forEach((step, i) => {
      if (step.check !== 'knowledge-check') return;
      if (!lesson.quiz) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'check'], message: 'knowledge-check needs a quiz in the same lesson' });
        return;
      }
      const min = (step.params as { minCorrect?: number } | undefined)?.minCorrect;
      if (min !== undefined && min > lesson.quiz.length) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'params', 'minCorrect'], message: `must be at most ${lesson.quiz.length} (the number of questions)` });
      }
    });
  });

export type Step = z.infer<typeof StepSchema>;
export type Solution = Step['solution'];
export type QuizQuestion = z.infer<typeof QuizQuestionSchema>;
export type LessonFrontMatter = z.infer<typeof LessonFrontMatterSchema>;

export { solutionFor } from './target.js';

/** `steps[0].hints`: a zod issue path the way a lesson author reads it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** A schema's issues as problem lines: `path: message` (the message alone at the top level). */
export function issueLines(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string[] {
  return issues.map((issue) => {
    const where = formatPath(issue.path);
    return where ? `${where}: ${issue.message}` : issue.message;
  });
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** One zod issue as a short phrase for lesson authors ("must have at least 2", "is required"). */
export function describeIssue(issue: z.core.$ZodIssue | z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at least ${String(issue.minimum)}`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array' || issue.origin === 'set') return `must have at most ${String(issue.maximum)}`;
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return `must be one of: ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    default:
      return issue.message ?? 'is not valid';
  }
}

/** A per-parse zod error map that words every issue with describeIssue. */
export function courseErrorMap(issue: z.core.$ZodRawIssue): string {
  return describeIssue(issue);
}
