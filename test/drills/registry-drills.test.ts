import { describe, expect, it } from 'vitest';
import { installedAwsClis } from '../helpers/sandbox.js';
import { runShell } from '../../src/util/shell.js';
import { drillShell, solveDrill, useDrillLab } from './helpers.js';

// The registry drills: tags, immutability, lifecycle, names. Those whose fix uses the aws CLI are
// solved with every aws CLI on the machine; the docker-only ones once.
const clis = installedAwsClis();
const lab = useDrillLab('registry');

describe('registry drills', () => {
  it('immutable-latest: the re-push of latest is refused until the build gets a tag of its own', async () => {
    const run = await solveDrill(lab(), 'immutable-latest');
    expect(run.start.symptom.output).toMatch(/tag invalid: The image tag 'latest' already exists in the 'drill\/immutable-latest' repository and cannot be overwritten because the repository is immutable\./);
    expect(run.fixed.summary).toBe("today's build is in the repository as build-2");
  });

  it('pushed-to-docker-hub: the push goes to docker.io, and its real error is shown (offline or not)', async () => {
    const run = await solveDrill(lab(), 'pushed-to-docker-hub');
    expect(run.start.symptom.output).toContain('The push refers to repository [docker.io/library/drill-web]');
    expect(run.unfixed.summary).toBe("'drill/pushed-to-docker-hub' has no image tagged 1.0");
  });

  it('lifecycle-expired-tag half fixed: v1 pushed back under the same policy is "not yet": the policy would expire it again', async () => {
    const env = lab().env();
    expect((await lab().workbook(env, 'drill', 'start', 'lifecycle-expired-tag', '--json')).status).toBe(0);
    const push = await runShell(`docker push ${lab().sandbox.registryHost}/drill/lifecycle-expired-tag:v1`, await drillShell(lab(), env));
    expect(push.code, push.output).toBe(0);
    const check = await lab().workbook(env, 'drill', 'check', '--json');
    expect(check.status).toBe(1);
    const result = JSON.parse(check.stdout);
    expect(result.diagnosis.id).toBe('lifecycle-would-expire-again');
    expect(result.evidence).toContainEqual(expect.stringContaining('with 100 more tagged and 100 more untagged pushes, a year from now'));
    expect((await lab().workbook(env, 'drill', 'give-up', '--json')).status).toBe(0);
  });

  it('immutable-latest fixed by making the repository MUTABLE passes, and the evidence says what that costs', async () => {
    const env = lab().env();
    expect((await lab().workbook(env, 'drill', 'start', 'immutable-latest', '--json')).status).toBe(0);
    const uri = `${lab().sandbox.registryHost}/drill/immutable-latest`;
    const shell = await drillShell(lab(), env);
    const fix = await runShell(
      `aws ecr put-image-tag-mutability --repository-name drill/immutable-latest --image-tag-mutability MUTABLE --profile admin --endpoint-url ${lab().sandbox.endpoint} && docker push ${uri}:latest`,
      shell,
    );
    expect(fix.code, fix.output).toBe(0);
    const check = await lab().workbook(env, 'drill', 'check', '--json');
    expect(check.status).toBe(0);
    const result = JSON.parse(check.stdout);
    expect(result.summary).toBe("today's build is in the repository as latest");
    expect(result.evidence).toContainEqual(expect.stringContaining('The repository is MUTABLE now'));
  });

  for (const cli of clis) {
    const v = cli.version.split(' ')[0];
    it(`lifecycle-expired-tag with ${v}: the pull of v1 says manifest unknown until v1 is back and the policy keeps it`, async () => {
      const run = await solveDrill(lab(), 'lifecycle-expired-tag', cli);
      expect(run.start.symptom.output).toContain('manifest unknown');
      expect(run.fixed.evidence).toContain('v1: kept');
    });

    it(`uri-as-repository-name with ${v}: create-repository refuses the URI`, async () => {
      const run = await solveDrill(lab(), 'uri-as-repository-name', cli);
      expect(run.start.symptom.output).toContain("An error occurred (InvalidParameterException) when calling the CreateRepository operation: Invalid parameter at 'repositoryName' failed to satisfy constraint");
    });
  }
});
