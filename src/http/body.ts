import type { Readable } from 'node:stream';
import { FerryError } from '../errors.js';
import { MAX_ERROR_BODY_BYTES } from '../oci/limits.js';

type Body = Readable;

/**
 * Reads a response body into memory, refusing more than `limit` bytes: it stops reading
 * at the first chunk past the limit, so at most one chunk more is ever held.
 * `tooLarge` makes the error when the caller has a more precise one.
 */
export async function readBounded(body: Body, limit: number, what: string, tooLarge?: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > limit) {
      body.destroy();
      throw tooLarge?.() ?? new FerryError('ERR_TOO_LARGE', `${what}: response larger than ${limit} bytes`);
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
