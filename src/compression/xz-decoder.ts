import { Duplex, PassThrough, Readable, type Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { XzReadableStream } from 'xz-decompress';
import { label } from './compression-error.js';
import { WrappedTransform } from './wrapped-transform.js';

/**
 * An xz decoder as a Node stream. xz-decompress is xz-embedded compiled to WebAssembly:
 * no native add-on, no install step, ~43 MB/s of output here (docs/decisions.md). It
 * speaks web streams, so the Node side is bridged on both ends; WrappedTransform turns
 * its failures (corrupt or truncated input) into ERR_COMPRESSION.
 */
export function createXzDecoder(what?: string): Transform {
  const input = new PassThrough();
  const web = new XzReadableStream(Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>);
  const output = Readable.fromWeb(web as unknown as WebReadableStream<Uint8Array>);
  return new WrappedTransform(Duplex.from({ writable: input, readable: output }), label(what, 'xz decompression'));
}
