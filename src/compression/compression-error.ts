import { FerryError } from '../errors.js';

/**
 * Turns whatever a codec library threw (zlib's Z_DATA_ERROR, libzstd's "Data corruption
 * detected", a worker crash) into the one error ferry promises for bad compressed data,
 * keeping the original as `cause` for debugging.
 */
export function compressionError(err: unknown, what: string): FerryError {
  if (err instanceof FerryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FerryError('ERR_COMPRESSION', `${what}: ${message}`, { cause: err });
}

/** "layer sha256:…: gzip decompression" when the caller named the data, else just the step. */
export function label(what: string | undefined, step: string): string {
  return what ? `${what}: ${step}` : step;
}
