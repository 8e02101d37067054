/**
 * The question bank, as data: `lessons/questions/<topic>.yaml`, one topic per file. A question
 * is one of five kinds; every one names the seed concepts it tests, the lesson section that
 * teaches its answer (with a phrase that must appear there) and an explanation. Validated when
 * the bank loads, in the course's wording (`questions[3].answer: must be an index into choices`).
 */
import { z } from 'zod';
import { kebab, parseChosen, text, wholeNumber } from '../course/schema.js';
import { CONCEPT_IDS } from './concepts.js';

export const QUESTION_KINDS = ['single', 'multiple', 'error', 'order', 'command'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/** Where a lesson teaches the answer. */
const SourceSchema = z.strictObject({
  /** A lesson id (`authenticate-docker`). */
  lesson: kebab(),
  /** A heading of that lesson (any level), or the lesson's title for the text before its first heading. */
  section: text(),
  /** Words that appear in that section on both targets (case, `**` and backquotes aside). */
  phrase: text(),
});

const conceptId = () => z.string().refine((id) => CONCEPT_IDS.includes(id), { error: `must be a seed concept (${CONCEPT_IDS.join(', ')})` });

const common = {
  /** Unique across the bank; review state is keyed by it, so never rename a published one. */
  id: kebab(),
  /** The stem: what the interviewer asks. */
  question: text(),
  concepts: z.array(conceptId()).min(1, { error: 'must have at least 1' }),
  source: SourceSchema,
  /** Shown after every answer, right or wrong: the teaching happens here. */
  explanation: text(),
};

const choices = (min: number) =>
  z
    .array(text())
    .min(min, { error: `must have at least ${min}` })
    .refine((list) => new Set(list).size === list.length, { error: 'must not repeat a choice' });

const indexInto = (list: readonly unknown[], at: (string | number)[], ctx: z.RefinementCtx, index: number) => {
  if (index >= list.length) ctx.addIssue({ code: 'custom', path: at, message: `must be an index into choices (0 to ${list.length - 1})` });
};

const SingleSchema = z
  .strictObject({ ...common, kind: z.literal('single'), choices: choices(2), answer: wholeNumber(0) })
  .superRefine((q, ctx) => indexInto(q.choices, ['answer'], ctx, q.answer));

const MultipleSchema = z
  .strictObject({
    ...common,
    kind: z.literal('multiple'),
    choices: choices(3),
    /** Every right choice; the learner must pick exactly these. */
    answers: z.array(wholeNumber(0)).min(1, { error: 'must have at least 1' }),
  })
  .superRefine((q, ctx) => {
    q.answers.forEach((a, i) => indexInto(q.choices, ['answers', i], ctx, a));
    if (new Set(q.answers).size !== q.answers.length) ctx.addIssue({ code: 'custom', path: ['answers'], message: 'must not repeat an index' });
  });

const ErrorSchema = z
  .strictObject({
    ...common,
    kind: z.literal('error'),
    /** The message as the learner sees it; it must be one of src/quiz/real-errors.ts. */
    error: text(),
    choices: choices(2),
    answer: wholeNumber(0),
  })
  .superRefine((q, ctx) => indexInto(q.choices, ['answer'], ctx, q.answer));

const OrderSchema = z.strictObject({
  ...common,
  kind: z.literal('order'),
  /** In the right order; the learner sees them shuffled. */
  steps: choices(3),
});

const scalar = () => z.union([z.string(), z.boolean(), z.number()]).transform(String);
const ValueRuleSchema = z.union([
  z.literal(true),
  text(),
  z.strictObject({ oneOf: z.array(text()).min(2, { error: 'must have at least 2' }) }),
  z.strictObject({ host: text() }),
  z.strictObject({ shorthand: z.record(z.string(), scalar()) }),
]);
const ArgRuleSchema = z.union([
  text(),
  z.strictObject({ oneOf: z.array(text()).min(2, { error: 'must have at least 2' }) }),
  z.strictObject({ host: text() }),
  z.strictObject({ shorthand: z.record(z.string(), scalar()) }),
]);
const CommandRuleSchema = z.strictObject({
  run: text(),
  options: z.record(z.string().regex(/^--?[a-z0-9-]+$/, { error: 'must be an option name such as --region' }), ValueRuleSchema).optional(),
  allow: z.array(z.string().regex(/^--?[a-z0-9-]+$/, { error: 'must be an option name such as --profile' })).optional(),
  args: z.array(ArgRuleSchema).optional(),
});

const CommandSchema = z.strictObject({
  ...common,
  kind: z.literal('command'),
  /** What must hold of the learner's line (src/quiz/command-answer.ts). */
  expect: z.strictObject({
    commands: z.array(CommandRuleSchema).min(1, { error: 'must have at least 1' }),
    region: text().optional(),
    profile: text().optional(),
  }),
  /** A reference answer, shown after the learner's; the lint proves it passes `expect`. */
  answer: text(),
  /** Answers that look right and are not; the lint proves each fails `expect`. */
  counterexamples: z.array(text()).optional(),
});

const BY_KIND = { single: SingleSchema, multiple: MultipleSchema, error: ErrorSchema, order: OrderSchema, command: CommandSchema } as const;

/**
 * A question of any kind, chosen by `kind` by hand instead of z.discriminatedUnion, so a mistake
 * gets its own path and message rather than "no union member matched".
 */
export const QuestionSchema = z.unknown().transform((value, ctx): z.infer<(typeof BY_KIND)[QuestionKind]> => {
  const kind = value && typeof value === 'object' ? (value as { kind?: unknown }).kind : undefined;
  const schema = typeof kind === 'string' && kind in BY_KIND ? BY_KIND[kind as QuestionKind] : undefined;
  if (!schema) {
    const message = kind === undefined ? 'is required' : `must be one of: ${QUESTION_KINDS.join(', ')}`;
    ctx.addIssue({ code: 'custom', path: ['kind'], message, input: value });
    return z.NEVER;
  }
  return parseChosen<z.infer<(typeof BY_KIND)[QuestionKind]>>(schema, value, ctx);
});

/** One topic file. */
export const TopicFileSchema = z.strictObject({
  /** What the learner sees in `status` and the menu. */
  title: text(),
  questions: z.array(QuestionSchema).min(1, { error: 'must have at least 1' }),
});

export type SingleQuestion = z.infer<typeof SingleSchema>;
export type MultipleQuestion = z.infer<typeof MultipleSchema>;
export type ErrorQuestion = z.infer<typeof ErrorSchema>;
export type OrderQuestion = z.infer<typeof OrderSchema>;
export type CommandQuestion = z.infer<typeof CommandSchema>;
export type QuestionData = SingleQuestion | MultipleQuestion | ErrorQuestion | OrderQuestion | CommandQuestion;
export type QuestionSource = z.infer<typeof SourceSchema>;
