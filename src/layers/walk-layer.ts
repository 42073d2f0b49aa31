import { Transform, pipeline, type TransformCallback } from 'node:stream';
import { extract } from 'tar-stream';
import { detectCompression } from '../compression/detect.js';
import { decompressStream } from '../compression/streams.js';
import type { CompressionName } from '../compression/codec.js';
import { AbortedError, FerryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { VerifyStream } from '../stream/verify.js';
import type { ImageSource } from '../transport/types.js';
import { toLayerEntry, type LayerEntry } from './entry.js';

/**
 * Called once per entry, in archive order. `body` yields a regular file's bytes; a
 * visitor may read all of it or none (the walker drains what is left). The walk always
 * reads the blob to its end, so its digest is checked before the walk resolves.
 */
export type EntryVisitor = (entry: LayerEntry, body: AsyncIterable<Buffer>, ordinal: number) => Promise<void> | void;

export interface WalkResult {
  /** Bytes of the uncompressed tar. */
  uncompressedSize: number;
  compression: CompressionName;
  entryCount: number;
}

/** Counts the bytes that pass. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

/**
 * Streams one layer blob: fetch → verify digest and size → detect compression by magic
 * bytes → decompress → tar entries, one at a time. Nothing is buffered beyond the
 * streams' own high-water marks and nothing touches the disk, so memory does not grow
 * with the layer. The walk resolves only after the blob's digest checked out.
 */
export async function walkLayer(source: ImageSource, desc: Descriptor, visit: EntryVisitor, signal?: AbortSignal): Promise<WalkResult> {
  const what = `layer ${desc.digest} of ${source.description}`;
  if (signal?.aborted) throw new AbortedError();
  const { stream } = await source.getBlob(desc, { signal });
  const verify = new VerifyStream({ digest: desc.digest, size: desc.size }, what);
  const verified = pipeline(stream, verify, () => undefined);
  const detected = await detectCompression(verified);
  const counter = new ByteCounter();
  // latin1 keeps every name byte; entry.ts decodes UTF-8 where it is valid
  const tar = extract({ filenameEncoding: 'latin1' } as Parameters<typeof extract>[0]);
  let failure: Error | undefined;
  const done = new Promise<void>((resolve) => {
    pipeline(detected.stream, decompressStream(detected.format, what), counter, tar as unknown as NodeJS.WritableStream, (err) => {
      if (err) failure ??= err;
      resolve();
    });
  });
  let ordinal = 0;
  try {
    for await (const raw of tar) {
      const entry = toLayerEntry(raw.header);
      if (entry) await visit(entry, raw as AsyncIterable<Buffer>, ordinal++);
      raw.resume();
    }
  } catch (e) {
    failure ??= e as Error;
    // a failed visitor must not leave the fetch running
    detected.stream.destroy();
  }
  await done;
  if (signal?.aborted) throw new AbortedError();
  if (failure) throw asLayerError(failure, what);
  return { uncompressedSize: counter.bytes, compression: detected.format, entryCount: ordinal };
}

function asLayerError(e: Error, what: string): FerryError {
  if (e instanceof FerryError) return e;
  // tar-stream's own parse errors: the blob decompressed but is not a tar
  return new FerryError('ERR_COMPRESSION', `${what} is not a valid tar archive: ${e.message}`, { cause: e });
}
