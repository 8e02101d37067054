/**
 * Every sentence the classroom shows a person: the instructor's commands, the learner's `join`,
 * the notes reporting prints, and the board page's words (handed to board.js in its data block,
 * so the script holds no text of its own). Each names the next thing to do.
 */
import { formatUsd } from '../aws/cost.js';

// classroom start / status / stop
export const started = (code: string, again: boolean, learners: number) =>
  again ? `Classroom ${code} is running again, with the ${learners} learner${learners === 1 ? '' : 's'} it had.` : `Classroom ${code} is open.`;
export const alreadyRunning = (code: string) => `Classroom ${code} was already running.`;
export const joinWith = (command: string) => `Learners join with:\n  ${command}`;
export const boardAt = (url: string) => `The live board (on this machine): ${url}`;
export const nextSteps = 'See it any time with `ecr-workbook classroom status`; `classroom report` prints the board; `classroom stop` closes the room (its results are kept).';
export const awsRoomFacts = (accountId: string, region: string) =>
  `Shared AWS account ${accountId}, ${region}: each learner works under their own prefix (alice/demo-app). \`ecr-workbook classroom roster\` prints each learner's IAM policy to attach; \`classroom sweep\` deletes what the room created.`;
export const hostWarning = (host: string) =>
  `warning: --host ${host} makes the classroom reachable from other machines. Learners there can join and report with the join code; the board stays on this machine. Use it only on a network you trust.`;
export const loopbackOnly = 'Only this machine can join (the classroom listens on 127.0.0.1). For a room of laptops, start it with --host 0.0.0.0 (or this machine\'s address).';
export const notRunning = (saved?: { code: string; learners: number }) =>
  `No classroom is running.${saved ? ` The room ${saved.code} (${saved.learners} learner${saved.learners === 1 ? '' : 's'}) is saved: \`classroom start\` opens it again, \`classroom start --new\` opens a new one.` : ' Start one with: ecr-workbook classroom start'}`;
export const stopped = (code: string) => `Stopped classroom ${code}. Its results are kept: \`classroom report\` prints them, \`classroom start\` opens the room again.`;
export const wasNotRunning = 'No classroom was running.';
export const archived = (file: string) => `The previous room was moved to ${file}.`;
export const otherRoomRunning = (port: number) => `A classroom is already running on port ${port}. Stop it first with \`ecr-workbook classroom stop\`.`;
export const roomTargetDiffers = (saved: string, asked: string) =>
  `The saved room is a ${saved} room, not ${asked}. Start it as it was (without --target), or open a new room with \`classroom start --new --target ${asked}\`.`;
export const noRoom = 'There is no classroom yet. Start one with: ecr-workbook classroom start';
export const awsNeedsAccount = (problem: string) =>
  `A classroom on a shared AWS account needs the instructor's own credentials, to read the learners' repositories and to sweep them: ${problem}`;
export const learnersOnlyWithStart = '--learners names the room\'s learners when a room is opened: use it with --new (or on the first start).';

// classroom roster
export const rosterSandbox = 'A sandbox room: every learner works on their own local sandbox, so there are no IAM policies to hand out.';
export const rosterEmpty = 'Nobody has joined yet, and no learners were named with --learners.';
export const rosterHeader = (accountId: string, region: string) => `Shared AWS account ${accountId}, ${region}. Each learner's IAM identity gets the policy in their file:`;
export const rosterLine = (name: string, prefix: string, file: string) => `  ${name.padEnd(16)} ${prefix.padEnd(20)} ${file}`;
export const rosterHowTo = (example: string, file: string) =>
  [
    '',
    'To give a learner an IAM user with only their prefix (once per learner; the instructor runs these):',
    `  aws iam create-user --user-name ${example}`,
    `  aws iam put-user-policy --user-name ${example} --policy-name ecr-workbook-classroom --policy-document file://${file}`,
    `  aws iam create-access-key --user-name ${example}`,
    'The learner puts that key in their `ecr-workbook` profile (lesson 02). Print one policy with: ecr-workbook classroom roster --policy <name>',
  ].join('\n');
export const noSuchLearner = (name: string) => `Nobody called '${name}' is in this classroom. See the names with: ecr-workbook classroom roster`;

// classroom sweep
export const sweepSandbox = 'A sandbox room keeps nothing on AWS: each learner cleans their own sandbox with `ecr-workbook cleanup`.';
export const sweepWhere = (accountId: string, region: string, learners: number) =>
  `Sweeping what the classroom's ${learners} learner${learners === 1 ? '' : 's'} created on AWS, account ${accountId}, ${region}.`;
export const sweepNothing = 'Nothing the room created is left.';
export const sweepOwnedHeader = (n: number) => `Created by the course for the room's learners (tagged created-by=ecr-workbook and ecr-workbook-learner=<their name>), to delete: ${n}`;
export const sweepTotal = (usd: number) => `Together about ${formatUsd(usd)} a month until deleted.`;
export const sweepKeptHeader = 'Kept, because their tags do not show this room created them:';
export const sweepKeptWhy = (ownership: string, learnerTag?: string) =>
  ownership === 'other-learner' ? `the course made it for '${learnerTag ?? '?'}', who is not in this room` : 'not tagged as the course\'s for this learner';
