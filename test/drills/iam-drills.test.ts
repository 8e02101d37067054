import { describe, expect, it } from 'vitest';
import { installedAwsClis } from '../helpers/sandbox.js';
import { solveDrill, useDrillLab } from './helpers.js';

// The IAM drills, each solved with every aws CLI on the machine: the sandbox's IAM denies the
// pipeline's user for real (through the aws CLI and through docker), the learner fixes the
// policy with their administrator profile, and the push goes through.
const clis = installedAwsClis();
const lab = useDrillLab('iam');

describe('IAM drills', () => {
  it('finds an aws CLI to type the fixes with', () => {
    expect(clis.length).toBeGreaterThan(0);
  });

  for (const cli of clis) {
    const v = cli.version.split(' ')[0];
    it(`ci-cannot-login with ${v}: GetAuthorizationToken scoped to a repository is denied`, async () => {
      const run = await solveDrill(lab(), 'ci-cannot-login', cli);
      expect(run.start.symptom.output).toContain(
        'An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:iam::123456789012:user/drill-ci is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action',
      );
      // docker's own complaint about the empty password comes after, as in a real pipeline.
      expect(run.start.symptom.output.indexOf('AccessDeniedException')).toBeLessThan(run.start.symptom.output.indexOf('non TTY'));
      expect(run.fixed.evidence).toContain('GetAuthorizationToken as drill-ci: allowed');
    });

    it(`push-missing-permission with ${v}: docker push is denied InitiateLayerUpload`, async () => {
      const run = await solveDrill(lab(), 'push-missing-permission', cli);
      expect(run.start.symptom.output).toMatch(
        /denied: User: arn:aws:iam::123456789012:user\/drill-ci is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository\/drill\/push-missing-permission because no identity-based policy allows the ecr:InitiateLayerUpload action/,
      );
      expect(run.unfixed.evidence).toContain('simulate-principal-policy ecr:InitiateLayerUpload: implicitDeny');
      expect(run.unfixed.diagnosis).toMatchObject({ mistake: expect.stringContaining('is not allowed ecr:InitiateLayerUpload on the repository') });
    });

    it(`repository-policy-deny with ${v}: an explicit Deny in the repository policy beats PowerUser`, async () => {
      const run = await solveDrill(lab(), 'repository-policy-deny', cli);
      expect(run.start.symptom.output).toContain('with an explicit deny in a resource-based policy');
      expect(run.unfixed.evidence).toContain('simulate-principal-policy ecr:PutImage: explicitDeny');
      expect(run.fixed.evidence).toContain('simulate-principal-policy ecr:PutImage: allowed');
    });
  }
});
