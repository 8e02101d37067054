import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ListImagesCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_NAME_PATTERN } from '../../src/sandbox/api/validate.js';
import { ecrClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { expectAwsError, notFound, repoName, seedImage, withApiSandbox } from './api-helpers.js';

const ACCOUNT = '123456789012';

let sandbox: TestSandbox;
let ecr: ECRClient;
withApiSandbox((s, e) => {
  sandbox = s;
  ecr = e;
});

describe('CreateRepository', () => {
  it('creates a repository with ECR defaults and epoch-second createdAt', async () => {
    const name = repoName('team/app');
    const before = Date.now() / 1000;
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    expect(repository).toMatchObject({
      repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`,
      registryId: ACCOUNT,
      repositoryName: name,
      repositoryUri: `localhost:${sandbox.port}/${name}`,
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    expect(repository!.createdAt).toBeInstanceOf(Date);
    expect(repository!.createdAt!.getTime() / 1000).toBeGreaterThanOrEqual(before - 1);
    expect(repository!.imageTagMutabilityExclusionFilters).toBeUndefined();
  });

  it('takes every input: tags, mutability with exclusion filters, scanning, KMS encryption, own registryId', async () => {
    const name = repoName();
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        registryId: ACCOUNT,
        tags: [{ Key: 'owner', Value: 'ecr-workbook' }, { Key: 'empty', Value: '' }],
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }],
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS' },
      }),
    );
    expect(repository).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS' },
    });
    // KMS without a key uses the AWS managed key for ECR, named by its ARN.
    expect(repository!.encryptionConfiguration!.kmsKey).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    const stored = sandbox.store.state.regions['us-east-1']!.repositories[name]!;
    expect(stored.tags).toEqual([{ Key: 'owner', Value: 'ecr-workbook' }, { Key: 'empty', Value: '' }]);
    expect(stored.imageTagMutabilityExclusionFilters).toEqual([{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }]);
  });

  it('keeps a given KMS key', async () => {
    const kmsKey = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({ repositoryName: repoName(), encryptionConfiguration: { encryptionType: 'KMS_DSSE', kmsKey } }),
    );
    expect(repository!.encryptionConfiguration).toEqual({ encryptionType: 'KMS_DSSE', kmsKey });
  });

  it('RepositoryAlreadyExistsException for a second create', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    await expectAwsError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: name })),
      'RepositoryAlreadyExistsException',
      `The repository with name '${name}' already exists in the registry with id '${ACCOUNT}'`,
    );
  });

  it.each([
    ['Upper', `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`],
    ['a..b', `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`],
    ['a___b', `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`],
    ['team/app/', `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`],
    ['-app', `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`],
    ['a', 'must have length greater than or equal to 2'],
    ['a'.repeat(257), 'must have length less than or equal to 256'],
  ])('InvalidParameterException for the repository name %s', async (name, rule) => {
    await expectAwsError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: name })),
      'InvalidParameterException',
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: '${rule}'`,
    );
  });

  it('accepts the separators the current pattern allows', async () => {
    for (const name of [repoName('a__b'), repoName('a--b'), `${repoName('a')}/b__c`, repoName('x.y_z')]) {
      const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
      expect(repository!.repositoryName).toBe(name);
    }
  });

  it('InvalidParameterException for an unknown imageTagMutability', async () => {
    await expectAwsError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: repoName(), imageTagMutability: 'FROZEN' as never })),
      'InvalidParameterException',
      "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'",
    );
  });

  it('InvalidParameterException for an unknown encryptionType', async () => {
    await expectAwsError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: repoName(), encryptionConfiguration: { encryptionType: 'ROT13' as never } })),
      'InvalidParameterException',
      "Invalid parameter at 'encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]'",
    );
  });

  it('InvalidParameterException for a KMS key with AES256', async () => {
    await expectAwsError(
      ecr.send(
        new CreateRepositoryCommand({ repositoryName: repoName(), encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'k' } }),
      ),
      'InvalidParameterException',
      "Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: 'kmsKey can only be specified when encryptionType is KMS or KMS_DSSE'",
    );
  });

  it('InvalidParameterException for *_WITH_EXCLUSION without filters, and filters without it', async () => {
    await expectAwsError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: repoName(), imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' })),
      'InvalidParameterException',
      "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: 'ImageTagMutabilityExclusionFilters can't be null when imageTagMutability is set as IMMUTABLE_WITH_EXCLUSION'",
    );
    await expectAwsError(
      ecr.send(
        new CreateRepositoryCommand({
          repositoryName: repoName(),
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
        }),
      ),
      'InvalidParameterException',
      "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: 'ImageTagMutabilityExclusionFilters are not allowed when imageTagMutability is set as MUTABLE'",
    );
  });

  it('InvalidParameterException for a bad exclusion filter and for more than 5', async () => {
    await expectAwsError(
      ecr.send(
        new CreateRepositoryCommand({
          repositoryName: repoName(),
          imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'v1/prod' }],
        }),
      ),
      'InvalidParameterException',
      "Invalid parameter at 'filter' failed to satisfy constraint: 'Member must satisfy regular expression pattern: ^[0-9a-zA-Z._*-]{1,128}$'",
    );
    await expectAwsError(
      ecr.send(
        new CreateRepositoryCommand({
          repositoryName: repoName(),
          imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: Array.from({ length: 6 }, (_, i) => ({ filterType: 'WILDCARD' as const, filter: `f${i}` })),
        }),
      ),
      'InvalidParameterException',
      "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: 'Member must have length less than or equal to 5'",
    );
  });

  describe('tags are validated before anything is created (atomic)', () => {
    const cases: Array<[string, Array<{ Key: string; Value: string }>, string, string]> = [
      [
        'more than 50',
        Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
        'TooManyTagsException',
        'The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.',
      ],
      [
        'a key over 128 characters',
        [{ Key: 'k'.repeat(129), Value: 'v' }],
        'InvalidTagParameterException',
        `Invalid tag key '${'k'.repeat(129)}': tag keys can have a maximum character length of 128 characters.`,
      ],
      [
        'a value over 256 characters',
        [{ Key: 'team', Value: 'v'.repeat(257) }],
        'InvalidTagParameterException',
        "Invalid tag value for key 'team': tag values can have a maximum length of 256 characters.",
      ],
      [
        'the reserved aws: prefix',
        [{ Key: 'aws:createdBy', Value: 'me' }],
        'InvalidTagParameterException',
        "Invalid tag key 'aws:createdBy': the 'aws:' prefix is reserved for use by AWS.",
      ],
      [
        'a duplicate key',
        [
          { Key: 'team', Value: 'a' },
          { Key: 'team', Value: 'b' },
        ],
        'InvalidTagParameterException',
        "Invalid tag key 'team': the key appears more than once; tag keys must be unique.",
      ],
      [
        'characters outside the documented set',
        [{ Key: 'team!', Value: 'a' }],
        'InvalidTagParameterException',
        "Invalid tag key 'team!': tag keys can contain only letters, numbers, spaces and the characters + - = . _ : / @.",
      ],
    ];
    it.each(cases)('%s', async (_label, tags, code, message) => {
      const name = repoName();
      await expectAwsError(ecr.send(new CreateRepositoryCommand({ repositoryName: name, tags })), code, message);
      await expectAwsError(
        ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })),
        'RepositoryNotFoundException',
        notFound(name),
      );
    });

    it('allows exactly 50 tags with 128/256-character keys and values', async () => {
      const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `${i}`.padEnd(128, 'k'), Value: 'v'.repeat(256) }));
      const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: repoName(), tags }));
      expect(repository).toBeDefined();
    });
  });

  it('AccessDeniedException for another account\'s registryId', async () => {
    const name = repoName();
    await expectAwsError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: name, registryId: '999999999999' })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/ecr-learner is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:999999999999:repository/${name} because no resource-based policy allows the ecr:CreateRepository action`,
    );
  });

  it('InvalidParameterException for a registryId that is not 12 digits', async () => {
    await expectAwsError(
      ecr.send(new CreateRepositoryCommand({ repositoryName: repoName(), registryId: '1234' })),
      'InvalidParameterException',
      "Invalid parameter at 'registryId' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{12}'",
    );
  });
});

describe('DescribeRepositories', () => {
  let names: string[];
  let client: ECRClient;
  let isolated: TestSandbox;
  beforeAll(async () => {
    // Its own sandbox, so the pagination counts are exact.
    isolated = await startTestSandbox({ withoutRegistry: true });
    client = ecrClient(isolated);
    names = [];
    for (let i = 0; i < 5; i++) {
      const name = `page-${i}`;
      names.push(name);
      await client.send(new CreateRepositoryCommand({ repositoryName: name }));
    }
  });
  afterAll(async () => {
    client?.destroy();
    await isolated?.stop();
  });

  it('lists every repository of the region, in creation order, without nextToken on the last page', async () => {
    const out = await client.send(new DescribeRepositoriesCommand({}));
    expect(out.repositories!.map((r) => r.repositoryName)).toEqual(names);
    expect(out.nextToken).toBeUndefined();
  });

  it('describes repositories by name', async () => {
    const out = await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-3', 'page-1'] }));
    expect(out.repositories!.map((r) => r.repositoryName)).toEqual(['page-3', 'page-1']);
  });

  it('RepositoryNotFoundException when any listed name is missing', async () => {
    await expectAwsError(
      client.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-1', 'nope'] })),
      'RepositoryNotFoundException',
      notFound('nope'),
    );
  });

  it('pages with maxResults and nextToken until the token is absent', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
      pages += 1;
      expect(out.repositories!.length).toBeLessThanOrEqual(2);
      seen.push(...out.repositories!.map((r) => r.repositoryName!));
      nextToken = out.nextToken;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(names);
  });

  it.each([
    [0, "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value greater than or equal to 1'"],
    [1001, "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'"],
  ])('InvalidParameterException for maxResults %i', async (maxResults, message) => {
    await expectAwsError(client.send(new DescribeRepositoriesCommand({ maxResults })), 'InvalidParameterException', message);
  });

  it('InvalidParameterException for nextToken or maxResults with repositoryNames', async () => {
    const message =
      "Invalid parameter at 'nextToken' failed to satisfy constraint: 'nextToken and maxResults cannot be used together with repositoryNames'";
    const { nextToken } = await client.send(new DescribeRepositoriesCommand({ maxResults: 1 }));
    await expectAwsError(
      client.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-1'], nextToken })),
      'InvalidParameterException',
      message,
    );
    await expectAwsError(
      client.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-1'], maxResults: 5 })),
      'InvalidParameterException',
      message,
    );
  });

  it('InvalidParameterException for a nextToken the sandbox never issued', async () => {
    await expectAwsError(
      client.send(new DescribeRepositoriesCommand({ nextToken: 'not-a-token' })),
      'InvalidParameterException',
      "Invalid parameter at 'nextToken' failed to satisfy constraint: 'The pagination token is not valid.'",
    );
  });

  it('InvalidParameterException for more than 100 names, or an invalid one', async () => {
    await expectAwsError(
      client.send(new DescribeRepositoriesCommand({ repositoryNames: Array.from({ length: 101 }, (_, i) => `r${i}x`) })),
      'InvalidParameterException',
      "Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'Member must have length less than or equal to 100'",
    );
  });

  // ECR words a bad element of a list as the list's constraint, naming each rule it broke.
  it.each([
    ['Page-1', `Member must satisfy regular expression pattern: ${REPOSITORY_NAME_PATTERN}`],
    ['a', 'Member must have length greater than or equal to 2'],
    ['A', `Member must have length greater than or equal to 2, Member must satisfy regular expression pattern: ${REPOSITORY_NAME_PATTERN}`],
    ['a'.repeat(257), 'Member must have length less than or equal to 256'],
  ])('InvalidParameterException naming the list member for the name %s in repositoryNames', async (name, rules) => {
    await expectAwsError(
      client.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-1', name] })),
      'InvalidParameterException',
      `Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'Member must satisfy constraint: [${rules}]'`,
    );
  });

  it('AccessDeniedException for another account\'s registry', async () => {
    await expectAwsError(
      client.send(new DescribeRepositoriesCommand({ registryId: '210987654321' })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/ecr-learner is not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:210987654321:repository/* because no resource-based policy allows the ecr:DescribeRepositories action`,
    );
  });

  it('keeps repositories per signed region: another region does not see them', async () => {
    const west = ecrClient(isolated, { region: 'eu-west-1' });
    try {
      expect((await west.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
      await expectAwsError(
        west.send(new DescribeRepositoriesCommand({ repositoryNames: ['page-1'] })),
        'RepositoryNotFoundException',
        notFound('page-1'),
      );
      const { repository } = await west.send(new CreateRepositoryCommand({ repositoryName: 'page-1' }));
      expect(repository!.repositoryArn).toBe(`arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/page-1`);
      expect(isolated.store.state.regions['eu-west-1']!.repositories['page-1']).toBeDefined();
    } finally {
      west.destroy();
    }
  });
});

