/** Scoring a lesson's quiz: pure, so the quiz UI and the knowledge-check check agree. */
import type { Question } from '../quiz/types.js';
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

/**
 * A lesson's knowledge-check question in the question bank's shape, so the lesson asks it with
 * the same prompt and verdict as `ecr-workbook quiz` (the answer's words, ✔ or ✖ by correctness).
 */
export function asBankQuestion(lessonId: string, q: QuizQuestion, index: number): Question {
  return {
    kind: 'single',
    id: `${lessonId}-knowledge-check-${index + 1}`,
    topic: lessonId,
    question: q.question,
    choices: q.choices,
    answer: q.answer,
    explanation: q.explanation,
    concepts: [],
    // No section: the verdict then names none to re-read (the lesson was just read).
    source: { lesson: lessonId, section: '', phrase: '' },
  };
}
