import { describe, expect, it } from 'vitest';
import { installedAwsClis } from '../helpers/sandbox.js';
import { solveDrill, useDrillLab } from './helpers.js';

// The login drills, each solved with every aws CLI on the machine: start (the real failing
// command), check (the drill's own diagnosis), the reference fix typed in the drill's shell,
// check (solved), and the learner's ~/.aws and ~/.docker untouched.
const clis = installedAwsClis();
const lab = useDrillLab('login');

describe('login drills', () => {
  it('finds an aws CLI to type the fixes with', () => {
    expect(clis.length).toBeGreaterThan(0);
  });

  for (const cli of clis) {
    const v = cli.version.split(' ')[0];
    it(`expired-token with ${v}: the push is denied with an expired token until docker logs in again`, async () => {
      const run = await solveDrill(lab(), 'expired-token', cli);
      expect(run.start.symptom.command).toMatch(/^docker push localhost:\d+\/drill\/expired-token:nightly$/);
      expect(run.start.symptom.output).toContain('denied: Your authorization token has expired. Reauthenticate and try again.');
      expect(run.unfixed.evidence).toContainEqual(expect.stringContaining('HTTP 403 DENIED'));
    });

    it(`wrong-region-login with ${v}: a token from another region gets 400 Bad Request`, async () => {
      const run = await solveDrill(lab(), 'wrong-region-login', cli);
      expect(run.start.symptom.output).toContain('400 Bad Request');
      expect(run.unfixed.evidence).toContain('Profile ci: region = us-west-2');
      expect(run.unfixed.diagnosis).toMatchObject({ mistake: expect.stringContaining('us-west-2') });
    });

    it(`missing-credential-helper with ${v}: credsStore names a helper this machine lacks`, async () => {
      const run = await solveDrill(lab(), 'missing-credential-helper', cli);
      // Docker 23+ names the missing program; older clients (Debian's 20.10) say it "resolves to executable in current directory".
      expect(run.start.symptom.output).toMatch(
        /Error saving credentials: error storing credentials - err: (exec: "docker-credential-[a-z.]+": executable file not found in \$PATH|docker-credential-[a-z.]+ resolves to executable in current directory)/,
      );
      expect(run.fixed.evidence).toContainEqual(expect.stringContaining('GET /v2/ with that login: HTTP 200'));
    });
  }
});
