import { diagnoses } from '../../check/diagnoses.js';
import { fail } from '../../check/types.js';
import { allOf, CI_PROFILE, loggedIn, profileRegion, pushed, type Scenario } from '../scenario.js';

/** The region the runner's profile wrongly names: any real region other than the sandbox's. */
const otherRegion = (region: string) => (region === 'us-west-2' ? 'eu-west-1' : 'us-west-2');

const scenario: Scenario = {
  async setup(kit) {
    const other = otherRegion(kit.place.region);
    kit.facts.vars = { otherRegion: other };
    await kit.createRepository();
    await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryPowerUser' }, { region: other });
    await kit.importImage(`${kit.uri}:v1`, 'release 1\n');
  },
  async check(kit) {
    return allOf(
      'docker is logged in to the registry with a token of its own region, and v1 is pushed',
      async () => {
        const login = await loggedIn(kit);
        if (login.status !== 'fail' || !['not-logged-in', 'login-rejected', 'logged-in-other-host'].includes(login.diagnosis?.id ?? '')) return login;
        // No working login: the profile's region is the tell-tale, when it is not the registry's.
        const region = await profileRegion(kit);
        if (!region || region === kit.place.region) return login;
        return fail(
          `no working login for ${kit.place.registryHost}`,
          diagnoses.loginWrongRegion(kit.place.registryHost, region, kit.place.region, CI_PROFILE),
          [...login.evidence, `Profile ${CI_PROFILE}: region = ${region}`, `The registry ${kit.place.registryHost} is ${kit.place.region}'s`],
        );
      },
      () => pushed(kit, 'v1'),
    );
  },
};
export default scenario;
