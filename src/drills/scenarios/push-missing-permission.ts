import { allOf, ciPushPolicy, mayPush, pushed, PUSH_ACTIONS, type Scenario } from '../scenario.js';

const scenario: Scenario = {
  async setup(kit) {
    await kit.createRepository();
    // Written by hand from memory: InitiateLayerUpload is the one that got away.
    await kit.createCiUser(
      ciPushPolicy(
        kit,
        [{ Sid: 'Login', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }],
        PUSH_ACTIONS.filter((action) => action !== 'ecr:InitiateLayerUpload'),
      ),
    );
    await kit.dockerLogin();
    await kit.importImage(`${kit.uri}:v1`, 'release 1\n');
  },
  check: (kit) => allOf('the CI user may push, and v1 is in the repository', () => mayPush(kit), () => pushed(kit, 'v1')),
};
export default scenario;
