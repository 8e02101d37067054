/**
 * Interview practice sessions: a spaced-review session (due questions first, then new ones),
 * a timed mock interview, and the menu entry that offers both. Every practice answer is saved
 * as it is given; a mock interview's answers are saved when it ends.
 */
import type { Course } from '../course/load.js';
import type { ProgressStore } from '../progress/store.js';
import { askFeeling, askQuestion, Cancelled, say, showVerdict, TimeUp, type QuizTerminal } from './ask.js';
import { Countdown, EXAM_DEFAULTS, examReport, type ExamItem, type ExamReport } from './exam.js';
import { gradeAnswer } from './grade.js';
import { orderTopics, planExam, planSession, practiceSummary } from './practice.js';
import { seededRandom } from './random.js';
import { gradeFor, review } from './scheduler.js';
import type { Bank, Topic } from './types.js';
import * as messages from './messages.js';

/** What a session needs: the bank, the course (for lesson titles) and the learner's progress. */
export interface PracticeContext {
  bank: Bank;
  course: Pick<Course, 'lessons'>;
  store: ProgressStore;
  /** The clock, for tests. */
  now?: () => Date;
}

/** Questions in a practice session unless `--limit` says otherwise. */
export const DEFAULT_SESSION_LENGTH = 15;

/** The bank's topics in course order, or the one asked for; throws with the known ids when unknown. */
export function topicsFor(ctx: Pick<PracticeContext, 'bank' | 'course'>, topic?: string): Topic[] {
  const ordered = orderTopics(ctx.bank, (id) => ctx.course.lessons.find((l) => l.id === id)?.number);
  if (topic === undefined) return ordered;
  const found = ordered.filter((t) => t.id === topic);
  if (!found.length) throw new Error(messages.unknownTopic(topic, ordered.map((t) => t.id)));
  return found;
}

export interface SessionResult {
  asked: number;
  answered: number;
  correct: number;
  /** Cards due after the session, and when the next one falls due. */
  dueNow: number;
  nextDue?: string;
  stopped: boolean;
}

/** A spaced-review session: due questions first (most overdue first), then new ones. */
export async function practise(ctx: PracticeContext, t: QuizTerminal, options: { topic?: string; reviewOnly?: boolean; limit?: number; seed?: number } = {}): Promise<SessionResult> {
  const now = ctx.now ?? (() => new Date());
  const topics = topicsFor(ctx, options.topic);
  const plan = planSession(topics, ctx.store.progress.review, { now: now(), limit: options.limit ?? DEFAULT_SESSION_LENGTH, reviewOnly: options.reviewOnly });
  const questions = [...plan.due, ...plan.fresh];
  const random = seededRandom(options.seed ?? Date.now());
  const result: SessionResult = { asked: questions.length, answered: 0, correct: 0, dueNow: 0, stopped: false };
  if (!questions.length) {
    const summary = practiceSummary(topics, ctx.store.progress.review, now());
    say(t, options.reviewOnly || summary.seen === summary.questions ? messages.nothingDue(summary.nextDue, now()) : messages.nothingToAsk);
    return { ...result, nextDue: summary.nextDue };
  }
  say(t, t.p.bold(messages.sessionIntro(plan.due.length, plan.fresh.length)));
  try {
    for (const [i, q] of questions.entries()) {
      const title = topics.find((x) => x.id === q.topic)?.title ?? q.topic;
      const graded = gradeAnswer(q, await askQuestion(t, q, messages.questionHeader(i + 1, questions.length, title, plan.due.includes(q)), random));
      result.answered++;
      if (graded.correct) result.correct++;
      showVerdict(t, q, graded, ctx.course.lessons);
      const grade = gradeFor(graded.correct, graded.correct ? await askFeeling(t) : undefined);
      const saved = await ctx.store.reviewQuestion(q.id, (prior) => review(prior, grade, now()));
      say(t, t.p.dim(`  ${messages.nextReview(saved.review![q.id]!.due, now())}`));
    }
  } catch (error) {
    if (!(error instanceof Cancelled)) throw error;
    result.stopped = true;
  }
  const after = practiceSummary(topics, ctx.store.progress.review, now());
  Object.assign(result, { dueNow: after.due, ...(after.nextDue ? { nextDue: after.nextDue } : {}) });
  say(t);
  say(t, messages.sessionDone(result, now()));
  return result;
}

