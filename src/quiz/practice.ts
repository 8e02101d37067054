/**
 * Interview practice as numbers, from the stored cards alone (no ts-fsrs, no YAML), so `status`
 * stays fast: per topic, how many questions were seen, how many are due, how many are mastered.
 * Also the order topics are shown in, and which questions a session asks.
 */
import type { ReviewCard } from '../progress/store.js';
import type { Bank, Question, Topic } from './types.js';
import type { Random } from './random.js';
import { shuffled } from './random.js';

/**
 * A question is mastered when its card is in FSRS's review state with a stability of at least
 * this many days (Anki calls such cards "mature"): at 90 % retention it will not be due again
 * for about three weeks.
 */
export const MASTERED_STABILITY_DAYS = 21;

/** Whether a seen card is due at `now` (a new card is never "due": it is new). */
export function isDue(card: ReviewCard | undefined, now: Date): boolean {
  return !!card && card.state !== 'new' && Date.parse(card.due) <= now.getTime();
}

/** Whether a card counts as mastered (see MASTERED_STABILITY_DAYS). */
export function isMastered(card: ReviewCard | undefined): boolean {
  return !!card && card.state === 'review' && card.stability >= MASTERED_STABILITY_DAYS;
}

/** One row of `status`: the columns are fields (the drills' one is there when drills are counted). */
export interface TopicPractice {
  id: string;
  title: string;
  questions: number;
  seen: number;
  due: number;
  mastered: number;
  /** mastered / questions, 0 to 1. */
  mastery: number;
  /** The break-fix drills that practise the topic, and how many are solved (when the summary was given the drills). */
  drills?: { solved: number; total: number };
}

/** The columns of the per-topic table in `status`, as data: a new column is one more entry here and one more field on TopicPractice. */
export const PRACTICE_COLUMNS: readonly { head: string; width: number; cell(row: TopicPractice): string }[] = [
  { head: 'seen', width: 7, cell: (r) => `${r.seen}/${r.questions}` },
  { head: 'due', width: 5, cell: (r) => String(r.due) },
  { head: 'mastered', width: 9, cell: (r) => `${Math.round(r.mastery * 100)}%` },
  { head: 'drills', width: 8, cell: (r) => (r.drills?.total ? `${r.drills.solved}/${r.drills.total}` : '–') },
];

/** The per-topic table: a header line and one line per topic (its id first, for `quiz --topic`). */
export function practiceTable(rows: readonly TopicPractice[]): string[] {
  const line = (id: string, cells: string[], title: string) => `  ${id.padEnd(22)}${cells.map((c, i) => c.padStart(PRACTICE_COLUMNS[i]!.width)).join('')}  ${title}`;
  return [line('topic', PRACTICE_COLUMNS.map((c) => c.head), '').trimEnd(), ...rows.map((r) => line(r.id, PRACTICE_COLUMNS.map((c) => c.cell(r)), r.title))];
}

export interface PracticeSummary {
  topics: TopicPractice[];
  questions: number;
  seen: number;
  due: number;
  mastered: number;
  /** The earliest due date of a card not yet due (ISO), when there is one. */
  nextDue?: string;
  /** Break-fix drills solved, of how many (when the summary was given the drills). */
  drills?: { solved: number; total: number };
}

/** A break-fix drill as the summary counts it: its topic, and whether the learner solved it. */
export interface DrillTally {
  topic: string;
  solved: boolean;
}

/** Per topic and in total: questions, seen, due now, mastered; and drills solved when `drills` is given. */
export function practiceSummary(topics: readonly Topic[], review: Record<string, ReviewCard> | undefined, now: Date, drills?: readonly DrillTally[]): PracticeSummary {
  const cards = review ?? {};
  const drillsOf = (topic: string) => {
    const mine = drills!.filter((d) => d.topic === topic);
    return { solved: mine.filter((d) => d.solved).length, total: mine.length };
  };
  const rows = topics.map((t): TopicPractice => {
    const ids = t.questions.map((q) => q.id);
    const mastered = ids.filter((id) => isMastered(cards[id])).length;
    return {
      id: t.id,
      title: t.title,
      questions: ids.length,
      seen: ids.filter((id) => cards[id] !== undefined).length,
      due: ids.filter((id) => isDue(cards[id], now)).length,
      mastered,
      mastery: ids.length ? mastered / ids.length : 0,
      ...(drills ? { drills: drillsOf(t.id) } : {}),
    };
  });
  const sum = (key: 'questions' | 'seen' | 'due' | 'mastered') => rows.reduce((n, r) => n + r[key], 0);
  const known = new Set(topics.flatMap((t) => t.questions.map((q) => q.id)));
  const upcoming = Object.entries(cards)
    .filter(([id, c]) => known.has(id) && c.state !== 'new' && Date.parse(c.due) > now.getTime())
    .map(([, c]) => c.due)
    .sort()[0];
  return {
    topics: rows,
    questions: sum('questions'),
    seen: sum('seen'),
    due: sum('due'),
    mastered: sum('mastered'),
    ...(upcoming ? { nextDue: upcoming } : {}),
    ...(drills ? { drills: { solved: drills.filter((d) => d.solved).length, total: drills.length } } : {}),
  };
}

/**
 * Topics in course order: by the mean lesson number their questions point to, then by id. So
 * registry basics come before lifecycle rules, and a topic for a new lesson falls into place
 * by itself.
 */
export function orderTopics(bank: Pick<Bank, 'topics'>, lessonNumber: (lessonId: string) => number | undefined): Topic[] {
  const mean = (t: Topic) => t.questions.reduce((n, q) => n + (lessonNumber(q.source.lesson) ?? 99), 0) / Math.max(t.questions.length, 1);
  return [...bank.topics].sort((a, b) => mean(a) - mean(b) || a.id.localeCompare(b.id));
}

export interface SessionPlan {
  /** Questions due for review, most overdue first. */
  due: Question[];
  /** Questions never answered, in course order. */
  fresh: Question[];
}

/**
 * Which questions a practice session asks: due ones first (most overdue first), then new ones,
 * `limit` in all. New ones are taken from the topics in turn, each topic in its file's order
 * (basics first), so a session mixes topics the way an interview does.
 */
export function planSession(
  topics: readonly Topic[],
  review: Record<string, ReviewCard> | undefined,
  options: { now: Date; limit: number; reviewOnly?: boolean },
): SessionPlan {
  const cards = review ?? {};
  const questions = topics.flatMap((t) => t.questions);
  const due = questions.filter((q) => isDue(cards[q.id], options.now)).sort((a, b) => Date.parse(cards[a.id]!.due) - Date.parse(cards[b.id]!.due));
  const shownDue = due.slice(0, options.limit);
  const fresh = options.reviewOnly ? [] : inTurns(topics.map((t) => t.questions.filter((q) => cards[q.id] === undefined)), options.limit - shownDue.length);
  return { due: shownDue, fresh };
}

/**
 * A mock interview's questions: `count` of them, mixed across topics (each topic shuffled, then
 * taken in turns), in a shuffled order.
 */
export function planExam(topics: readonly Topic[], count: number, random: Random): Question[] {
  const piles = shuffled(topics, random).map((t) => shuffled(t.questions, random));
  return shuffled(inTurns(piles, count), random);
}

/** Up to `count` items taken from the piles in turns: every pile's first, then every pile's second… */
export function inTurns<T>(piles: readonly (readonly T[])[], count: number): T[] {
  const out: T[] = [];
  for (let round = 0; out.length < count && piles.some((p) => p.length > round); round++) {
    for (const pile of piles) if (round < pile.length && out.length < count) out.push(pile[round]!);
  }
  return out;
}
