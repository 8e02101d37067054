import { diagnoses } from '../../check/diagnoses.js';
import { resultForError } from '../../check/common.js';
import { listImageDetails } from '../../check/images.js';
import { fail, pass } from '../../check/types.js';
import { inspectImage } from '../../docker/cli.js';
import type { Scenario } from '../scenario.js';

const scenario: Scenario = {
  async setup(kit) {
    await kit.createRepository({ mutability: 'IMMUTABLE' });
    await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryPowerUser' });
    await kit.dockerLogin();
    // Yesterday's build went out as latest; today's is built and tagged latest the same way.
    await kit.importImage(`${kit.uri}:latest`, 'build 1\n');
    await kit.docker('pushing build 1', ['push', `${kit.uri}:latest`]);
    kit.facts.build = await kit.importImage(`${kit.uri}:latest`, 'build 2\n');
  },
  async check(kit) {
    const build = String(kit.facts.build);
    try {
      const [local, images] = await Promise.all([inspectImage(build, kit.dockerClient), listImageDetails(await kit.ecr(), kit.place.repo)]);
      const pushedAs = new Set((local?.repoDigests ?? []).filter((d) => d.startsWith(`${kit.uri}@`)).map((d) => d.slice(d.indexOf('@') + 1)));
      const found = images.find((image) => pushedAs.has(image.imageDigest!));
      const evidence = [
        `Today's build: image ${build.slice(0, 19)}…${pushedAs.size ? `, pushed as ${[...pushedAs].join(', ')}` : ', never pushed'}`,
        ...images.map((image) => `In ECR: ${image.imageDigest} ${(image.imageTags ?? []).join(', ') || '<untagged>'}`),
      ];
      if (!found) return fail("today's build is not in the repository", diagnoses.immutableTagRepush(kit.place.repo, 'latest', kit.uri), evidence);
      const { DescribeRepositoriesCommand } = await import('@aws-sdk/client-ecr');
      const repo = (await (await kit.ecr()).send(new DescribeRepositoriesCommand({ repositoryNames: [kit.place.repo] }))).repositories?.[0];
      if (repo?.imageTagMutability === 'MUTABLE') evidence.push('The repository is MUTABLE now: the push works, and a tag can again change under a running service (the post-mortem says why teams keep IMMUTABLE).');
      return pass(`today's build is in the repository as ${(found.imageTags ?? []).join(', ') || 'an untagged image'}`, evidence);
    } catch (error) {
      return resultForError(error, 'ECR', kit.checkContext());
    }
  },
};
export default scenario;
