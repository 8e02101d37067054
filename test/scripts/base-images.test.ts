import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// CI (and a learner who rebuilds) runs the base-image scripts again on a daemon that already has
// the image: the image the name meant before must not stay behind, nameless, at every run.
const script = path.resolve(import.meta.dirname, '../../scripts/build-busybox-image.sh');
const image = `ecrwb-test/busybox-${process.pid}-${crypto.randomBytes(3).toString('hex')}:local`;
const idOf = (ref: string) => spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { encoding: 'utf8' });

afterAll(() => {
  spawnSync('docker', ['rmi', '-f', image]);
});

describe('scripts/build-busybox-image.sh run again', () => {
  it('replaces the image and removes the one the name meant before', () => {
    const first = spawnSync(script, [image], { encoding: 'utf8' });
    expect(first.status, first.stderr).toBe(0);
    const before = idOf(image).stdout.trim();
    const again = spawnSync(script, [image], { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    const after = idOf(image).stdout.trim();
    expect(after).toMatch(/^sha256:/);
    expect(after).not.toBe(before);
    expect(idOf(before).status).not.toBe(0);
  });
});
