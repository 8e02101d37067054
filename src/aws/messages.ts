/**
 * Every sentence the real-AWS parts show a person: the identity confirmation, cleanup, the
 * leftovers on quitting, and resolving the aws target. Each names the next thing to do.
 */
import { formatBytes, formatUsd } from './cost.js';

export interface Identity {
  accountId: string;
  callerArn?: string;
  region: string;
  repositoryName: string;
}

// Resolving the aws target.
export const noRegion =
  'No AWS region is set. Pass --region (for example --region us-east-1; it is remembered), set AWS_REGION, or run `aws configure set region <region> --profile <profile>`.';
export const badRegionName = (region: string): string =>
  `'${region}' is not a region name: they look like us-east-1 or eu-west-2. Pass the right one with --region (it is remembered).`;
export const awsUnreachable = (explanation: string): string => `Could not use AWS: ${explanation}`;
export const identityUnknown = (problem: string, profile: string | undefined): string =>
  `AWS does not know who you are yet${profile ? ` (profile ${profile})` : ''}: ${problem}\n` +
  'Lesson 02 sets up your credentials. Before the course creates anything, the workbook shows your account and region and asks.';

// The identity confirmation, once per account and region.
export const identityBox = (id: Identity): string =>
  [
    'This course runs on real AWS:',
    `  Account  ${id.accountId}`,
    `  Caller   ${id.callerArn ?? '(unknown)'}`,
    `  Region   ${id.region}`,
    `You will create one repository, ${id.repositoryName}, and push a small image to it. Storage costs $0.10 per GB-month`,
    '(well under a cent for this course) until you delete it: lesson 09 does, and `ecr-workbook cleanup` finds anything left.',
  ].join('\n');
export const confirmQuestion = (id: Identity): string => `Use account ${id.accountId} in ${id.region} for the course?`;
export const confirmNeedsYes = (id: Identity): string =>
  `${identityBox(id)}\n\nNothing was done: confirming needs a terminal. Run the command again with --yes to use account ${id.accountId} in ${id.region} ` +
  '(asked once per account and region), or use the free local sandbox with --target sandbox.';
export const confirmDeclined =
  'Nothing was done. For another account or region pass --profile <name> or --region <region>; for the free local sandbox, --target sandbox.';
export const confirmedBy = (id: Identity, how: 'yes' | 'flag'): string =>
  how === 'flag' ? `Using account ${id.accountId} (${id.callerArn ?? 'unknown caller'}) in ${id.region} (--yes).` : `Using account ${id.accountId} in ${id.region}.`;

// Cleanup.
export interface RepositoryLine {
  name: string;
  region: string;
  images: number;
  bytes: number;
  monthlyUsd: number;
  problem?: string;
}

const images = (n: number) => `${n} image${n === 1 ? '' : 's'}`;

/** One repository as a line: name, region, images, size, cost. */
export const repositoryLine = (r: RepositoryLine, free: boolean): string =>
  r.problem
    ? `${r.name} (${r.region}): could not look inside: ${r.problem}`
    : `${r.name} (${r.region}): ${images(r.images)}, ${formatBytes(r.bytes)}, ${free ? `would cost about ${formatUsd(r.monthlyUsd)} a month on AWS` : `about ${formatUsd(r.monthlyUsd)} a month`}`;
export const cleanupWhere = (target: 'sandbox' | 'aws', accountId: string, region: string): string =>
  target === 'sandbox' ? `In the sandbox (${region}); it is free, nothing here is billed.` : `On AWS, account ${accountId}, ${region}.`;
export const cleanupOwnedHeader = (n: number): string => `The course created ${n === 1 ? 'this repository' : `these ${n} repositories`} (tagged created-by=ecr-workbook, or recorded in your progress):`;
export const cleanupNothingOwned = 'Nothing the course created is left.';
export const cleanupNotOwnedHeader =
  'Left alone, because the workbook cannot show the course created them (no ecr-workbook tag, not in your progress). Delete them yourself if they are yours:';