export const sweepOthers = (n: number) => `${n} more repositor${n === 1 ? 'y was' : 'ies were'} created by the course for learners outside this room, and are left alone.`;
export const sweepListLimited = 'Your credentials may not list every repository: only the room\'s default repositories were looked at.';
export const sweepDryRun = 'Dry run: nothing was deleted. Run `ecr-workbook classroom sweep --yes` to delete them.';
export const sweepNeedsYes = 'Deleting needs a terminal to confirm, or --yes. Nothing was deleted; `classroom sweep --dry-run` shows what would be.';
export const sweepConfirm = (n: number) => `Delete these ${n} repositor${n === 1 ? 'y' : 'ies'} and every image in them?`;
export const sweepDeclined = 'Nothing was deleted.';
export const sweepDone = 'The room left nothing behind on AWS.';

// join / leave / reporting
export const joined = (name: string, code: string, url: string, again: boolean) =>
  `${again ? 'Joined again' : 'Joined'} classroom ${code} at ${url} as ${name}.`;
export const joinedPromise =
  'From now on every check you run is also reported to the instructor\'s board: the step, pass or fail, the diagnosis and the time (never your credentials or the commands you type).';
export const joinedAws = (name: string, region: string) =>
  `This is a room on a shared AWS account: your target is now aws in ${region}, and your repositories are ${name}/… (your repository: ${name}/demo-app). Put the access key your instructor gives you in your \`ecr-workbook\` profile (lesson 02).`;
export const joinedNext = 'Carry on with `ecr-workbook` (or `ecr-workbook check`). Stop reporting with: ecr-workbook leave';
export const badUrl = (url: string) => `'${url}' is not a classroom address: it looks like http://192.168.1.20:5124 (your instructor shows it).`;
export const unreachable = (url: string, detail: string) =>
  `Could not reach the classroom at ${url} (${detail}). Check the address with your instructor, and that you are on the same network.`;
export const notAClassroom = (url: string) => `${url} answered, but it is not an ecr-workbook classroom. Check the address with your instructor.`;
export const left = (code: string) => `You left classroom ${code}: your checks are no longer reported. Your own progress is kept.`;
export const notInClassroom = 'You are not in a classroom. Join one with: ecr-workbook join <url> <code> --name <your name>';
export const reportUnreachable = (url: string) =>
  `note: the classroom at ${url} cannot be reached, so this check was not reported to your instructor (it counts here as usual).`;
export const reportRefused = (url: string, message: string) => `note: the classroom at ${url} refused the report: ${message}`;

/** The board page's words, handed to board.js. `{name}` marks a value. */
export const boardText = {
  documentTitle: 'Classroom board - ecr-workbook',
  skipToContent: 'Skip to the board',
  serviceName: 'ecr-workbook classroom',
  sandboxRoom: 'sandbox room',
  awsRoom: 'AWS account {account}, {region}',
  codeLabel: 'Join code',
  joinHeading: 'Learners join with',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  loading: 'Loading the board…',
  learnersCount: { one: '{n} learner', other: '{n} learners' },
  nobodyYet: 'Nobody has joined yet.',
  gridHeading: 'Progress',
  gridCaption: 'Each row is a learner, each column a step (lesson number and step). Select a name for the details.',
  learnerColumn: 'Learner',
  passedColumn: 'Passed',
  ecrColumn: 'On AWS',
  ecrColumnTitle: 'Repositories tagged for this learner / all repositories under their prefix',
  passed: 'passed',
  failed: 'failing',
  notStarted: 'not started',
  notJoined: 'not joined yet',
  attempts: { one: '{n} check', other: '{n} checks' },
  stuckHeading: 'Stuck longest',
  nobodyStuck: 'Nobody is stuck right now.',
  moreStuck: { one: 'And {n} more learner is stuck: the grid shows where.', other: 'And {n} more learners are stuck: the grid shows where.' },
  stepColumn: 'Step',
  diagnosisColumn: 'Diagnosis',
  forColumn: 'For',
  noDiagnosis: '(none given)',
  mistakesHeading: 'Most common mistakes now',
  noMistakes: 'No failing steps right now.',
  learnersColumn: 'Learners',
  stepsColumn: 'Steps',
  detailHeading: '{name}',
  closeDetail: 'Close',
  historyHeading: 'Checks, newest first',
  timeColumn: 'Time',
  resultColumn: 'Result',
  noHistory: 'No checks reported yet.',
  joinedAt: 'Joined {time}',
  lastSeen: 'last seen {time}',
  ecrHeading: 'Repositories under {prefix}',
  ecrNone: 'None.',
  ecrOwned: 'tagged for this learner (the sweep deletes it)',
  ecrNotOwned: 'not tagged for this learner (the sweep keeps it)',
  ecrOtherLearner: 'tagged for someone outside the room (the sweep keeps it)',
  ecrImages: { one: '{n} image', other: '{n} images' },
  ecrSummary: 'On AWS (looked at {time}): {repos} of the room\'s repositories, about {cost} a month.',
  ecrError: 'Could not read ECR: {error}',
  seconds: '{n} s',
  minutes: '{n} min',
  hours: '{h} h {m} min',
} as const;

export type BoardText = typeof boardText;
