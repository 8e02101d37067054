/**
 * The least-privilege IAM policy for the course: what `ecr-workbook iam-policy` prints. Logging
 * in is the one action that cannot be scoped to a repository; everything else is allowed on the
 * learner's own repository only, in any region (a repository made in the wrong region must still
 * be found and deleted). sts:GetCallerIdentity needs no permission at all.
 */
import { partitionOf } from './regions.js';

/** Each action the course uses on its repository, and which lesson or command uses it. */
export const REPOSITORY_ACTIONS: Readonly<Record<string, string>> = {
  'ecr:CreateRepository': 'lesson 03: create the repository',
  'ecr:TagResource': 'lesson 03: the ownership tags given at creation',
  'ecr:PutImageTagMutability': 'lesson 03 hint: fix tag mutability in place',
  'ecr:PutImageScanningConfiguration': 'lesson 03 hint: fix scan on push in place',
  'ecr:DescribeRepositories': 'the checks: does the repository exist, with which settings',
  'ecr:ListTagsForResource': 'cleanup: did the course create it',
  'ecr:BatchCheckLayerAvailability': 'lesson 07: push (and pull)',
  'ecr:InitiateLayerUpload': 'lesson 07: push',
  'ecr:UploadLayerPart': 'lesson 07: push',
  'ecr:CompleteLayerUpload': 'lesson 07: push',
  'ecr:PutImage': 'lesson 07: push',
  'ecr:DescribeImages': 'lesson 08 and the checks: digest, size, push time',
  'ecr:ListImages': 'lesson 08: list images',
  'ecr:BatchGetImage': 'lesson 07 check (which image was pushed) and lesson 08: pull',
  'ecr:GetDownloadUrlForLayer': 'lesson 08: pull',
  'ecr:BatchDeleteImage': 'lesson 09: delete the image',
  'ecr:DeleteRepository': 'lesson 09 and cleanup: delete the repository',
};

/** The action `docker login` needs (through get-login-password); ECR allows it only on `*`. */
export const LOGIN_ACTION = 'ecr:GetAuthorizationToken';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The repository ARN the policy allows, in every region and (for a shareable policy) any account. */
export function repositoryArnPattern(repositoryName: string, region?: string): string {
  return `arn:${partitionOf(region)}:ecr:*:*:repository/${repositoryName}`;
}

/** The course's least-privilege policy for one repository (`alice/demo-app` for learner alice). */
export function coursePolicy(repositoryName: string, region?: string): IamPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: LOGIN_ACTION, Resource: '*' },
      { Sid: 'CourseRepository', Effect: 'Allow', Action: Object.keys(REPOSITORY_ACTIONS), Resource: repositoryArnPattern(repositoryName, region) },
    ],
  };
}

/** The repositories one classroom learner may touch on a shared account: their prefix, in the room's region and account. */
export function learnerPrefixArn(learner: string, region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:ecr:${region}:${accountId}:repository/${learner}/*`;
}

/**
 * The policy a classroom learner's IAM identity gets on a shared account (`classroom roster`):
 * logging in, and every course action on `<learner>/*` only, so one learner can never touch
 * another's repositories.
 */
export function learnerPrefixPolicy(learner: string, region: string, accountId: string): IamPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: LOGIN_ACTION, Resource: '*' },
      { Sid: 'OwnPrefixOnly', Effect: 'Allow', Action: Object.keys(REPOSITORY_ACTIONS), Resource: learnerPrefixArn(learner, region, accountId) },
    ],
  };
}
