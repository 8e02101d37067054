import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, learnerHome, tempDir } from '../helpers/sandbox.js';

// A first run without the registry image (no `registry:2`, no Docker Hub): `sandbox up` fails
// with what to do, naming the Debian/Ubuntu package to build the same registry from and the
// README section that walks through it.
describe('sandbox up without its registry image', () => {
  it('names the docker-registry package, the build script and the README section', () => {
    const home = tempDir('ecrwb-noimage-');
    const env = { ...process.env, ...learnerHome(home), ECR_WORKBOOK_REGISTRY_IMAGE: 'ecr-workbook/no-such-registry:missing', NO_COLOR: '1' };
    const r = spawnSync(process.execPath, [BIN, 'sandbox', 'up', '--port', '0'], { env, encoding: 'utf8', timeout: 120_000 });
    spawnSync(process.execPath, [BIN, 'sandbox', 'down'], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'ecr-workbook/no-such-registry:missing' is not available locally");
    expect(r.stderr).toContain('sudo apt-get install -y docker-registry && scripts/build-registry-image.sh ecr-workbook/registry:local');
    expect(r.stderr).toContain('README: "Machines without Docker Hub"');
  }, 120_000);
});