/** A timed mock interview: no feedback until the end; then the report. Ctrl-C abandons it (throws Cancelled). */
export async function mockInterview(
  ctx: PracticeContext,
  t: QuizTerminal,
  options: { count?: number; minutes?: number; topic?: string; seed?: number; clock?: () => number } = {},
): Promise<ExamReport> {
  const now = ctx.now ?? (() => new Date());
  const topics = topicsFor(ctx, options.topic);
  const questions = planExam(topics, options.count ?? EXAM_DEFAULTS.questions, seededRandom(options.seed ?? Date.now()));
  const minutes = options.minutes ?? questions.length * EXAM_DEFAULTS.minutesPerQuestion;
  const random = seededRandom((options.seed ?? Date.now()) + 1);
  say(t, t.p.bold(messages.examIntro(questions.length, minutes)));
  const countdown = new Countdown(minutes * 60_000, options.clock);
  const items: ExamItem[] = questions.map((question) => ({ question }));
  let timedOut = false;
  for (const [i, item] of items.entries()) {
    try {
      const title = topics.find((x) => x.id === item.question.topic)?.title ?? item.question.topic;
      item.graded = gradeAnswer(item.question, await askQuestion(t, item.question, messages.examHeader(i + 1, items.length, title), random, countdown));
    } catch (error) {
      if (!(error instanceof TimeUp)) throw error;
      timedOut = true;
      say(t, t.p.red(messages.timeUp(items.length - i)));
      break;
    }
  }
  const report = examReport(items, { topics, lessons: ctx.course.lessons, minutes, elapsedMs: countdown.elapsed(), timedOut });
  // Answers feed the review schedule (right = Good, wrong = Again); a question time cut off was never seen, so its card is left alone.
  for (const item of items) {
    if (item.graded) await ctx.store.reviewQuestion(item.question.id, (prior) => review(prior, gradeFor(item.graded!.correct), now()));
  }
  return report;
}

/** The report as the learner reads it. */
export function formatExamReport(report: ExamReport, t: Pick<QuizTerminal, 'p'>): string {
  const { p } = t;
  const pct = (n: number) => `${Math.round(n * 100)}%`;
  const lines = [
    '',
    p.bold(messages.examScore(report)),
    `  ${'topic'.padEnd(40)} ${'right'.padStart(6)} ${'score'.padStart(6)}`,
    ...report.topics.map((s) => `${s.weak ? p.red('✖') : p.green('✔')} ${s.title.padEnd(40)} ${`${s.correct}/${s.total}`.padStart(6)} ${pct(s.score).padStart(6)}${s.weak ? p.red('  weak') : ''}`),
  ];
  if (report.weakTopics.length) lines.push('', messages.weakTopics(report.topics.filter((s) => s.weak).map((s) => s.title)));
  if (report.reread.length) {
    lines.push('', p.bold(messages.rereadHeading));
    for (const r of report.reread) lines.push(`  lesson ${String(r.number).padStart(2, '0')} ${r.title}, “${r.section}”  ${p.dim(`(ecr-workbook lesson ${r.lesson})`)}`);
  }
  const missed = report.answers.filter((a) => !a.correct);
  if (missed.length) {
    lines.push('', p.bold(messages.missedHeading));
    for (const a of missed) lines.push(`  ${p.red('✖')} ${a.question}`, `    ${a.answered ? '' : `${messages.unanswered} `}${messages.theAnswer} ${a.expected}`);
  }
  lines.push('', messages.examNext(report.weakTopics[0]));
  return lines.join('\n');
}

/** The menu's "Interview practice": practise, review what is due, one topic, or a mock interview. */
export async function practiceMenu(ctx: PracticeContext, t: QuizTerminal, ask: <T>(question: Record<string, unknown>) => Promise<T>): Promise<void> {
  const now = ctx.now ?? (() => new Date());
  const topics = topicsFor(ctx);
  for (;;) {
    const summary = practiceSummary(topics, ctx.store.progress.review, now());
    const choice = await ask<string>({
      type: 'select',
      message: messages.menuTitle(summary),
      choices: [
        { name: 'practise', message: messages.menuPractise(summary.due) },
        { name: 'review', message: messages.menuReview(summary.due) },
        { name: 'topic', message: messages.menuTopic },
        { name: 'exam', message: messages.menuExam(EXAM_DEFAULTS.questions, EXAM_DEFAULTS.questions * EXAM_DEFAULTS.minutesPerQuestion) },
        { name: 'back', message: messages.menuBack },
      ],
    });
    if (choice === 'back') return;
    if (choice === 'practise') await practise(ctx, t);
    if (choice === 'review') await practise(ctx, t, { reviewOnly: true });
    if (choice === 'topic') {
      const rows = practiceSummary(topics, ctx.store.progress.review, now()).topics;
      const topic = await ask<string>({ type: 'select', message: messages.whichTopic, choices: rows.map((r) => ({ name: r.id, message: messages.topicChoice(r) })) });
      await practise(ctx, t, { topic });
    }
    if (choice === 'exam') {
      try {
        say(t, formatExamReport(await mockInterview(ctx, t), t));
      } catch (error) {
        if (!(error instanceof Cancelled)) throw error;
        say(t, t.p.yellow(messages.examAbandoned));
      }
    }
  }
}