export const cleanupOtherLearner = (owner: string): string => `tagged for learner '${owner}', not you`;
export const cleanupOtherLearners = (n: number): string =>
  `${n} more repositor${n === 1 ? 'y was' : 'ies were'} created by the course for other learners (tag ecr-workbook-learner); left alone.`;
export const cleanupListLimited =
  'Your IAM policy does not allow listing every repository, so only the course repository and those in your progress were looked at.';
export const cleanupTotal = (usd: number, free: boolean): string =>
  free ? 'Deleting them is free, and so was keeping them.' : `Together about ${formatUsd(usd)} a month, until deleted.`;
export const cleanupDryRun = 'Dry run: nothing was deleted. Run `ecr-workbook cleanup` to delete the repositories listed first.';
export const cleanupConfirm = (n: number): string => `Delete ${n === 1 ? 'it' : `all ${n}`} with every image inside?`;
export const cleanupNeedsYes = 'Nothing was deleted: confirming needs a terminal. Run `ecr-workbook cleanup --yes` to delete them (or --dry-run to only look).';
export const cleanupDeclined = 'Nothing was deleted.';
export const cleanupDeleted = (name: string, region: string): string => `Deleted ${name} (${region}).`;
export const cleanupFailed = (name: string, region: string, why: string): string => `Could not delete ${name} (${region}): ${why}`;
/** Lesson 10's IAM user as a line: name, keys, policies. */
export const userLine = (u: { name: string; keys: number; policies: number; problem?: string }): string =>
  u.problem
    ? `IAM user ${u.name}: could not look at it: ${u.problem}`
    : `IAM user ${u.name}: ${u.keys} access key${u.keys === 1 ? '' : 's'}, ${u.policies} polic${u.policies === 1 ? 'y' : 'ies'} (IAM users cost nothing; an unused key is a risk)`;
export const cleanupUsersHeader = "Lesson 10's IAM user (tagged created-by=ecr-workbook), deleted with its keys and policies:";
export const cleanupUsersKeptHeader = 'Left alone, because the workbook cannot show the course created it (no ecr-workbook tag, or another learner\'s):';
export const cleanupUserKept = (u: { ownership: string; learner?: string }): string =>
  u.ownership === 'other-learner' ? `tagged for learner '${u.learner ?? ''}', not you` : 'no created-by=ecr-workbook tag';
export const cleanupUserDeleted = (name: string): string => `Deleted IAM user ${name} (its keys and policies first).`;
export const cleanupUserFailed = (name: string, why: string): string => `Could not delete IAM user ${name}: ${why}`;
export const cleanupDone = (free: boolean): string =>
  free ? 'The sandbox is clean.' : 'Nothing the course created is left, so it costs nothing more. (`ecr-workbook status` shows your progress, which is kept.)';

// Leftovers when quitting or in status.
export const leftoversNone = (target: 'sandbox' | 'aws', region: string): string =>
  target === 'aws' ? `Nothing the course created is left on AWS in ${region}.` : `Nothing the course created is left in the sandbox.`;
export const leftoversSome = (target: 'sandbox' | 'aws', region: string, lines: string[], usd: number): string =>
  [
    target === 'aws' ? `Still on AWS in ${region}, about ${formatUsd(usd)} a month until deleted:` : 'Still in the sandbox (free):',
    ...lines.map((l) => `  ${l}`),
    'Lesson 09 deletes it; so does `ecr-workbook cleanup` (add --dry-run to look first).',
  ].join('\n');
export const leftoversUnknown = (why: string): string =>
  `Could not list what the course left on AWS: ${why}\nLook with: ecr-workbook cleanup --dry-run`;

// iam-policy.
export const iamPolicyNote = (repositoryName: string): string =>
  `The least-privilege policy for this course and the repository ${repositoryName}. Attach it to your IAM user or role ` +
  '(IAM console: Policies → Create policy → JSON), or use the AWS managed policy AmazonEC2ContainerRegistryPowerUser.';
