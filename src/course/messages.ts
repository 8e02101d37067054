/**
 * Every sentence the course library shows a person: learners (progress, lesson chrome) and
 * lesson authors (load and lint errors). Lesson content itself lives in lessons/.
 */

// Lesson chrome, around a rendered lesson.
export const lessonMinutes = (minutes: number): string => `About ${minutes} minute${minutes === 1 ? '' : 's'}.`;
export const lessonObjectivesIntro = 'By the end you can:';

// Templates.
export const unknownPlaceholder = (name: string, known: readonly string[]): string =>
  `unknown placeholder {{${name}}} (known: ${known.join(', ')})`;
export const sandboxOnlyPlaceholder = (name: string): string =>
  `{{${name}}} has a value only on the sandbox target: use it inside a <!-- sandbox --> block or a solution's sandbox: list`;
export const placeholderWithoutValue = (name: string): string =>
  `placeholder {{${name}}} has no value for this target`;
export const quizNotTemplated = (name: string): string => `quiz text is shown as written: {{${name}}} would not be replaced`;

// Target blocks (`<!-- sandbox -->` … `<!-- /sandbox -->`).
export const blockNotClosed = (target: string, line: number): string => `line ${line}: <!-- ${target} --> is never closed with <!-- /${target} -->`;
export const blockNested = (target: string, line: number, open: string): string =>
  `line ${line}: <!-- ${target} --> opens inside the <!-- ${open} --> block; close that first`;
export const blockStrayClose = (target: string, line: number): string => `line ${line}: <!-- /${target} --> closes a block that is not open`;

// Loading lessons.
export const noLessons = (dir: string): string => `no lessons found in ${dir} (lesson files are named NN-slug.md)`;
export const badLessonFileName = 'lesson files are named NN-slug.md (two digits, a dash, a kebab-case slug); rename it or move it out of lessons/';
export const noFrontMatter = 'must start with YAML front matter between two --- lines';
export const frontMatterNotMapping = 'front matter must be a YAML mapping (key: value lines)';
export const yamlError = (message: string): string => `front matter is not valid YAML: ${message}`;
export const idDoesNotMatchFile = (id: string, slug: string): string => `must equal the file name's slug '${slug}' (it is '${id}')`;
export const duplicateLessonNumber = (number: string, other: string): string => `lesson number ${number} is also used by ${other}`;
export const duplicateLessonId = (id: string, other: string): string => `lesson id '${id}' is also used by ${other}`;
export const duplicateStepId = (id: string, other: string): string => `step id '${id}' is also used in ${other}`;
export const emptyBody = 'the lesson has no text after its front matter';
export const courseInvalid = (count: number): string => `the course has ${count} problem${count === 1 ? '' : 's'}:`;
export const lessonsFolderNotFound = (from: string): string =>
  `could not find the lessons folder of ecr-workbook (looked upwards from ${from}); reinstall the package or pass the folder explicitly`;

// Resolving the sandbox target.
export const regionDiffersFromSandbox = (region: string, sandboxRegion: string, registry: string): string =>
  `Your region is ${region}, but the running sandbox serves ${sandboxRegion}: its registry ${registry} takes logins for ${sandboxRegion} only ` +
  `(lesson 04's login would fail with 400 Bad Request), and \`ecr-workbook sandbox env\` exports ${sandboxRegion}. Use --region ${sandboxRegion}, ` +
  `or restart the sandbox in ${region}: ecr-workbook sandbox down && ecr-workbook sandbox up --region ${region}`;

// Progress.
export const progressCorrupt = (movedTo: string, reason: string): string =>
  `Your progress file could not be read: ${reason}. It was moved to ${movedTo} and your progress starts fresh; ` +
  'run `ecr-workbook check` on each step you already did to mark it passed again.';
