/**
 * The interactive workbook (`ecr-workbook` / `npm start`): a menu, lessons rendered in the
 * terminal, and per step: check now, hint, show solution, skip. enquirer prompts; Ctrl-C leaves.
 */
import path from 'node:path';
import Enquirer from 'enquirer';
import { cancelCleanlyOnCtrlC } from '../util/enquirer.js';
import type { CourseStep, Lesson } from '../course/load.js';
import { colorEnabled, renderLesson, renderStep, terminalWidth, type RenderContext } from '../course/render.js';
import { toTerminal } from '../course/terminal.js';
import { asBankQuestion, scoreQuiz } from '../course/quiz.js';
import { askQuestion, Cancelled, showVerdict } from '../quiz/ask.js';
import { gradeAnswer } from '../quiz/grade.js';
import { isPassed } from '../progress/store.js';
import type { ResolvedTarget } from '../targets/index.js';
import { checkStep, currentStep, lessonOf, renderContext, type Session } from './session.js';
import { formatResult, painter } from './format.js';
import { findDrift, formatStatus, lessonStatuses } from './status.js';

async function ask<T>(question: Record<string, unknown>): Promise<T> {
  try {
    const answer = (await Enquirer.prompt({ name: 'value', onRun: cancelCleanlyOnCtrlC, ...question } as never)) as { value: T };
    return answer.value;
  } catch {
    // enquirer rejects on Ctrl-C / Esc.
    throw new Cancelled();
  }
}

const write = (s = '') => process.stdout.write(`${s}\n`);

/** Runs the menu until the learner quits. */
export async function runMenu(session: Session, resolved: ResolvedTarget): Promise<void> {
  const ctx = await renderContext(session, resolved);
  const p = painter();
  try {
    for (;;) {
      // Steps checked in the learner's other shell (`ecr-workbook check`) since the menu was drawn.
      const warning = await session.store.reload();
      if (warning) write(p.yellow(warning));
      const step = currentStep(session);
      const choices = [
        ...(step ? [{ name: 'continue', message: `Continue: lesson ${lessonOf(session, step).number}, ${renderStep(step, ctx).title}` }] : []),
        { name: 'choose', message: 'Choose a lesson' },
        { name: 'practice', message: 'Interview practice' },
        { name: 'drills', message: 'Break-fix drills' },
        { name: 'status', message: 'Status' },
        { name: 'quit', message: 'Quit' },
      ];
      const choice = await ask<string>({ type: 'select', message: step ? 'What next?' : 'The course is complete. What next?', choices });
      if (choice === 'quit') break;
      if (choice === 'status') await showStatus(session, resolved);
      if (choice === 'practice') await interviewPractice(session);
      if (choice === 'drills') await breakFixDrills(session);
      if (choice === 'continue' && step) await runLesson(session, resolved, ctx, lessonOf(session, step));
      if (choice === 'choose') {
        const id = await ask<string>({
          type: 'select',
          message: 'Which lesson?',
          choices: session.course.lessons.map((l) => ({ name: l.id, message: `${String(l.number).padStart(2, '0')} ${l.title}` })),
        });
        await runLesson(session, resolved, ctx, session.course.lessons.find((l) => l.id === id)!);
      }
    }
  } catch (error) {
    if (!(error instanceof Cancelled)) throw error;
  }
  // On AWS, leaving mid-course must say what is still there and what it costs.
  if (resolved.target === 'aws') write((await (await import('../aws/cleanup.js')).leftoverSummary(resolved, session.store.progress)).text);
  write(p.dim('Bye. Your progress is saved; `ecr-workbook` picks up where you left off.'));
}

/** The status lines, with every passed step re-checked against real state (what drifted shows). */
async function showStatus(session: Session, resolved: ResolvedTarget): Promise<void> {
  write(painter().dim('Re-checking the passed steps…'));
  const drift = await findDrift(session, resolved);
  write(formatStatus(session, lessonStatuses(session, drift)).join('\n'));
}

/** The question bank, spaced review and mock interviews (loaded only when chosen). */
async function interviewPractice(session: Session): Promise<void> {
  const [{ loadBankFast }, { practiceMenu }] = await Promise.all([import('../course/cache.js'), import('../quiz/run.js')]);
  const ctx = { bank: await loadBankFast(), course: session.course, store: session.store };
  await practiceMenu(ctx, { stream: process.stdout, p: painter() }, ask);
}

