import { allOf, mayPush, pushed, type Scenario } from '../scenario.js';

export const POLICY_FILE = 'ci-push-policy.json';

const scenario: Scenario = {
  async setup(kit) {
    await kit.createRepository();
    // Written by hand from memory: InitiateLayerUpload is the one that got away.
    await kit.createCiUser({
      inline: {
        name: 'ci-push',
        file: POLICY_FILE,
        document: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'Login', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
            {
              Sid: 'PushToOurRepository',
              Effect: 'Allow',
              Action: ['ecr:BatchCheckLayerAvailability', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage'],
              Resource: `arn:aws:ecr:${kit.place.region}:${kit.place.account}:repository/${kit.place.repo}`,
            },
          ],
        },
      },
    });
    await kit.dockerLogin();
    await kit.importImage(`${kit.uri}:v1`, 'release 1\n');
  },
  check: (kit) => allOf('the CI user may push, and v1 is in the repository', () => mayPush(kit), () => pushed(kit, 'v1')),
};
export default scenario;
