import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { quizPassed } from '../src/course/quiz.js';

/** Lesson 01: the learner answered the knowledge check in the runner, enough of it right. */
const check: Check = async (ctx, params) => {
  const score = ctx.quizScore;
  const total = score?.total ?? 0;
  const needed = typeof params.minCorrect === 'number' ? params.minCorrect : total;
  if (!score || score.answered < total || total === 0) {
    return fail('the knowledge check is not answered yet', diagnoses.quizNotAnswered(total, needed), [`Answered: ${score?.answered ?? 0} of ${total}`]);
  }
  if (!quizPassed(score, needed)) return fail(`${score.correct} of ${total} right`, diagnoses.quizNotPassed(score.correct, total, needed), [`Right: ${score.correct} of ${total}`]);
  return pass(`${score.correct} of ${total} right`, [`Right: ${score.correct} of ${total}`]);
};
export default check;