describe('DeleteRepository', () => {
  it('deletes an empty repository and answers with it', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const { repository } = await ecr.send(new DeleteRepositoryCommand({ repositoryName: name }));
    expect(repository).toMatchObject({ repositoryName: name, registryId: ACCOUNT });
    await expectAwsError(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })), 'RepositoryNotFoundException', notFound(name));
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'never-made' })), 'RepositoryNotFoundException', notFound('never-made'));
  });

  it('RepositoryNotEmptyException while images remain, without force', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    seedImage(sandbox, name, { seed: `${name}-1`, tags: ['v1'] });
    await expectAwsError(
      ecr.send(new DeleteRepositoryCommand({ repositoryName: name })),
      'RepositoryNotEmptyException',
      `The repository with name '${name}' in registry with id '${ACCOUNT}' cannot be deleted because it still contains images`,
    );
    expect((await ecr.send(new ListImagesCommand({ repositoryName: name }))).imageIds).toHaveLength(1);
  });

  it('force deletes the images too and tells the registry side which digests left', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const a = seedImage(sandbox, name, { seed: `${name}-a`, tags: ['v1'] });
    const b = seedImage(sandbox, name, { seed: `${name}-b` });
    const calls: Array<[string, string, string[]]> = [];
    sandbox.backend.onImagesRemoved = (region, repositoryName, digests) => calls.push([region, repositoryName, digests]);
    try {
      await ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
    } finally {
      sandbox.backend.onImagesRemoved = () => {};
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe('us-east-1');
    expect(calls[0]![1]).toBe(name);
    expect(calls[0]![2].sort()).toEqual([a.digest, b.digest].sort());
    expect(sandbox.store.state.regions['us-east-1']!.repositories[name]).toBeUndefined();
  });
});

