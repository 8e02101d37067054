import { execFileSync } from 'node:child_process';
import { allOf, loggedIn, pushed, type Scenario } from '../scenario.js';

/**
 * Helpers a config copied from another machine names (Docker Desktop on a Mac or on Windows
 * from WSL, a Linux desktop keyring): the drill uses the first one this machine does not have.
 */
const FOREIGN_HELPERS = ['desktop.exe', 'desktop', 'osxkeychain', 'wincred.exe', 'secretservice'];

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$1"`, 'sh', program], { env, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const scenario: Scenario = {
  async setup(kit) {
    const helper = FOREIGN_HELPERS.find((h) => !onPath(`docker-credential-${h}`, kit.env)) ?? 'ecr-workbook-missing';
    kit.facts.vars = { helper };
    await kit.createRepository();
    await kit.createCiUser({ managed: 'AmazonEC2ContainerRegistryPowerUser' });
    // credsStore first, so deleting its line leaves valid JSON.
    await kit.writeFile('docker/config.json', `{\n  "credsStore": "${helper}",\n  "auths": {}\n}\n`);
    await kit.importImage(`${kit.uri}:v1`, 'release 1\n');
  },
  check: (kit) => allOf('docker stores the login and v1 is pushed', () => loggedIn(kit), () => pushed(kit, 'v1')),
};
export default scenario;
