import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Coalesce } from '../../src/sandbox/registry/upstream.js';

describe('Coalesce (upload bodies gathered into larger writes)', () => {
  it('passes every byte through in order, in at most 256 KiB pieces plus the tail', async () => {
    const pieces = Array.from({ length: 1000 }, () => crypto.randomBytes(1024 + Math.floor(Math.random() * 512)));
    const out: Buffer[] = [];
    for await (const chunk of Readable.from(pieces).pipe(new Coalesce())) out.push(chunk as Buffer);
    expect(Buffer.concat(out).equals(Buffer.concat(pieces))).toBe(true);
    const total = pieces.reduce((n, p) => n + p.length, 0);
    expect(out.length).toBeLessThanOrEqual(Math.ceil(total / (256 * 1024)) + 1);
    for (const chunk of out.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(256 * 1024);
    for (const chunk of out) expect(chunk.length).toBeLessThan(256 * 1024 + 1536);
  });

  it('releases a short body at its end, and an empty one as nothing', async () => {
    const short: Buffer[] = [];
    for await (const chunk of Readable.from([Buffer.from('abc')]).pipe(new Coalesce())) short.push(chunk as Buffer);
    expect(Buffer.concat(short).toString()).toBe('abc');
    const empty: Buffer[] = [];
    for await (const chunk of Readable.from([]).pipe(new Coalesce())) empty.push(chunk as Buffer);
    expect(empty).toEqual([]);
  });
});
