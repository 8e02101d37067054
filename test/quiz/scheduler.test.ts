import fs from 'node:fs';
import path from 'node:path';
import { fsrs, Rating, createEmptyCard, type Card } from 'ts-fsrs';
import { beforeAll, describe, expect, it } from 'vitest';
import { lessonsDir } from '../../src/course/load.js';
import { ProgressStore, type ReviewCard } from '../../src/progress/store.js';
import { bankDir, loadBank, type Bank } from '../../src/quiz/bank.js';
import { inTurns, isDue, isMastered, MASTERED_STABILITY_DAYS, orderTopics, planExam, planSession, practiceSummary } from '../../src/quiz/practice.js';
import { seededRandom } from '../../src/quiz/random.js';
import { fromCard, gradeFor, review, SCHEDULER_PARAMS, toCard, type ReviewGrade } from '../../src/quiz/scheduler.js';
import { tempDir } from '../helpers/sandbox.js';

const DAY = 86_400_000;
const START = Date.parse('2026-03-02T09:00:00.000Z');
const RATING: Record<ReviewGrade, Rating.Again | Rating.Hard | Rating.Good | Rating.Easy> = { again: Rating.Again, hard: Rating.Hard, good: Rating.Good, easy: Rating.Easy };

let bank: Bank;
beforeAll(async () => {
  bank = await loadBank(bankDir(lessonsDir()));
});

describe('the scheduler: answers over simulated days move cards as ts-fsrs says', () => {
  it('maps right and wrong to FSRS ratings: wrong is Again, right is how it felt, Good by default', () => {
    expect(gradeFor(false)).toBe('again');
    expect(gradeFor(false, 'easy')).toBe('again');
    expect(gradeFor(true)).toBe('good');
    expect(gradeFor(true, 'hard')).toBe('hard');
    expect(gradeFor(true, 'easy')).toBe('easy');
  });

  it('a month of answers, stored in progress.json between each, ends where ts-fsrs alone ends', async () => {
    const home = tempDir('ecrwb-fsrs-');
    const direct = fsrs({ ...SCHEDULER_PARAMS });
    let card: Card = createEmptyCard(new Date(START));
    let now = START;
    // Each day the learner answers whatever is due, with this history of ratings.
    const history: ReviewGrade[] = ['good', 'good', 'again', 'hard', 'good', 'easy', 'good'];
    for (const grade of history) {
      const { store } = await ProgressStore.open({ home });
      await store.reviewQuestion('login-command', (prior) => review(prior, grade, new Date(now)));
      card = direct.next(card, new Date(now), RATING[grade]).card;
      // A fresh store reads the file the way the next `ecr-workbook quiz` would.
      const stored = (await ProgressStore.open({ home })).store.progress.review!['login-command']!;
      expect(stored).toEqual(fromCard(card));
      // The next answer comes when the card falls due (at least the next day).
      now = Math.max(Date.parse(stored.due), now + DAY);
    }
    const last = (await ProgressStore.open({ home })).store.progress.review!['login-command']!;
    expect(last.reps).toBe(history.length);
    expect(last.lapses).toBe(1);
    expect(last.state).toBe('review');
    expect(last.scheduledDays).toBeGreaterThan(7);
    expect(Date.parse(last.due) - Date.parse(last.lastReview!)).toBe(last.scheduledDays * DAY);
  });

  it('a first Good answer waits 10 minutes (a learning step), a first Easy goes for days, Again for a minute', () => {
    const at = new Date(START);
    const minutes = (c: ReviewCard) => (Date.parse(c.due) - START) / 60_000;
    expect(minutes(review(undefined, 'again', at))).toBe(1);
    expect(minutes(review(undefined, 'good', at))).toBe(10);
    const easy = review(undefined, 'easy', at);
    expect(easy.state).toBe('review');
    expect(minutes(easy)).toBeGreaterThanOrEqual(24 * 60);
  });

  it('stores cards losslessly: toCard(fromCard(card)) schedules exactly as the card', () => {
    const f = fsrs({ ...SCHEDULER_PARAMS });
    let card = f.next(createEmptyCard(new Date(START)), new Date(START), Rating.Good).card;
    card = f.next(card, new Date(START + DAY), Rating.Good).card;
    const roundTripped = toCard(JSON.parse(JSON.stringify(fromCard(card))) as ReviewCard, new Date(START));
    const later = new Date(START + 9 * DAY);
    expect(f.next(roundTripped, later, Rating.Hard).card).toEqual(f.next(card, later, Rating.Hard).card);
  });

  it('due and mastered read the stored card: due once its date passed, mastered in review with stability ≥ 21 days', () => {
    const card = (over: Partial<ReviewCard>): ReviewCard => ({ due: new Date(START).toISOString(), stability: 1, difficulty: 5, scheduledDays: 1, learningSteps: 0, reps: 3, lapses: 0, state: 'review', ...over });
    expect(isDue(card({}), new Date(START))).toBe(true);
    expect(isDue(card({}), new Date(START - 1))).toBe(false);
    expect(isDue(undefined, new Date(START))).toBe(false);
    expect(isMastered(card({ stability: MASTERED_STABILITY_DAYS }))).toBe(true);
    expect(isMastered(card({ stability: MASTERED_STABILITY_DAYS - 0.1 }))).toBe(false);
    expect(isMastered(card({ stability: 40, state: 'relearning' }))).toBe(false);
  });
});

