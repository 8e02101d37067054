/** Grading an answer to any kind of question: pure, so the prompts, exams and tests agree. */
import { gradeCommand } from './command-answer.js';
import type { Question } from './types.js';

/** What the learner gave, by question kind. */
export type Answer =
  /** single and error: the index of the chosen choice (in the question's own order). */
  | { kind: 'choice'; index: number }
  /** multiple: the indexes of every chosen choice. */
  | { kind: 'choices'; indexes: number[] }
  /** order: the question's step indexes in the order the learner put them. */
  | { kind: 'order'; order: number[] }
  /** command: the line as typed. */
  | { kind: 'command'; text: string };

export interface Graded {
  correct: boolean;
  /** The learner's answer in words (the chosen text, never an index). */
  given: string;
  /** A right answer in words. */
  expected: string;
  /** For a command: what is wrong with it. */
  problems: string[];
}

/** A right answer to the question, in words. */
export function expectedAnswer(q: Question): string {
  switch (q.kind) {
    case 'single':
    case 'error':
      return q.choices[q.answer]!;
    case 'multiple':
      return q.answers.map((i) => q.choices[i]!).join('; ');
    case 'order':
      return q.steps.join(' → ');
    case 'command':
      return q.answer;
  }
}

/** Grades `answer`; an answer of the wrong shape for the question is wrong, not an error. */
export function gradeAnswer(q: Question, answer: Answer): Graded {
  const expected = expectedAnswer(q);
  const wrong = (given: string): Graded => ({ correct: false, given, expected, problems: [] });
  switch (q.kind) {
    case 'single':
    case 'error': {
      if (answer.kind !== 'choice') return wrong('');
      return { correct: answer.index === q.answer, given: q.choices[answer.index] ?? '', expected, problems: [] };
    }
    case 'multiple': {
      if (answer.kind !== 'choices') return wrong('');
      const chosen = [...new Set(answer.indexes)].sort((a, b) => a - b);
      const right = [...q.answers].sort((a, b) => a - b);
      const given = chosen.map((i) => q.choices[i] ?? '').join('; ');
      return { correct: chosen.length === right.length && chosen.every((c, i) => c === right[i]), given, expected, problems: [] };
    }
    case 'order': {
      if (answer.kind !== 'order') return wrong('');
      const given = answer.order.map((i) => q.steps[i] ?? '?').join(' → ');
      return { correct: answer.order.length === q.steps.length && answer.order.every((step, i) => step === i), given, expected, problems: [] };
    }
    case 'command': {
      if (answer.kind !== 'command') return wrong('');
      const graded = gradeCommand(q.expect, answer.text);
      return { correct: graded.correct, given: answer.text.trim(), expected, problems: graded.problems };
    }
  }
}

/**
 * Reads "C A B D" (or "cabd", "C,A,B,D") as positions in a list shown with letters A, B, C…:
 * returns the 0-based positions, or what is wrong with the text.
 */
export function parseOrderInput(text: string, count: number): number[] | { error: string } {
  const letters = text.toUpperCase().replace(/[\s,;>→-]+/g, '');
  const last = String.fromCharCode(64 + count);
  if (!/^[A-Z]*$/.test(letters)) return { error: `type the letters A to ${last}, for example ${'ABCDEFGH'.slice(0, count).split('').reverse().join(' ')}` };
  const order = [...letters].map((c) => c.charCodeAt(0) - 65);
  if (order.some((i) => i >= count)) return { error: `there are only ${count} steps, A to ${last}` };
  if (order.length !== count || new Set(order).size !== count) return { error: `put every letter from A to ${last} exactly once` };
  return order;
}
