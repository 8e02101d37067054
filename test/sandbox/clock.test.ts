import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../src/sandbox/backend/clock.js';
import { EcrBackend } from '../../src/sandbox/backend/ecr.js';
import fs from 'node:fs';
import path from 'node:path';
import { SandboxStore } from '../../src/sandbox/backend/store.js';
import { editStoppedState } from '../../src/sandbox/control.js';
import { DaemonError } from '../../src/util/daemon.js';
import { tempDir } from '../helpers/sandbox.js';

describe('the sandbox clock', () => {
  it('is real time plus the offset in the state, read each time', () => {
    const state: { clockOffsetSeconds?: number } = {};
    const clock = new SandboxClock(() => state, () => 1000);
    expect(clock.now()).toBe(1000);
    state.clockOffsetSeconds = 86_400;
    expect(clock.now()).toBe(87_400);
    expect(clock.offsetSeconds()).toBe(86_400);
  });

  it('ignores an offset that is not a finite number', () => {
    const clock = new SandboxClock(() => ({ clockOffsetSeconds: Number.NaN }), () => 5);
    expect(clock.now()).toBe(5);
  });

  it('stamps what the backend creates, and the offset survives a reopen', async () => {
    const dir = tempDir();
    const { store } = await SandboxStore.open(dir);
    store.state.clockOffsetSeconds = 15 * 86_400;
    await store.save();
    const { store: reopened } = await SandboxStore.open(dir);
    expect(reopened.now() - Date.now() / 1000).toBeGreaterThan(15 * 86_400 - 5);
    const backend = new EcrBackend(reopened, { registryHost: () => 'localhost:1' });
    const repo = await backend.createRepository({ region: 'us-east-1' }, { repositoryName: 'later' });
    expect(repo.createdAt - Date.now() / 1000).toBeGreaterThan(15 * 86_400 - 5);
  });
});

describe("a stopped sandbox's state file", () => {
  it('is edited in place, and a missing or unreadable one is refused and left as it is', async () => {
    const dir = tempDir();
    await expect(editStoppedState(dir, () => undefined)).rejects.toThrow(DaemonError);
    await expect(editStoppedState(dir, () => undefined)).rejects.toThrow('Start it once with: ecr-workbook sandbox up');
    const { store } = await SandboxStore.open(dir);
    await store.save();
    const edited = await editStoppedState(dir, (state) => {
      state.clockOffsetSeconds = 3600;
    });
    expect(edited.clockOffsetSeconds).toBe(3600);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).clockOffsetSeconds).toBe(3600);
    fs.writeFileSync(path.join(dir, 'state.json'), '{"not": "a state"');
    await expect(editStoppedState(dir, () => undefined)).rejects.toThrow('is unreadable, so nothing was changed');
    expect(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).toBe('{"not": "a state"');
  });
});
