import type { Readable } from 'node:stream';
import { FerryError } from '../errors.js';

/** Named limits for every in-memory read. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
export const MAX_TOKEN_BODY_BYTES = 1024 * 1024;
export const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;

type Body = Readable;

/** Reads a response body into memory, refusing more than `limit` bytes. */
export async function readBounded(body: Body, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > limit) {
      body.destroy();
      throw new FerryError('ERR_TOO_LARGE', `${what}: response larger than ${limit} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}

/** Reads and drops a body so the connection goes back to the pool (small bodies only). */
export async function discard(body: Body): Promise<void> {
  try {
    let n = 0;
    for await (const chunk of body) {
      n += (chunk as Buffer).length;
      if (n > MAX_ERROR_BODY_BYTES) {
        body.destroy();
        return;
      }
    }
  } catch {
    // a broken body on a response we did not want anyway is not an error
  }
}
