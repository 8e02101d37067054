/** Scoring a lesson's quiz: pure, so the quiz UI and the knowledge-check check agree. */
import type { QuizQuestion } from './schema.js';

export interface QuizScore {
  answers: number[];
  correct: number;
  total: number;
}

/** Scores answers (choice index per question, in order); a missing answer counts as wrong. */
export function scoreQuiz(questions: readonly QuizQuestion[], answers: readonly number[]): QuizScore {
  const correct = questions.filter((q, i) => answers[i] === q.answer).length;
  return { answers: [...answers], correct, total: questions.length };
}

/** Whether a score passes: `minCorrect` right answers, or all of them when it is not set. */
export function quizPassed(score: Pick<QuizScore, 'correct' | 'total'>, minCorrect?: number): boolean {
  return score.total > 0 && score.correct >= (minCorrect ?? score.total);
}
