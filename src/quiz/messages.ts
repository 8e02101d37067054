/**
 * Every sentence interview practice shows a person: learners (feedback, reports, status) and
 * authors (bank load and lint problems). The questions themselves live in lessons/questions/.
 */

const code = (s: string) => `\`${s}\``;

// Grading "complete the command".
export const commandUnparsable = (error: string): string => `The shell could not read that: ${error}.`;
export const commandEmpty = 'There is no command there: type the whole command line.';
export const commandSeveralLines = (found: number, expected: number): string =>
  expected > 1
    ? `That is ${found} separate commands; join them into one line with | (a pipe), so the first one's output goes into the next.`
    : `That is ${found} separate commands; the answer is one command.`;
export const commandPipelineLength = (runs: readonly string[], found: number): string =>
  runs.length > 1
    ? `The answer pipes ${runs.length} commands (${runs.map(code).join(' | ')}); yours has ${found}.`
    : `The answer is one command (${code(runs[0] ?? '')}), not ${found} joined by |.`;
export const commandWrongProgram = (run: string, written: string): string => `This needs ${code(run)} here, and yours runs ${code(written)}.`;
export const optionMissing = (run: string, name: string, value: string | undefined): string =>
  `${code(run)} needs ${code(value === undefined ? name : `${name} ${value}`)}.`;
export const optionIsFlag = (run: string, name: string): string => `${code(`${run} ${name}`)} is a flag: it takes no value.`;
export const optionNeedsValue = (run: string, name: string, value: string): string => `${code(`${run} ${name}`)} needs a value: ${code(value)}.`;
export const optionWrongValue = (run: string, name: string, want: string, got: string): string =>
  `${code(`${run} ${name}`)} should be ${code(want)}, not ${code(got)}.`;
export const optionUnexpected = (run: string, name: string): string => `${code(run)} does not take ${code(name)} in this answer.`;
export const argMissing = (run: string, want: string): string => `${code(run)} needs ${code(want)} as its argument.`;
export const argWrong = (run: string, want: string, got: string): string => `${code(run)} should be given ${code(want)}, not ${code(got)}.`;
export const argsExtra = (run: string, extra: readonly string[]): string => `${code(run)} does not need ${extra.map(code).join(' ')} here.`;
export const regionMissing = (run: string, region: string): string =>
  `${code(run)} has no --region: it would use your profile's default region, which may not be ${region}. Add ${code(`--region ${region}`)}.`;
export const profileMissing = (run: string, profile: string): string =>
  `${code(run)} has no --profile: it would sign in as your default profile, not ${profile}. Add ${code(`--profile ${profile}`)}.`;
export const profileWrong = (run: string, want: string, got: string): string => `${code(run)} uses the profile ${got}; this one needs ${want}.`;
export const regionWrong = (run: string, want: string, got: string): string =>
  `${code(run)} goes to ${got}, but this is about ${want}: repositories, login tokens and registry hosts each belong to one region.`;

// Loading the bank (for authors).
export const bankInvalid = (count: number): string => `the question bank has ${count} problem${count === 1 ? '' : 's'}:`;
export const noBank = (dir: string): string => `no question files found in ${dir} (topic files are named <topic>.yaml)`;
export const badTopicFileName = 'topic files are named <topic>.yaml with a kebab-case topic (lowercase letters and digits joined by dashes); rename it or move it out of lessons/questions/';
export const yamlError = (message: string): string => `not valid YAML: ${message}`;
export const duplicateQuestionId = (id: string, other: string): string => `question id '${id}' is also used by ${other}`;

// Linting the bank against the lessons (for authors).
export const duplicateStem = (other: string): string => `asks the same question as '${other}'; merge them or ask something else`;
export const unknownLesson = (id: string, known: readonly string[]): string => `there is no lesson '${id}' (lessons: ${known.join(', ')})`;
export const unknownSection = (lesson: string, section: string, known: readonly string[]): string =>
  `lesson '${lesson}' has no section '${section}' (its sections: ${known.map((k) => `'${k}'`).join(', ')})`;
export const phraseNotFound = (phrase: string, lesson: string, section: string): string =>
  `'${phrase}' is not in lesson '${lesson}', section '${section}': the answer must be taught there (teach it, or point to the section that does)`;
export const phraseOnlyOnOneTarget = (phrase: string, missing: readonly string[]): string =>
  `'${phrase}' is only in text that ${missing.join(' and ')} learners do not see (a <!-- target --> block): point to text every learner reads`;
export const errorNotReal =
  'this message is not one of the real ones in src/quiz/real-errors.ts: quote a message learners really see (ecr-facts §6), or add it there with its source';
export const referenceFails = (problems: readonly string[]): string => `the reference answer fails its own rules: ${problems.join(' ')}`;
export const counterexamplePasses = 'this counterexample passes the rules: the rules are too loose, or it is not a mistake';
export const conceptUncovered = (id: string, label: string): string => `seed concept '${id}' (${label}) has no question: add one to lessons/questions/`;
export const lessonWithoutQuestions = (label: string): string => `  note: lesson ${label} has no questions yet`;

// Asking (learners).
export const pickOne = 'Your answer';
export const pickAll = 'Pick all that apply (space selects, enter submits)';
export const typeOrder = (count: number): string => `Type the letters in order (for example ${'ABCDEFGHIJ'.slice(0, count).split('').reverse().join(' ')})`;
export const commandHint = 'Type the command. End a line with \\ to go on on the next one, as in a shell.';
export const nothingChosen = '(nothing)';
export const typeACommand = 'type the command (Ctrl-C stops)';

