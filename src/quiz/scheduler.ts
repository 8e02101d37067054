/**
 * Spaced review with ts-fsrs (FSRS, the scheduler Anki uses). One card per question, kept in
 * progress.json (ReviewCard). Loaded only by the quiz: `status` reads the stored cards without it.
 *
 * How answers become FSRS ratings (documented in the README):
 * - a wrong answer (or none, when an exam's time runs out) is **Again**;
 * - a right answer in practice asks the learner how it felt: **Hard** ("got there, barely"),
 *   **Good** ("had to think", the default) or **Easy** ("knew it at once");
 * - a right answer in a mock interview is **Good** (no time to ask).
 */
import { createEmptyCard, fsrs, Rating, State, type Card, type FSRS, type Grade } from 'ts-fsrs';
import type { ReviewCard, ReviewState } from '../progress/store.js';

/** How a right answer felt, asked after it. */
export type Feeling = 'hard' | 'good' | 'easy';

/** The FSRS rating of an answer. */
export type ReviewGrade = 'again' | Feeling;

/**
 * The scheduler's settings: ts-fsrs's defaults (90 % retention, learning steps 1 and 10
 * minutes, relearning 10 minutes) with fuzz on, as Anki does, so cards learned together do
 * not all fall due on the same day. ts-fsrs seeds the fuzz from the card and the review time,
 * so the same history always gives the same schedule.
 */
export const SCHEDULER_PARAMS = { enable_fuzz: true, enable_short_term: true } as const;

let shared: FSRS | undefined;

/** The scheduler every review goes through. */
export function scheduler(): FSRS {
  shared ??= fsrs(SCHEDULER_PARAMS);
  return shared;
}

const RATINGS: Record<ReviewGrade, Grade> = { again: Rating.Again, hard: Rating.Hard, good: Rating.Good, easy: Rating.Easy };
const STATES: Record<State, ReviewState> = { [State.New]: 'new', [State.Learning]: 'learning', [State.Review]: 'review', [State.Relearning]: 'relearning' };
const FROM_NAME: Record<ReviewState, State> = { new: State.New, learning: State.Learning, review: State.Review, relearning: State.Relearning };

/** The rating for an answer: wrong is Again; right is how it felt (Good when not asked). */
export function gradeFor(correct: boolean, feeling: Feeling = 'good'): ReviewGrade {
  return correct ? feeling : 'again';
}

/** A stored card as ts-fsrs's Card (a new card when there is none yet). */
export function toCard(stored: ReviewCard | undefined, now: Date): Card {
  if (!stored) return createEmptyCard(now);
  return {
    due: new Date(stored.due),
    stability: stored.stability,
    difficulty: stored.difficulty,
    // Deprecated in ts-fsrs 5 and recomputed from last_review when scheduling.
    elapsed_days: 0,
    scheduled_days: stored.scheduledDays,
    learning_steps: stored.learningSteps,
    reps: stored.reps,
    lapses: stored.lapses,
    state: FROM_NAME[stored.state],
    ...(stored.lastReview ? { last_review: new Date(stored.lastReview) } : {}),
  };
}

/** ts-fsrs's Card as it is stored in progress.json. */
export function fromCard(card: Card): ReviewCard {
  return {
    due: card.due.toISOString(),
    stability: card.stability,
    difficulty: card.difficulty,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: STATES[card.state],
    ...(card.last_review ? { lastReview: card.last_review.toISOString() } : {}),
  };
}

/** The card after one answer rated `grade` at `now`, as ts-fsrs schedules it. */
export function review(prior: ReviewCard | undefined, grade: ReviewGrade, now: Date, fsrsScheduler: FSRS = scheduler()): ReviewCard {
  return fromCard(fsrsScheduler.next(toCard(prior, now), now, RATINGS[grade]).card);
}
