import { diagnoses } from '../../check/diagnoses.js';
import { findRepository, resultForError } from '../../check/common.js';
import { fail, pass } from '../../check/types.js';
import { allOf, pushed, type Scenario } from '../scenario.js';

const scenario: Scenario = {
  async setup(kit) {
    // No repository: the deploy job's first step creates it, and that step is what fails.
    await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryFullAccess' });
    await kit.dockerLogin();
    await kit.importImage(`${kit.uri}:v1`, 'release 1\n');
  },
  check: (kit) =>
    allOf(
      'the repository exists under its name, and v1 is pushed',
      async () => {
        try {
          if (await findRepository(await kit.ecr(), kit.place.repo)) return pass(`'${kit.place.repo}' exists`, [`DescribeRepositories ${kit.place.repo}: found`]);
        } catch (error) {
          return resultForError(error, 'ECR', kit.checkContext());
        }
        return fail(`there is no repository '${kit.place.repo}'`, diagnoses.repositoryUriAsName(kit.uri, kit.place.repo), [`DescribeRepositories ${kit.place.repo}: RepositoryNotFoundException`]);
      },
      () => pushed(kit, 'v1'),
    ),
};
export default scenario;
