import { allOf, mayPush, pushed, type Scenario } from '../scenario.js';

export const POLICY_FILE = 'repository-policy.json';

const scenario: Scenario = {
  async setup(kit) {
    await kit.createRepository();
    await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryPowerUser' });
    // Left over from a release freeze: pulls go on, pushes are refused, whatever IAM allows.
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AllowPullFromTheAccount', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${kit.place.account}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] },
        {
          Sid: 'ReleaseFreeze',
          Effect: 'Deny',
          Principal: { AWS: kit.userArn },
          Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
        },
      ],
    };
    const text = `${JSON.stringify(policy, null, 2)}\n`;
    await kit.writeFile(POLICY_FILE, text);
    const { SetRepositoryPolicyCommand } = await import('@aws-sdk/client-ecr');
    await (await kit.ecr()).send(new SetRepositoryPolicyCommand({ repositoryName: kit.place.repo, policyText: text }));
    await kit.dockerLogin();
    await kit.importImage(`${kit.uri}:v1`, 'release 1\n');
  },
  check: (kit) => allOf('nothing denies the CI user a push, and v1 is in the repository', () => mayPush(kit), () => pushed(kit, 'v1')),
};
export default scenario;
