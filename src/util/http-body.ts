import type { IncomingMessage } from 'node:http';

/** A body over the limit; `drained` when it was read to its end (the connection is still usable). */
export class BodyTooLarge extends Error {
  constructor(readonly drained: boolean) {
    super('request body too large');
  }
}

/** Bodies up to this many times the limit are read and discarded, so the client sees the 413. */
const DISCARD_FACTOR = 16;

/**
 * Reads a whole request body, refusing more than `limit` bytes. An oversized body is still
 * read to its end (up to 16 × limit, discarded) before the refusal: a client that writes its
 * whole body before reading, as fetch does, then gets the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const discardLimit = limit * DISCARD_FACTOR;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > discardLimit) {
      req.pause();
      reject(new BodyTooLarge(false));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > discardLimit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLarge(false));
        return;
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      }
      if (!tooLarge) chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge(true)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
