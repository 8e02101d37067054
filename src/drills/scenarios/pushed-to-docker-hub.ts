import { pushed, type Scenario } from '../scenario.js';

/** The local image the pipeline builds: a name without a registry host. */
export const LOCAL_IMAGE = 'drill-web:1.0';

const scenario: Scenario = {
  async setup(kit) {
    await kit.createRepository();
    await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryPowerUser' });
    await kit.dockerLogin();
    await kit.importImage(LOCAL_IMAGE, 'web 1.0\n');
  },
  check: (kit) => pushed(kit, '1.0', LOCAL_IMAGE),
};
export default scenario;
