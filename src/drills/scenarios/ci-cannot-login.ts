import { diagnoses } from '../../check/diagnoses.js';
import { fail, pass } from '../../check/types.js';
import { resultForError } from '../../check/common.js';
import { DRILL_USER } from '../kit.js';
import { allOf, ciPushPolicy, loggedIn, pushed, PUSH_ACTIONS, type Scenario } from '../scenario.js';

const scenario: Scenario = {
  async setup(kit) {
    await kit.createRepository();
    // The classic mistake: every action in one statement, scoped to the repository. Pushing
    // would be allowed; logging in never is.
    await kit.createCiUser(ciPushPolicy(kit, [], ['ecr:GetAuthorizationToken', ...PUSH_ACTIONS]));
    await kit.importImage(`${kit.uri}:v1`, 'release 1\n');
  },
  async check(kit) {
    return allOf(
      'the CI user logs in and v1 is pushed',
      async () => {
        // The real call, as the CI user: it changes nothing, and says exactly what IAM decides.
        const { GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
        try {
          await (await kit.ecr(kit.facts.ciKey)).send(new GetAuthorizationTokenCommand({}));
          return pass('the CI user may log in', [`GetAuthorizationToken as ${DRILL_USER}: allowed`]);
        } catch (error) {
          if ((error as Error).name !== 'AccessDeniedException') return resultForError(error, 'ECR', kit.checkContext());
          const message = (error as Error).message;
          return fail(`${DRILL_USER} may not call GetAuthorizationToken`, diagnoses.getAuthorizationTokenDenied(DRILL_USER, message), [`GetAuthorizationToken as ${DRILL_USER}: ${message}`]);
        }
      },
      () => loggedIn(kit),
      () => pushed(kit, 'v1'),
    );
  },
};
export default scenario;
