import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  ListTagsForResourceCommand,
  PutImageTagMutabilityCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, policyText, type TestUser } from '../helpers/iam.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError, seedImage } from './api-helpers.js';

/**
 * IAM enforced on every ECR API call: `ecr:<Operation>` on the repository the call names, the
 * repository policy as the resource-based policy, aws:ResourceTag from its tags, and calls into
 * the second account's registry (registryId) evaluated across accounts. Denials in AWS's words.
 */

const MAIN = '123456789012';
const SECOND = '111122223333';
const repoArn = (name: string, account = MAIN) => `arn:aws:ecr:us-east-1:${account}:repository/${name}`;
const denied = (who: string, action: string, resource: string, why: string) => `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
const noIdentity = (action: string) => `because no identity-based policy allows the ${action} action`;
const noResource = (action: string) => `because no resource-based policy allows the ${action} action`;

let sandbox: TestSandbox;
let admin: ECRClient;
let partner: ECRClient;
const partnerArn = `arn:aws:iam::${SECOND}:user/partner-admin`;
const as = (u: TestUser) => ecrClient(sandbox, { accessKeyId: u.accessKeyId, secretAccessKey: u.secretAccessKey });

beforeAll(async () => {
  sandbox = await startTestSandbox({ withoutRegistry: true });
  admin = ecrClient(sandbox);
  const key = sandbox.iam.secondAccountKey()!;
  partner = ecrClient(sandbox, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey! });
  await admin.send(new CreateRepositoryCommand({ repositoryName: 'demo-app' }));
  seedImage(sandbox, 'demo-app', { seed: 'v1', tags: ['v1'] });
  await admin.send(new CreateRepositoryCommand({ repositoryName: 'team-ci', tags: [{ Key: 'team', Value: 'ci' }] }));
  await admin.send(new CreateRepositoryCommand({ repositoryName: 'team-web', tags: [{ Key: 'team', Value: 'web' }] }));
});
afterAll(async () => {
  admin?.destroy();
  partner?.destroy();
  await sandbox?.stop();
});

describe('identity policies', () => {
  it('a read-only user describes, and is refused a create on the new repository ARN', async () => {
    const reader = await createUser(sandbox, 'reader', { managed: ['AmazonEC2ContainerRegistryReadOnly'] });
    const ecr = as(reader);
    try {
      await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['demo-app'] }));
      await expectAwsError(
        ecr.send(new CreateRepositoryCommand({ repositoryName: 'sneaky' })),
        'AccessDeniedException',
        denied(reader.arn, 'ecr:CreateRepository', repoArn('sneaky'), noIdentity('ecr:CreateRepository')),
      );
    } finally {
      ecr.destroy();
    }
  });

  it('GetAuthorizationToken is on `*`; listing all repositories is on the region\'s repository/*', async () => {
    const nobody = await createUser(sandbox, 'nobody');
    const ecr = as(nobody);
    try {
      await expectAwsError(ecr.send(new GetAuthorizationTokenCommand({})), 'AccessDeniedException', denied(nobody.arn, 'ecr:GetAuthorizationToken', '*', noIdentity('ecr:GetAuthorizationToken')));
      await expectAwsError(
        ecr.send(new DescribeRepositoriesCommand({})),
        'AccessDeniedException',
        denied(nobody.arn, 'ecr:DescribeRepositories', `arn:aws:ecr:us-east-1:${MAIN}:repository/*`, noIdentity('ecr:DescribeRepositories')),
      );
      await expectAwsError(
        ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team-web'] })),
        'AccessDeniedException',
        denied(nobody.arn, 'ecr:DescribeRepositories', repoArn('team-web'), noIdentity('ecr:DescribeRepositories')),
      );
    } finally {
      ecr.destroy();
    }
  });

  it('an explicit Deny wins over FullAccess, in its own words', async () => {
    const careful = await createUser(sandbox, 'careful', {
      managed: ['AmazonEC2ContainerRegistryFullAccess'],
      inline: { 'no-deletes': policyText({ Effect: 'Deny', Action: 'ecr:DeleteRepository', Resource: '*' }) },
    });
    const ecr = as(careful);
    try {
      await expectAwsError(
        ecr.send(new DeleteRepositoryCommand({ repositoryName: 'team-web' })),
        'AccessDeniedException',
        denied(careful.arn, 'ecr:DeleteRepository', repoArn('team-web'), 'with an explicit deny in an identity-based policy'),
      );
    } finally {
      ecr.destroy();
    }
  });

  it('aws:ResourceTag/* comes from the repository tags', async () => {
    const ciOnly = await createUser(sandbox, 'ci-only', {
      inline: { ci: policyText({ Effect: 'Allow', Action: 'ecr:ListTagsForResource', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'ci' } } }) },
    });
    const ecr = as(ciOnly);
    try {
      expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: repoArn('team-ci') }))).tags).toEqual([{ Key: 'team', Value: 'ci' }]);
      await expectAwsError(
        ecr.send(new ListTagsForResourceCommand({ resourceArn: repoArn('team-web') })),
        'AccessDeniedException',
        denied(ciOnly.arn, 'ecr:ListTagsForResource', repoArn('team-web'), noIdentity('ecr:ListTagsForResource')),
      );
    } finally {
      ecr.destroy();
    }
  });
});

describe('repository policies (resource-based)', () => {
  it('same account: a repository policy naming the user is enough; a Deny in it wins over the admin', async () => {
    const guest = await createUser(sandbox, 'guest');
    await admin.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'team-ci',
        policyText: policyText(
          { Sid: 'GuestReads', Effect: 'Allow', Principal: { AWS: guest.arn }, Action: 'ecr:DescribeImages' },
          { Sid: 'KeepIt', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' },
        ),
      }),
    );
    const ecr = as(guest);
    try {
      await ecr.send(new DescribeImagesCommand({ repositoryName: 'team-ci' }));
      await expectAwsError(
        ecr.send(new DescribeImagesCommand({ repositoryName: 'team-web' })),
        'AccessDeniedException',
        denied(guest.arn, 'ecr:DescribeImages', repoArn('team-web'), noIdentity('ecr:DescribeImages')),
      );
      await expectAwsError(
        admin.send(new DeleteRepositoryCommand({ repositoryName: 'team-ci', force: true })),
        'AccessDeniedException',
        denied(`arn:aws:iam::${MAIN}:user/ecr-learner`, 'ecr:DeleteRepository', repoArn('team-ci'), 'with an explicit deny in a resource-based policy'),
      );
    } finally {
      ecr.destroy();
    }
  });

  it('a repository policy that is not one IAM can read is refused as ECR words it', async () => {
    await expectAwsError(
      admin.send(new SetRepositoryPolicyCommand({ repositoryName: 'team-web', policyText: policyText({ Effect: 'Allow', Principal: '*', Action: 'DescribeImages' }) })),
      'InvalidParameterException',
      "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
    );
  });
});

describe('the second account', () => {
  it('has its own registry: its repositories carry its id and the 127.0.0.1 host, and its login points there', async () => {
    const { repository } = await partner.send(new CreateRepositoryCommand({ repositoryName: 'partner-app' }));
    expect(repository).toMatchObject({ registryId: SECOND, repositoryArn: repoArn('partner-app', SECOND), repositoryUri: `127.0.0.1:${sandbox.port}/partner-app` });
    const mine = await admin.send(new DescribeRepositoriesCommand({}));
    expect(mine.repositories!.map((r) => r.repositoryName)).not.toContain('partner-app');
    const { authorizationData } = await partner.send(new GetAuthorizationTokenCommand({}));
    expect(authorizationData![0]!.proxyEndpoint).toBe(`http://127.0.0.1:${sandbox.port}`);
  });

  it('reading the first account needs a repository policy: denied without one, in the resource-based words', async () => {
    await expectAwsError(
      partner.send(new DescribeImagesCommand({ registryId: MAIN, repositoryName: 'demo-app' })),
      'AccessDeniedException',
      denied(partnerArn, 'ecr:DescribeImages', repoArn('demo-app'), noResource('ecr:DescribeImages')),
    );
    // The first account's admin reaching into an account nobody shared with it: the same words.
    await expectAwsError(
      admin.send(new DescribeRepositoriesCommand({ registryId: '999999999999' })),
      'AccessDeniedException',
      denied(`arn:aws:iam::${MAIN}:user/ecr-learner`, 'ecr:DescribeRepositories', 'arn:aws:ecr:us-east-1:999999999999:repository/*', noResource('ecr:DescribeRepositories')),
    );
  });

  it('a repository policy for the second account lets it read, and only what it grants; its own identity policy must allow too', async () => {
    await admin.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'demo-app',
        policyText: policyText({
          Sid: 'PartnerPulls',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${SECOND}:root` },
          Action: ['ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        }),
      }),
    );
    const { imageDetails } = await partner.send(new DescribeImagesCommand({ registryId: MAIN, repositoryName: 'demo-app' }));
    expect(imageDetails!.map((d) => [d.registryId, d.imageTags])).toEqual([[MAIN, ['v1']]]);
    await expectAwsError(
      partner.send(new PutImageTagMutabilityCommand({ registryId: MAIN, repositoryName: 'demo-app', imageTagMutability: 'IMMUTABLE' })),
      'AccessDeniedException',
      denied(partnerArn, 'ecr:PutImageTagMutability', repoArn('demo-app'), noResource('ecr:PutImageTagMutability')),
    );
    // A user of the second account with no policy of its own is refused, though the account is trusted.
    const key = sandbox.iam.secondAccountKey()!;
    const stranger = await createUser(sandbox, 'stranger', {}, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey! });
    const ecr = as(stranger);
    try {
      await expectAwsError(
        ecr.send(new DescribeImagesCommand({ registryId: MAIN, repositoryName: 'demo-app' })),
        'AccessDeniedException',
        denied(stranger.arn, 'ecr:DescribeImages', repoArn('demo-app'), noIdentity('ecr:DescribeImages')),
      );
    } finally {
      ecr.destroy();
    }
  });
});
