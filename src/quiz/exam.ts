/**
 * A mock interview: a countdown on an injectable clock, and the report at the end, scored per
 * topic, naming weak topics and the lesson sections to re-read. Pure apart from the clock.
 */
import type { Lesson } from '../course/load.js';
import type { Graded } from './grade.js';
import { expectedAnswer } from './grade.js';
import type { Question, Topic } from './types.js';

/** A topic scored below this share of right answers is weak. */
export const WEAK_BELOW = 0.7;

/** Questions and minutes of `quiz --exam` without numbers. */
export const EXAM_DEFAULTS = { questions: 20, minutesPerQuestion: 1 } as const;

/** Time left in an exam, on a clock that tests can move. */
export class Countdown {
  readonly deadline: number;

  constructor(
    readonly ms: number,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + ms;
  }

  /** Milliseconds left, never below 0. */
  remaining(): number {
    return Math.max(0, this.deadline - this.now());
  }

  expired(): boolean {
    return this.remaining() === 0;
  }

  /** Time used so far, in milliseconds. */
  elapsed(): number {
    return Math.min(this.ms, this.ms - (this.deadline - this.now()));
  }

  /** `12:05` (minutes:seconds left, rounded up so 0:00 means the end). */
  label(): string {
    const seconds = Math.ceil(this.remaining() / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  }
}

/** One question of the exam and what became of it; `graded` is absent when it was never answered. */
export interface ExamItem {
  question: Question;
  graded?: Graded;
}

export interface TopicScore {
  id: string;
  title: string;
  correct: number;
  total: number;
  score: number;
  weak: boolean;
}

export interface Reread {
  lesson: string;
  number: number;
  title: string;
  section: string;
}

export interface ExamReport {
  questions: number;
  answered: number;
  correct: number;
  score: number;
  minutes: number;
  elapsedSeconds: number;
  timedOut: boolean;
  topics: TopicScore[];
  /** Ids of the weak topics, weakest first. */
  weakTopics: string[];
  /** The lesson sections that teach what was missed, in course order. */
  reread: Reread[];
  answers: { id: string; topic: string; kind: Question['kind']; question: string; answered: boolean; correct: boolean; given: string | null; expected: string }[];
}

/** Scores an exam: unanswered questions count as wrong. */
export function examReport(
  items: readonly ExamItem[],
  context: { topics: readonly Pick<Topic, 'id' | 'title'>[]; lessons: readonly Pick<Lesson, 'id' | 'number' | 'title'>[]; minutes: number; elapsedMs: number; timedOut: boolean },
): ExamReport {
  const right = (item: ExamItem) => item.graded?.correct === true;
  const topicIds = [...new Set(items.map((i) => i.question.topic))];
  const topics = topicIds
    .map((id): TopicScore => {
      const mine = items.filter((i) => i.question.topic === id);
      const correct = mine.filter(right).length;
      const score = correct / mine.length;
      return { id, title: context.topics.find((t) => t.id === id)?.title ?? id, correct, total: mine.length, score, weak: score < WEAK_BELOW };
    })
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id));
  const seen = new Set<string>();
  const reread: Reread[] = [];
  for (const item of items) {
    if (right(item)) continue;
    const { lesson, section } = item.question.source;
    const key = `${lesson}\n${section}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const l = context.lessons.find((x) => x.id === lesson);
    reread.push({ lesson, number: l?.number ?? 0, title: l?.title ?? lesson, section });
  }
  reread.sort((a, b) => a.number - b.number || a.section.localeCompare(b.section));
  const correct = items.filter(right).length;
  return {
    questions: items.length,
    answered: items.filter((i) => i.graded).length,
    correct,
    score: items.length ? correct / items.length : 0,
    minutes: context.minutes,
    elapsedSeconds: Math.round(context.elapsedMs / 1000),
    timedOut: context.timedOut,
    topics,
    weakTopics: topics.filter((t) => t.weak).map((t) => t.id),
    reread,
    answers: items.map((i) => ({
      id: i.question.id,
      topic: i.question.topic,
      kind: i.question.kind,
      question: i.question.question,
      answered: !!i.graded,
      correct: right(i),
      given: i.graded ? i.graded.given : null,
      expected: expectedAnswer(i.question),
    })),
  };
}
