import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { BIN } from '../helpers/sandbox.js';

// The workbook needs Node 22 or later (package.json engines); an older Node gets one line that
// names the version it needs, and no stack trace.
const olderNodes = ['/usr/bin/node', '/usr/bin/nodejs', '/usr/local/bin/node'].filter((file) => {
  try {
    return fs.existsSync(file) && Number(execFileSync(file, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' })) < 22;
  } catch {
    return false;
  }
});

function expectRefusal(r: ReturnType<typeof spawnSync>, version: string): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  const lines = String(r.stderr).trim().split('\n');
  expect(lines).toEqual([`ecr-workbook needs Node.js 22 or later; this is Node.js ${version}. Install Node.js 22 or a later LTS (https://nodejs.org), then run it again.`]);
}

describe('the Node.js version', () => {
  it('package.json asks for Node 22 or later', () => {
    expect(pkg.engines.node).toBe('>=22');
  });

  it('Node 20 (as its version reports itself) gets one line naming Node 22, exit 2', () => {
    const fake = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.0"})';
    expectRefusal(spawnSync(process.execPath, ['--import', fake, BIN, '--version'], { encoding: 'utf8' }), '20.19.0');
  });

  it.runIf(olderNodes.length > 0)(`a real older Node on this machine (${olderNodes.join(', ') || 'none'}) gets the same line`, () => {
    for (const node of olderNodes) {
      const version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      expectRefusal(spawnSync(node, [BIN, 'status'], { encoding: 'utf8' }), version);
    }
  });

  it('this Node runs it', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});