/** Break-fix drills on the sandbox (loaded only when chosen). */
async function breakFixDrills(session: Session): Promise<void> {
  const [{ loadDrillsFast }, { drillsMenu }] = await Promise.all([import('../course/cache.js'), import('../drills/menu.js')]);
  const rt = { drills: await loadDrillsFast(), store: session.store, stateDir: path.dirname(session.store.file), env: process.env, target: session.settings.target, port: session.settings.port };
  const toText = (markdown: string) => toTerminal(markdown, { color: colorEnabled(), width: terminalWidth() });
  await drillsMenu(rt, { write, ask, p: painter(), toText });
}

async function runLesson(session: Session, resolved: ResolvedTarget, ctx: RenderContext, lesson: Lesson): Promise<void> {
  const p = painter();
  write(toTerminal(renderLesson(lesson, ctx), { color: colorEnabled(), width: terminalWidth() }));
  for (const step of session.course.steps.filter((s) => s.lessonId === lesson.id)) {
    if (isPassed(session.store.progress, step.id)) continue;
    if (step.check === 'knowledge-check' && lesson.quiz) await runQuiz(session, lesson);
    const done = await runStep(session, resolved, ctx, step, lesson);
    if (!done) return;
  }
  write(p.green(`Lesson ${lesson.number} is done.`));
}

/**
 * The lesson's knowledge check, one question at a time with its verdict (the same prompt and
 * feedback as `ecr-workbook quiz`); the score is recorded for the check.
 */
async function runQuiz(session: Session, lesson: Lesson): Promise<void> {
  const t = { stream: process.stdout, p: painter() };
  const answers: number[] = [];
  for (const [i, q] of lesson.quiz!.entries()) {
    const question = asBankQuestion(lesson.id, q, i);
    const answer = await askQuestion(t, question, `Knowledge check · question ${i + 1} of ${lesson.quiz!.length}`);
    showVerdict(t, question, gradeAnswer(question, answer), [lesson]);
    if (answer.kind !== 'choice') throw new Error(`question ${question.id} is single choice, but was answered with ${answer.kind}`);
    answers.push(answer.index);
  }
  await session.store.recordQuiz(lesson.id, scoreQuiz(lesson.quiz!, answers));
}

/** One step's loop; resolves true when it passed or was skipped, false to go back. */
async function runStep(session: Session, resolved: ResolvedTarget, ctx: RenderContext, step: CourseStep, lesson: Lesson): Promise<boolean> {
  const p = painter();
  const rendered = renderStep(step, ctx);
  // A knowledge check has no commands: its "solution" is answering the questions again.
  const quiz = step.check === 'knowledge-check' && lesson.quiz ? lesson : undefined;
  let hintLevel = 0;
  write(`\n${p.bold(`Step: ${rendered.title}`)}`);
  for (;;) {
    const action = await ask<string>({
      type: 'select',
      message: quiz ? 'Your answers are recorded. Now:' : 'When you have run the commands in your own shell:',
      choices: [
        { name: 'check', message: 'Check now' },
        { name: 'hint', message: hintLevel < rendered.hints.length ? `Hint (${hintLevel + 1} of ${rendered.hints.length})` : 'Hints (all shown)' },
        quiz ? { name: 'quiz', message: 'Answer the questions again' } : { name: 'solution', message: 'Show the solution' },
        { name: 'skip', message: 'Skip this step (recorded as skipped)' },
        { name: 'back', message: 'Back to the menu' },
      ],
    });
    if (action === 'quiz' && quiz) await runQuiz(session, quiz);
    if (action === 'back') return false;
    if (action === 'skip') {
      await session.store.markSkipped(step.id);
      write(p.yellow(`Skipped. Come back any time with: ecr-workbook check ${step.id}`));
      return true;
    }
    if (action === 'hint') {
      rendered.hints.slice(0, Math.min(hintLevel + 1, rendered.hints.length)).forEach((h, i) => write(`  ${p.yellow(`Hint ${i + 1}:`)} ${h}`));
      hintLevel = Math.min(hintLevel + 1, rendered.hints.length);
    }
    if (action === 'solution') {
      write(p.dim('  Run these in your own shell:'));
      for (const c of rendered.solution) write(`    ${c}`);
    }
    if (action === 'check') {
      const result = await checkStep(session, resolved, step);
      write(formatResult(rendered.title, result, p));
      if (result.status === 'pass') return true;
    }
  }
}
