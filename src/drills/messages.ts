/**
 * Every sentence the drills show a person: learners (start, check, hint, give-up, status) and
 * drill authors (load problems). The drills themselves live in lessons/drills/.
 */

const code = (s: string) => `\`${s}\``;

// Loading drills (for authors).
export const drillsInvalid = (count: number): string => `the drills have ${count} problem${count === 1 ? '' : 's'}:`;
export const noDrills = (dir: string): string => `no drills found in ${dir} (drill files are named <id>.md)`;
export const badDrillFileName = 'drill files are named <id>.md (a kebab-case id); rename it or move it out of lessons/drills/';
export const noPostMortem = 'the body needs a `## Post-mortem` heading: the story goes before it, what an interviewer wants to hear after it';
export const emptyStory = 'the story (the text before `## Post-mortem`) is empty';
export const emptyPostMortem = 'the post-mortem (the text after `## Post-mortem`) is empty';
export const unknownDrillPlaceholder = (name: string, known: readonly string[]): string =>
  `unknown placeholder {{${name}}} (known: ${known.join(', ')}; a drill's setup adds more with vars:)`;
export const noScenario = (id: string): string => `there is no src/drills/scenarios/${id}.ts for this drill: its setup and check live there`;
export const scenarioWithoutDrill = (id: string): string => `src/drills/scenarios/${id}.ts has no lessons/drills/${id}.md`;
export const unknownTopic = (topic: string, known: readonly string[]): string => `'${topic}' is not a question bank topic (known: ${known.join(', ')})`;

// Learners.
export const unknownDrill = (name: string, known: readonly string[]): string =>
  `There is no drill '${name}'. The drills: ${known.join(', ')} (see them with: ecr-workbook drill list)`;
export const noCurrentDrill = `No drill is in progress. Pick one with ${code('ecr-workbook drill list')}, then ${code('ecr-workbook drill start <name>')}.`;
export const otherDrillInProgress = (current: string, wanted: string): string =>
  `The drill '${current}' is in progress. Finish it (${code('ecr-workbook drill check')}) or stop it (${code('ecr-workbook drill give-up')}), then start '${wanted}'.`;
export const onAwsTarget =
  'Your course runs on real AWS, and drills always run on the local ECR sandbox: they break things on purpose (IAM policies, expired logins, lifecycle rules), which no real account should see. Your AWS course is not touched.';
export const symptomDidNotFail = (command: string, output: string): string =>
  `The drill's setup did not break what it should: ${code(command)} succeeded. Its output:\n${output}\nThe drill was cleaned up. Please report this (with ${code('ecr-workbook --version')}).`;
export const setupFailed = (step: string, detail: string): string => `Setting the drill up failed while ${step}: ${detail}`;
export const envIntro = 'Work in the drill\'s own environment: its own docker config and aws profiles, so your ~/.docker and ~/.aws are never touched.';
export const envLine = 'eval "$(ecr-workbook drill env)"';
export const leaveEnv = `Back to your own environment: eval "$(ecr-workbook drill env --unset)" (then, for the course, eval "$(ecr-workbook sandbox env)").`;
export const whenFixed = `When you think it is fixed: ${code('ecr-workbook drill check')}. A hint: ${code('ecr-workbook drill hint')}. Stuck: ${code('ecr-workbook drill give-up')} shows the fix.`;
export const oldAwsCli = (endpoint: string): string =>
  `Your aws CLI is older than v1.29 / v2.13 and does not read the endpoint from the environment: add ${code(`--endpoint-url ${endpoint}`)} to your aws commands (the hints and the fix carry it).`;
export const solved = (title: string): string => `Solved: ${title}.`;
export const gaveUp = (title: string): string => `You gave up on: ${title}. Here is the fix; try the drill again later with the same start command.`;
export const allHintsShown = (total: number): string => `That is every hint (${total}). Still stuck? ${code('ecr-workbook drill give-up')} shows the fix.`;
export const moreHints = (shown: number, total: number): string => `Hint ${shown} of ${total}. Another one: ${code('ecr-workbook drill hint')}.`;
export const cleanedUp = (items: readonly string[]): string => (items.length ? `Cleaned up: ${items.join(', ')}.` : 'Nothing was left to clean up.');
export const notRerun = (command: string): string => `The cause is fixed; now run the command that failed again: ${command}`;

// The menu, and the words around a drill's text.
export const menuInProgress = (id: string, solved: number, total: number): string => `Drill in progress: ${id} (${solved} of ${total} solved)`;
export const menuPick = (solved: number, total: number): string => `Break-fix drills: ${solved} of ${total} solved. Which one?`;
export const menuCheck = 'Check my fix';
export const menuHint = (next: number, total: number): string => (next <= total ? `A hint (${next} of ${total})` : 'The hints (all shown)');
export const menuShow = 'Show the drill again (story, failing command, environment)';
export const menuGiveUp = 'Give up: show the fix and the post-mortem';
export const menuBack = 'Back';
export const endedElsewhere = (id: string, outcome: 'solved' | 'gave-up' | undefined): string =>
  `The drill ${id} ended in your other shell${outcome === 'solved' ? ': solved' : outcome === 'gave-up' ? ': you gave up on it' : ''}. Pick the next one.`;
export const menuSettingUp = 'Setting the drill up on the sandbox…';
export const menuOtherShell = 'Run the commands in your own shell, in another terminal; come back here to check.';
export const confirmGiveUp = 'Give up on this drill? You will see the fix, and the drill is cleaned up.';
export const symptomHeading = "The command that fails, run just now in the drill's environment:";
export const postMortemHeading = 'Post-mortem';
export const fixHeading = 'The fix:';
export const diagnosisOnly = (id: string): string => `Diagnosis: ${id}. A hint: ecr-workbook drill hint`;
export const listFooter = (solved: number, total: number): string => `${solved} of ${total} solved (✔ solved, ~ gave up, ▶ in progress). Start one: ecr-workbook drill start <name>`;
export const noDrillInProgress = (solved: number, total: number): string => `No drill is in progress; ${solved} of ${total} solved. See them with: ecr-workbook drill list`;
export const inProgressSince = (startedAt: string, hints: number, checks: number, solved: number, total: number): string =>
  `In progress since ${startedAt}: ${hints} hint(s), ${checks} check(s). ${solved} of ${total} drills solved.`;
export const statusLine = (solved: number, total: number, current: string | undefined): string =>
  `${solved} of ${total} solved.${current ? ` In progress: ${current} (\`ecr-workbook drill status\`).` : ' Try one: `ecr-workbook drill list`.'}`;
