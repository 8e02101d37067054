/**
 * Asking one question in the terminal with enquirer, as the rest of the runner does, and
 * showing the verdict: ✔ or ✖ by correctness, with the chosen answer's text (never an index),
 * the explanation and the lesson section to re-read. The question is printed above a short
 * prompt, so a long stem wraps as plain text; in a mock interview the prompt carries the
 * countdown, re-drawn every second, and is cancelled when time runs out.
 */
import Enquirer from 'enquirer';
import { cancelCleanlyOnCtrlC } from '../util/enquirer.js';
import type { Lesson } from '../course/load.js';
import type { Painter } from '../runner/format.js';
import type { Countdown } from './exam.js';
import { parseOrderInput, type Answer, type Graded } from './grade.js';
import { shuffled, type Random } from './random.js';
import type { Feeling } from './scheduler.js';
import { needsMoreInput } from './shell-words.js';
import type { Question } from './types.js';
import * as messages from './messages.js';

/** Ctrl-C or Esc: the learner wants out. */
export class Cancelled extends Error {}
/** The exam's time ran out while a question was open. */
export class TimeUp extends Error {}

/** Where the quiz talks: stdout, or stderr when stdout is kept for JSON. */
export interface QuizTerminal {
  stream: NodeJS.WriteStream;
  p: Painter;
}

export const say = (t: QuizTerminal, text = '') => t.stream.write(`${text}\n`);

/** Long prose wrapped at word boundaries to the terminal's width (at most 100), every line indented. */
export function wrap(text: string, columns: number | undefined, indent = '  '): string {
  const width = Math.max(Math.min(columns || 80, 100) - indent.length, 20);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `${indent}${l}`).join('\n');
}

const LETTERS = 'ABCDEFGHIJ';

/** Runs one enquirer prompt on the terminal's stream; with a countdown, shows it and enforces it. */
async function prompt<T>(t: QuizTerminal, question: Record<string, unknown>, countdown?: Countdown): Promise<T> {
  if (countdown?.expired()) throw new TimeUp();
  const message = question.message as string;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    const answer = (await Enquirer.prompt({
      name: 'value',
      stdout: t.stream,
      // A neutral mark once answered: the verdict (✔ or ✖) is printed below, by correctness.
      prefix: (state: { submitted?: boolean }) => (state.submitted ? t.p.dim('›') : t.p.yellow('?')),
      ...question,
      message: countdown ? () => `${t.p.yellow(`[${countdown.label()} left]`)} ${message}` : message,
      onRun(p: Parameters<typeof cancelCleanlyOnCtrlC>[0] & { render(): unknown; cancel(): unknown }) {
        cancelCleanlyOnCtrlC(p);
        if (!countdown) return;
        timer = setInterval(() => {
          if (countdown.expired()) {
            timedOut = true;
            clearInterval(timer);
            void p.cancel();
          } else void p.render();
        }, 1000);
      },
    } as never)) as { value: T };
    return answer.value;
  } catch {
    // enquirer rejects on Ctrl-C / Esc, and on the cancel above.
    throw timedOut || countdown?.expired() ? new TimeUp() : new Cancelled();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Prints the question and asks for an answer; choices and steps are shuffled with `random`
 * (without one, choices keep the author's order, as a lesson's knowledge check lists them).
 */
export async function askQuestion(t: QuizTerminal, q: Question, header: string, random?: Random, countdown?: Countdown): Promise<Answer> {
  const arrange = (count: number) => (random ? shuffled([...Array(count).keys()], random) : [...Array(count).keys()]);
  say(t);
  say(t, t.p.dim(header));
  say(t, t.p.bold(wrap(q.question, t.stream.columns, '')));
  switch (q.kind) {
    case 'error':
    case 'single': {
      if (q.kind === 'error') say(t, t.p.red(wrap(q.error, t.stream.columns, '  │ ')));
      const order = arrange(q.choices.length);
      const text = await prompt<string>(t, { type: 'select', message: messages.pickOne, choices: order.map((i) => ({ name: q.choices[i]! })) }, countdown);
      return { kind: 'choice', index: q.choices.indexOf(text) };
    }
    case 'multiple': {
      const order = arrange(q.choices.length);
      // Marks that read without colour (NO_COLOR): enquirer's default shows ✔ on every choice and no cursor.
      const marks = { indicator: { on: '◉', off: '◯' }, pointer: '❯' };
      const picked = await prompt<string[]>(t, { type: 'multiselect', message: messages.pickAll, ...marks, choices: order.map((i) => ({ name: q.choices[i]! })) }, countdown);
      return { kind: 'choices', indexes: picked.map((text) => q.choices.indexOf(text)) };
    }
    case 'order': {
      // Shown shuffled, never already in order.
      let order = shuffled(q.steps.map((_, i) => i), random ?? Math.random);
      if (order.every((s, i) => s === i)) order = [...order.slice(1), order[0]!];
      order.forEach((step, i) => say(t, `  ${t.p.bold(LETTERS[i]!)}. ${q.steps[step]}`));
      const typed = await prompt<string>(
        t,
        {
          type: 'input',
          message: messages.typeOrder(q.steps.length),
          validate: (value: string) => {
            const parsed = parseOrderInput(value, q.steps.length);
            return Array.isArray(parsed) ? true : parsed.error;
          },
        },
        countdown,
      );
      return { kind: 'order', order: (parseOrderInput(typed, q.steps.length) as number[]).map((shown) => order[shown]!) };
    }
    case 'command': {
      say(t, t.p.dim(messages.commandHint));
      const typed = (value: string) => (value.trim() ? true : messages.typeACommand);
      let text = await prompt<string>(t, { type: 'input', message: '$', validate: typed }, countdown);
      // As a shell does: a trailing \, an open quote or a trailing | asks for the next line.
      while (needsMoreInput(text)) text = `${text}\n${await prompt<string>(t, { type: 'input', message: '>' }, countdown)}`;
      return { kind: 'command', text };
    }
  }
}

/** ✔ or ✖, the learner's answer in words, the right one when it differs, the explanation, where to re-read. */
export function showVerdict(t: QuizTerminal, q: Question, graded: Graded, lessons: readonly Pick<Lesson, 'id' | 'number' | 'title'>[]): void {
  const { p } = t;
  const given = graded.given || messages.nothingChosen;
  if (graded.correct) say(t, `${p.green('✔ Right.')} ${q.kind === 'command' ? messages.youWrote : messages.youAnswered} ${given}`);
  else {
    say(t, `${p.red('✖ Not quite.')} ${q.kind === 'command' ? messages.youWrote : messages.youAnswered} ${given}`);
    for (const problem of graded.problems) say(t, `  ${p.red('•')} ${problem}`);
    say(t, `  ${p.bold(q.kind === 'command' ? messages.aRightAnswer : messages.theAnswer)} ${graded.expected}`);
  }
  say(t, wrap(q.explanation, t.stream.columns));
  // A lesson's own knowledge check names no section: the whole lesson above is the reading.
  if (q.source.section) say(t, p.dim(`  ${messages.rereadLine(q.source, lessons.find((l) => l.id === q.source.lesson))}`));
}

/** After a right answer: how did it feel? (FSRS's Hard, Good or Easy; Good is the default.) */
export async function askFeeling(t: QuizTerminal): Promise<Feeling> {
  return prompt<Feeling>(t, {
    type: 'select',
    message: messages.howDidItFeel,
    choices: [
      { name: 'good', message: messages.feelingGood },
      { name: 'hard', message: messages.feelingHard },
      { name: 'easy', message: messages.feelingEasy },
    ],
  });
}