/** `20 minutes`, `1.5 minutes`, `9 seconds`. */
export function duration(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} seconds`;
  return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} minute${minutes === 1 ? '' : 's'}`;
}
export const youAnswered = 'You answered:';
export const youWrote = 'You wrote:';
export const theAnswer = 'The answer:';
export const aRightAnswer = 'A right answer:';
export const rereadLine = (source: { lesson: string; section: string }, lesson: { number: number; title: string } | undefined): string =>
  lesson
    ? `Re-read: lesson ${String(lesson.number).padStart(2, '0')} ${lesson.title}, “${source.section}” (ecr-workbook lesson ${source.lesson})`
    : `Re-read: lesson ${source.lesson}, “${source.section}”`;
export const howDidItFeel = 'How did that feel?';
export const feelingGood = 'Good: I had to think';
export const feelingHard = 'Hard: I got there, barely';
export const feelingEasy = 'Easy: I knew it at once';

/** `in 10 minutes`, `tomorrow`, `in 4 days`… from now to an ISO date. */
export function inWords(iso: string, now: Date): string {
  const minutes = Math.round((Date.parse(iso) - now.getTime()) / 60_000);
  if (minutes <= 0) return 'now';
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `in ${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'tomorrow';
  if (days < 60) return `in ${days} days`;
  return `in ${Math.round(days / 30)} months`;
}

// Sessions (learners).
export const unknownTopic = (topic: string, known: readonly string[]): string =>
  `There is no topic '${topic}'. The topics: ${known.join(', ')}. See them with progress in: ecr-workbook status`;
export const nothingDue = (nextDue: string | undefined, now: Date): string =>
  nextDue
    ? `Nothing is due for review now; the next question falls due ${inWords(nextDue, now)}. Practise new questions with: ecr-workbook quiz`
    : 'Nothing is due for review. Start with new questions: ecr-workbook quiz';
export const nothingToAsk = 'Nothing to ask here right now.';
export const sessionIntro = (due: number, fresh: number): string =>
  `Interview practice: ${[due ? `${due} due for review` : '', fresh ? `${fresh} new` : ''].filter(Boolean).join(', ')}. Every answer is saved as you go; Ctrl-C stops.`;
export const questionHeader = (i: number, n: number, topic: string, due: boolean): string => `Question ${i} of ${n} · ${topic}${due ? ' · review' : ' · new'}`;
export const nextReview = (due: string, now: Date): string => `Next time you see this one: ${inWords(due, now)}.`;
export const sessionDone = (r: { answered: number; correct: number; dueNow: number; nextDue?: string; stopped: boolean }, now: Date): string =>
  `${r.stopped ? 'Stopped' : 'Session done'}: ${r.correct} of ${r.answered} right.` +
  (r.dueNow ? ` ${r.dueNow} question${r.dueNow === 1 ? ' is' : 's are'} due now.` : r.nextDue ? ` The next review is ${inWords(r.nextDue, now)}.` : '') +
  ' Mastery per topic: ecr-workbook status';

// Mock interviews (learners).
export const examIntro = (n: number, minutes: number): string =>
  `Mock interview: ${n} questions, ${duration(minutes)}. No feedback until the end, as in an interview. Ctrl-C abandons it.`;
export const examHeader = (i: number, n: number, topic: string): string => `Question ${i} of ${n} · ${topic}`;
export const timeUp = (left: number): string => `Time is up: ${left} question${left === 1 ? '' : 's'} left unanswered (they count as wrong).`;
export const examScore = (r: { correct: number; questions: number; score: number; elapsedSeconds: number; minutes: number; timedOut: boolean }): string =>
  `Mock interview: ${r.correct} of ${r.questions} right (${Math.round(r.score * 100)}%) in ${Math.floor(r.elapsedSeconds / 60)}:${String(r.elapsedSeconds % 60).padStart(2, '0')}` +
  ` of ${duration(r.minutes)}${r.timedOut ? ', time ran out' : ''}.`;
export const weakTopics = (titles: readonly string[]): string => `Weak topics (under 70% right): ${titles.join(', ')}.`;
export const rereadHeading = 'Re-read these sections:';
export const missedHeading = 'Missed:';
export const unanswered = '(not answered)';
export const examNext = (weakest: string | undefined): string =>
  weakest ? `Practise the weakest topic: ecr-workbook quiz --topic ${weakest}` : 'No weak topic. Keep your reviews going: ecr-workbook quiz';
export const examAbandoned = 'Mock interview abandoned; nothing was recorded.';

// The menu (learners).
export const menuTitle = (s: { due: number; seen: number; questions: number; mastered: number }): string =>
  `Interview practice: ${s.due} due, ${s.seen} of ${s.questions} questions seen, ${s.mastered} mastered`;
export const menuPractise = (due: number): string => (due ? `Practise: ${due} due for review, then new questions` : 'Practise new questions');
export const menuReview = (due: number): string => `Review only what is due (${due})`;
export const menuTopic = 'Practise one topic';
export const menuExam = (n: number, minutes: number): string => `Mock interview (${n} questions, ${minutes} minutes, timed)`;
export const menuBack = 'Back';
export const whichTopic = 'Which topic?';
export const topicChoice = (r: { title: string; seen: number; questions: number; due: number }): string =>
  `${r.title} (${r.seen}/${r.questions} seen${r.due ? `, ${r.due} due` : ''})`;
