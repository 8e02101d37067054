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
