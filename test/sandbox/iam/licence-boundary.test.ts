/**
 * @cloud-copilot/iam-simulate is AGPL-3.0: the project uses it as a test oracle only. Shipping
 * it (importing it from anything the package publishes, or listing it as a runtime dependency)
 * would put the published whole under the AGPL's terms. These checks turn red on the first
 * accidental import.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  files: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  if (fs.statSync(dir).isFile()) return [dir];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|json)$/;
const AGPL_SCOPE = '@cloud-copilot/';

describe('the AGPL oracle stays out of the published package', () => {
  it('no file in src/ (or any other shipped source folder) names @cloud-copilot', () => {
    const shipped = ['src', 'checks', 'bin', 'scripts', ...pkg.files.filter((f) => !f.startsWith('dist'))];
    const offenders = [...new Set(shipped)]
      .flatMap((dir) => filesUnder(path.join(root, dir)))
      .filter((file) => SOURCE.test(file) && fs.readFileSync(file, 'utf8').includes(AGPL_SCOPE))
      .map((file) => path.relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('is a devDependency, never a runtime, optional or peer dependency', () => {
    expect(pkg.devDependencies).toHaveProperty('@cloud-copilot/iam-simulate');
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
      expect(Object.keys(pkg[field] ?? {}).filter((name) => name.startsWith(AGPL_SCOPE)), field).toEqual([]);
    }
  });

  it('the check itself finds an import where there is one', () => {
    const probe = path.join(root, 'test/sandbox/iam/oracle.test.ts');
    expect(fs.readFileSync(probe, 'utf8')).toContain(`from '${AGPL_SCOPE}iam-simulate'`);
  });
});
