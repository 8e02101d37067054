/**
 * Asking one multiple-choice question in the terminal, and its feedback: the lesson's knowledge
 * check uses it, and so can any other quiz. Once answered, the prompt line shows ✔ or ✖ by
 * whether the answer is right, with the chosen answer's text (not its index), then the verdict
 * and the explanation.
 */
import Enquirer from 'enquirer';
import type { QuizQuestion } from '../course/schema.js';
import { painter, type Painter } from './format.js';

/** The learner left the prompt (Ctrl-C or Esc). */
export class Cancelled extends Error {}

type SelectChoice = { name: string; message: string };
type SelectState = { submitted: boolean; cancelled: boolean };
interface SelectPrompt {
  state: SelectState;
  index: number;
  selected: SelectChoice;
  prefix(): Promise<string>;
  format(): string;
  run(): Promise<string>;
}
type SelectClass = new (options: Record<string, unknown>) => SelectPrompt;

/** enquirer's Select, whose answered line says right or wrong instead of a plain ✔ and the choice's index. */
function questionPrompt(q: Pick<QuizQuestion, 'choices' | 'answer'>, message: string, p: Painter): SelectPrompt {
  const Select = (Enquirer as unknown as { Select: SelectClass }).Select;
  class QuestionPrompt extends Select {
    override async prefix(): Promise<string> {
      if (!this.state.submitted || this.state.cancelled) return super.prefix();
      return this.index === q.answer ? p.green('✔') : p.red('✖');
    }
    override format(): string {
      if (!this.state.submitted || this.state.cancelled) return '';
      const text = this.selected.message;
      return this.index === q.answer ? p.green(text) : p.red(text);
    }
  }
  return new QuestionPrompt({ name: 'answer', message, choices: q.choices.map((c, j) => ({ name: String(j), message: c })) });
}

export interface AskOptions {
  /** Shown before the question: `1.` */
  number?: number;
  write?: (line: string) => void;
  painter?: Painter;
}

/** Asks one question and gives its feedback; resolves with the chosen index. Rejects with Cancelled on Ctrl-C. */
export async function askQuestion(q: QuizQuestion, options: AskOptions = {}): Promise<{ index: number; correct: boolean }> {
  const p = options.painter ?? painter();
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  let picked: string;
  try {
    picked = await questionPrompt(q, `${options.number !== undefined ? `${options.number}. ` : ''}${q.question}`, p).run();
  } catch {
    throw new Cancelled();
  }
  const index = Number(picked);
  const correct = index === q.answer;
  write(correct ? p.green('  Right.') : p.red(`  Not quite: the answer is "${q.choices[q.answer]}".`));
  write(`  ${q.explanation}\n`);
  return { index, correct };
}
