import { Duplex, PassThrough, Readable, type Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { XzReadableStream } from 'xz-decompress';
import { FerryError } from '../errors.js';
import { compressionError, label } from './compression-error.js';
import { WrappedTransform } from './wrapped-transform.js';

/** Every xz stream ends with a 12-byte footer whose last two bytes are "YZ" (then optional zero padding). */
const FOOTER_MAGIC = Buffer.from('YZ', 'latin1');
const TAIL_BYTES = 64;

/** xz-embedded's status codes, which xz-decompress reports as bare numbers. */
const XZ_STATUS: Record<string, string> = {
  '2': 'unsupported integrity check',
  '3': 'out of memory',
  '4': 'needs more memory than allowed',
  '5': 'not xz data',
  '6': 'unsupported xz options',
  '7': 'corrupt data',
  '8': 'truncated or corrupt data',
};

function readable(err: Error): Error {
  const m = /get_next_output failed with error code (\d+)/.exec(err.message);
  const status = m && XZ_STATUS[m[1]!];
  if (!status || !(err instanceof FerryError)) return err;
  return new FerryError(err.code, err.message.replace(m[0], status), { cause: err });
}

/**
 * An xz decoder as a Node stream. xz-decompress is xz-embedded compiled to WebAssembly:
 * no native add-on, no install step, ~43 MB/s of output here (docs/decisions.md). It
 * speaks web streams, so the Node side is bridged on both ends; WrappedTransform turns
 * its failures (corrupt or truncated input) into ERR_COMPRESSION.
 *
 * xz-decompress ends quietly when the input stops after the last block but before the
 * stream's index and footer, so the end of the input is checked here: a file cut there
 * holds all its data, but it is still not the file that was written.
 */
class XzDecoder extends WrappedTransform {
  private tail = Buffer.alloc(0);

  override _transform(chunk: Buffer, enc: BufferEncoding, cb: TransformCallback): void {
    this.tail = Buffer.concat([this.tail, chunk.subarray(-TAIL_BYTES)]).subarray(-TAIL_BYTES);
    super._transform(chunk, enc, cb);
  }

  override _flush(cb: TransformCallback): void {
    let end = this.tail.length;
    while (end > 0 && this.tail[end - 1] === 0) end--;
    if (!this.tail.subarray(0, end).subarray(-2).equals(FOOTER_MAGIC)) {
      cb(compressionError(new Error('unexpected end of data (no xz stream footer)'), this.what));
      return;
    }
    super._flush(cb);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    super._destroy(err && readable(err), cb);
  }
}

/**
 * The input side as a web stream that is pulled, never pushed: Readable.toWeb pushes each
 * 'data' chunk into the web stream and throws an uncaught "Controller is already closed"
 * when the decoder has stopped reading after a corrupt block.
 */
function pulledWebStream(input: PassThrough): ReadableStream<Uint8Array> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next();
      try {
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch {
        // cancelled while this read was in flight: nothing wants the chunk
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
}

export function createXzDecoder(what?: string): Transform {
  const input = new PassThrough();
  const web = new XzReadableStream(pulledWebStream(input));
  const output = Readable.fromWeb(web as unknown as WebReadableStream<Uint8Array>);
  return new XzDecoder(Duplex.from({ writable: input, readable: output }), label(what, 'xz decompression'));
}
