import type { ClockOutput } from '../../sandbox/control-api/operations.js';
import type { DrillKit } from '../kit.js';
import { DrillSetupError } from '../kit.js';
import { allOf, loggedIn, pushed, type Scenario } from '../scenario.js';

/**
 * A login that has expired by the time the push runs, as a runner's login from yesterday has: a
 * real `docker login` with a token the sandbox issues for a few seconds only (instead of ECR's 12
 * hours), then a wait until the sandbox's clock is past it. Nothing else in the sandbox moves.
 */
async function loginThatExpires(kit: DrillKit): Promise<void> {
  for (const seconds of [3, 8, 20]) {
    let expiresAt: number;
    try {
      ({ expiresAt } = await kit.dockerLogin(seconds));
    } catch (error) {
      // A machine slow enough that the token expired before docker's own check: a longer one.
      if (error instanceof DrillSetupError && /expired/i.test(error.message)) continue;
      throw error;
    }
    const { now } = await kit.control().call<ClockOutput>('DescribeClock');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - now + 0.5) * 1000));
    return;
  }
  throw new DrillSetupError('logging docker in', 'every short-lived token expired before docker login could use it');
}

const scenario: Scenario = {
  async setup(kit) {
    await kit.createRepository();
    await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryPowerUser' });
    await kit.importImage(`${kit.uri}:nightly`, 'the nightly build\n');
    await loginThatExpires(kit);
  },
  check: (kit) => allOf('the nightly build is in the repository, pushed with a fresh login', () => loggedIn(kit), () => pushed(kit, 'nightly')),
};
export default scenario;
