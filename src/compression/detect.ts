import { Readable } from 'node:stream';
import type { CompressionName, MagicPattern } from './codec.js';
import { gzipMagic } from './gzip-codec.js';
import { zstdMagic } from './zstd-codec.js';

const patterns: readonly { name: CompressionName; magic: readonly MagicPattern[] }[] = [
  { name: 'gzip', magic: gzipMagic },
  { name: 'zstd', magic: zstdMagic },
];

/** Bytes detection needs to see; fewer only when the stream is shorter. */
export const DETECT_BYTES = Math.max(...patterns.flatMap((p) => p.magic.map((m) => m.bytes.length)));

function matches(head: Uint8Array, pattern: MagicPattern): boolean {
  if (head.length < pattern.bytes.length) return false;
  return pattern.bytes.every((byte, i) => {
    const mask = pattern.mask?.[i] ?? 0xff;
    return ((head[i]! ^ byte) & mask) === 0;
  });
}

/**
 * The compression the first bytes announce. `head` is all the input there is or at
 * least DETECT_BYTES of it; anything without a known magic (a tar, a short or empty
 * blob, a format ferry does not decode such as xz) is 'none'.
 */
export function detectFormat(head: Uint8Array): CompressionName {
  for (const { name, magic } of patterns) {
    if (magic.some((m) => matches(head, m))) return name;
  }
  return 'none';
}

export interface Detected {
  format: CompressionName;
  /** Yields every byte of the source, the peeked ones included. */
  stream: Readable;
}

/**
 * Reads just enough of `source` to know its compression and hands back a stream that
 * still yields everything. Backpressure and errors pass through; destroying the
 * returned stream destroys the source.
 */
export async function detectCompression(source: Readable | AsyncIterable<Uint8Array>): Promise<Detected> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const head: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < DETECT_BYTES) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    if (chunk.length === 0) continue;
    head.push(chunk);
    length += chunk.length;
  }
  const format = detectFormat(Buffer.concat(head, length));
  return { format, stream: new ReplayStream(head, ended ? undefined : it) };
}

/** The peeked chunks, then the rest of the source, pulled one chunk per read. */
class ReplayStream extends Readable {
  constructor(
    private readonly head: Buffer[],
    private rest: AsyncIterator<Uint8Array> | undefined,
  ) {
    super();
  }

  override _read(): void {
    const first = this.head.shift();
    if (first) {
      this.push(first);
      return;
    }
    const rest = this.rest;
    if (!rest) {
      this.push(null);
      return;
    }
    rest.next().then(
      (next) => {
        if (next.done) {
          this.rest = undefined;
          this.push(null);
        } else this.push(next.value);
      },
      (err: Error) => {
        this.rest = undefined;
        this.destroy(err);
      },
    );
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    const rest = this.rest;
    this.rest = undefined;
    // Closing the iterator of a Readable destroys it: the source stops too.
    if (!rest?.return) {
      cb(err);
      return;
    }
    rest.return().then(
      () => cb(err),
      () => cb(err),
    );
  }
}
