/**
 * The least-privilege IAM policy for the course: what `ecr-workbook iam-policy` prints. Logging
 * in is the one ECR action that cannot be scoped to a repository; everything else is allowed on
 * the learner's own repository only, in any region (a repository made in the wrong region must
 * still be found and deleted). Lesson 10's IAM actions are allowed on its one CI user only, which
 * may be given the read-only ECR policy and no other (a course identity that could attach any
 * policy to a user it makes keys for could make itself an administrator). The policy simulator
 * answers lesson 11's check on `*`. sts:GetCallerIdentity needs no permission at all.
 */
import { ciUserFor } from '../course/vars.js';
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
  'ecr:SetRepositoryPolicy': 'lesson 11: share the repository with your second account',
  'ecr:GetRepositoryPolicy': "lesson 11 and its check: read the repository's policy",
};

/** Each IAM action the course uses on lesson 10's CI user (and nothing else), and who uses it. */
export const CI_USER_ACTIONS: Readonly<Record<string, string>> = {
  'iam:CreateUser': 'lesson 10: create the CI user',
  'iam:TagUser': 'lesson 10: the ownership tags given at creation',
  'iam:GetUser': 'the checks: does the CI user exist',
  'iam:ListUserTags': 'cleanup: did the course create it',
  'iam:ListAttachedUserPolicies': 'the checks and cleanup: what it holds',
  'iam:DetachUserPolicy': 'lesson 10 and cleanup: take a policy off before deleting it',
  'iam:ListUserPolicies': 'the checks and cleanup: its inline policies',
  'iam:GetUserPolicy': 'the checks: an inline policy that names the wrong ARN',
  'iam:DeleteUserPolicy': 'cleanup: inline policies go before the user',
  'iam:CreateAccessKey': 'lesson 10: its key, for the profile ci-reader',
  'iam:ListAccessKeys': 'lesson 10 and cleanup: its keys',
  'iam:DeleteAccessKey': 'lesson 10 and cleanup: keys go before the user',
  'iam:DeleteUser': 'lesson 10 and cleanup: delete it',
  'iam:SimulatePrincipalPolicy': 'the check: may it pull, and not push',
};

/** The one policy the CI user may be given: pull and read, never push. */
export const CI_USER_POLICY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';

/** The action `docker login` needs (through get-login-password); ECR allows it only on `*`. */
export const LOGIN_ACTION = 'ecr:GetAuthorizationToken';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The repository ARN the policy allows, in every region and (for a shareable policy) any account. */
export function repositoryArnPattern(repositoryName: string, region?: string): string {
  return `arn:${partitionOf(region)}:ecr:*:*:repository/${repositoryName}`;
}

/** Lesson 10's CI user, in any account (`alice-ci-reader` for learner alice). */
export function ciUserArnPattern(repositoryName: string, region?: string): string {
  return `arn:${partitionOf(region)}:iam::*:user/${ciUserFor(repositoryName)}`;
}

/** The course's least-privilege policy for one repository (`alice/demo-app` for learner alice) and its CI user. */
export function coursePolicy(repositoryName: string, region?: string): IamPolicy {
  const ciUser = ciUserArnPattern(repositoryName, region);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EcrLogin', Effect: 'Allow', Action: LOGIN_ACTION, Resource: '*' },
      { Sid: 'CourseRepository', Effect: 'Allow', Action: Object.keys(REPOSITORY_ACTIONS), Resource: repositoryArnPattern(repositoryName, region) },
      { Sid: 'CiUser', Effect: 'Allow', Action: Object.keys(CI_USER_ACTIONS), Resource: ciUser },
      // The read-only policy and no other: attaching any policy would make the course identity an administrator.
      { Sid: 'CiUserReadOnly', Effect: 'Allow', Action: 'iam:AttachUserPolicy', Resource: ciUser, Condition: { ArnEquals: { 'iam:PolicyARN': CI_USER_POLICY.replace(':aws:', `:${partitionOf(region)}:`) } } },
      // SimulateCustomPolicy has no resource of its own: lesson 11's check weighs your repository's policy with it.
      { Sid: 'PolicySimulator', Effect: 'Allow', Action: 'iam:SimulateCustomPolicy', Resource: '*' },
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