describe('planning sessions and mock interviews', () => {
  const card = (due: number, stability = 2): ReviewCard => ({ due: new Date(due).toISOString(), stability, difficulty: 5, scheduledDays: 1, learningSteps: 0, reps: 1, lapses: 0, state: 'review' });

  it('asks due questions first, most overdue first, then new ones from the topics in turn; --review asks only due ones', () => {
    const topics = orderTopics(bank, () => 1);
    const [a, b, c] = [topics[0]!.questions[0]!, topics[1]!.questions[0]!, topics[2]!.questions[1]!];
    const cards = { [a.id]: card(START - DAY), [b.id]: card(START - 3 * DAY), [c.id]: card(START + DAY) };
    const plan = planSession(topics, cards, { now: new Date(START), limit: 6 });
    expect(plan.due.map((q) => q.id)).toEqual([b.id, a.id]);
    expect(plan.fresh).toHaveLength(4);
    expect(plan.fresh.map((q) => q.topic)).toEqual([topics[0]!.id, topics[1]!.id, topics[2]!.id, topics[3]!.id]);
    expect(plan.fresh.map((q) => q.id)).not.toContain(c.id);
    expect(plan.fresh[0]!.id).toBe(topics[0]!.questions[1]!.id);
    expect(planSession(topics, cards, { now: new Date(START), limit: 6, reviewOnly: true })).toEqual({ due: [plan.due[0], plan.due[1]], fresh: [] });
    expect(planSession(topics, cards, { now: new Date(START), limit: 1 })).toEqual({ due: [plan.due[0]], fresh: [] });
  });

  it('summarizes per topic: questions, seen, due, mastered, and when the next one falls due', () => {
    const topics = bank.topics.filter((t) => t.id === 'iam');
    const [q1, q2, q3] = topics[0]!.questions;
    const summary = practiceSummary(topics, { [q1!.id]: card(START - 1), [q2!.id]: card(START + DAY, 30), [q3!.id]: card(START + 2 * DAY, 25), 'not-in-bank': card(START - 5) }, new Date(START));
    expect(summary.topics).toEqual([{ id: 'iam', title: 'IAM and access control', questions: topics[0]!.questions.length, seen: 3, due: 1, mastered: 2, mastery: 2 / topics[0]!.questions.length }]);
    expect(summary).toMatchObject({ due: 1, seen: 3, mastered: 2, nextDue: new Date(START + DAY).toISOString() });
  });

  it('a mock interview mixes topics: N questions, no repeats, at most one more from any topic than from another', () => {
    const topics = orderTopics(bank, () => 1);
    const exam = planExam(topics, 20, seededRandom(42));
    expect(exam).toHaveLength(20);
    expect(new Set(exam.map((q) => q.id)).size).toBe(20);
    const counts = new Map<string, number>();
    for (const q of exam) counts.set(q.topic, (counts.get(q.topic) ?? 0) + 1);
    const perTopic = [...counts.values()];
    expect(Math.max(...perTopic) - Math.min(...perTopic)).toBeLessThanOrEqual(1);
    expect(new Set(exam.map((q) => q.topic)).size).toBe(bank.topics.length);
    expect(planExam(topics, 20, seededRandom(42)).map((q) => q.id)).toEqual(exam.map((q) => q.id));
    expect(planExam(topics, 500, seededRandom(1))).toHaveLength(bank.questions.length);
    expect(inTurns([[1, 2, 3], [4], [5, 6]], 5)).toEqual([1, 4, 5, 2, 6]);
  });

  it('orders topics by the lessons their questions come from', () => {
    const lessons: Record<string, number> = { 'why-ecr': 1, 'configure-cli': 2, 'create-repository': 3, 'authenticate-docker': 4, 'build-image': 5, 'tag-image': 6, 'push-image': 7, verify: 8, 'clean-up': 9, 'pull-only-ci': 10, 'share-across-accounts': 11, 'lifecycle-policies': 12, 'promote-image': 13, 'run-on-fargate': 14, 'push-from-pipeline': 15 };
    const order = orderTopics(bank, (id) => lessons[id]).map((t) => t.id);
    expect(order.indexOf('registry-basics')).toBeLessThan(order.indexOf('push-pull'));
    expect(order.indexOf('authentication')).toBeLessThan(order.indexOf('verify'));
    expect(order.indexOf('cost-cleanup')).toBeLessThan(order.indexOf('promotion'));
    expect(order.at(-1)).toBe('promotion');
  });
});

describe('review state in progress.json', () => {
  it('a corrupt file holding review state is moved aside whole, and a fresh start has none', async () => {
    const home = tempDir('ecrwb-review-');
    const { store } = await ProgressStore.open({ home });
    await store.markPassed('knowledge-check');
    await store.reviewQuestion('login-command', (prior) => review(prior, 'good', new Date(START)));
    const good = fs.readFileSync(store.file, 'utf8');
    fs.writeFileSync(store.file, good.slice(0, -20));
    const reopened = await ProgressStore.open({ home });
    expect(reopened.warning).toMatch(/could not be read/);
    expect(reopened.store.progress.review).toBeUndefined();
    const moved = fs.readdirSync(home).find((f) => f.startsWith('progress.json.corrupt-'))!;
    expect(fs.readFileSync(path.join(home, moved), 'utf8')).toBe(good.slice(0, -20));
    expect(fs.readFileSync(path.join(home, moved), 'utf8')).toContain('"login-command"');
  });
});