describe('PutImageTagMutability', () => {
  it('sets IMMUTABLE, then MUTABLE_WITH_EXCLUSION with filters, then MUTABLE (clearing them)', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    expect(await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: 'IMMUTABLE' }))).toMatchObject({
      registryId: ACCOUNT,
      repositoryName: name,
      imageTagMutability: 'IMMUTABLE',
    });
    const filters = [{ filterType: 'WILDCARD' as const, filter: 'release-*' }];
    const out = await ecr.send(
      new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: filters }),
    );
    expect(out.imageTagMutabilityExclusionFilters).toEqual(filters);
    expect(sandbox.store.state.regions['us-east-1']!.repositories[name]!.imageTagMutabilityExclusionFilters).toEqual(filters);
    await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: 'MUTABLE' }));
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    expect(repositories![0]!.imageTagMutability).toBe('MUTABLE');
    expect(repositories![0]!.imageTagMutabilityExclusionFilters).toBeUndefined();
  });

  it('InvalidParameterException for a value outside the enum', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    await expectAwsError(
      ecr.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: 'immutable' as never })),
      'InvalidParameterException',
      "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION]'",
    );
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(
      ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'missing-repo', imageTagMutability: 'IMMUTABLE' })),
      'RepositoryNotFoundException',
      notFound('missing-repo'),
    );
  });
});

describe('PutImageScanningConfiguration', () => {
  it('turns scan on push on and off', async () => {
    const name = repoName();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const on = await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: name, imageScanningConfiguration: { scanOnPush: true } }));
    expect(on).toMatchObject({ registryId: ACCOUNT, repositoryName: name, imageScanningConfiguration: { scanOnPush: true } });
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    expect(repositories![0]!.imageScanningConfiguration).toEqual({ scanOnPush: true });
    await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: name, imageScanningConfiguration: {} }));
    expect(sandbox.store.state.regions['us-east-1']!.repositories[name]!.scanOnPush).toBe(false);
  });

  it('RepositoryNotFoundException for a missing repository', async () => {
    await expectAwsError(
      ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'missing-repo', imageScanningConfiguration: { scanOnPush: true } })),
      'RepositoryNotFoundException',
      notFound('missing-repo'),
    );
  });
});
