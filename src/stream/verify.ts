import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Digest } from '../oci/digest.js';
import { nodeHashName } from '../oci/digest.js';
import { DigestMismatchError, SizeMismatchError } from '../errors.js';
import type { ProgressCounter } from './progress.js';

/**
 * Passes bytes through while hashing them; fails as soon as more than `size` bytes
 * arrive, and at the end when the size or digest differs. The consumer only sees the
 * end of the stream (and so can only commit) after the check passed. Counts progress
 * too when given a counter: one stream stage less per chunk than a ProgressStream after it.
 */
export class VerifyStream extends Transform {
  private readonly hash: Hash;
  private seen = 0;
  constructor(
    private readonly expected: { digest: Digest; size?: number },
    private readonly what: string,
    private readonly progress?: ProgressCounter,
  ) {
    super();
    this.hash = createHash(nodeHashName(expected.digest));
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.seen;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    const size = this.expected.size;
    if (size !== undefined && size >= 0 && this.seen > size) {
      cb(new SizeMismatchError(this.what, size, size, true));
      return;
    }
    this.hash.update(chunk);
    this.progress?.add(chunk.length);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const size = this.expected.size;
    if (size !== undefined && size >= 0 && this.seen !== size) {
      cb(new SizeMismatchError(this.what, size, this.seen));
      return;
    }
    const alg = this.expected.digest.slice(0, this.expected.digest.indexOf(':'));
    const actual = `${alg}:${this.hash.digest('hex')}`;
    if (actual !== this.expected.digest) {
      cb(new DigestMismatchError(this.what, this.expected.digest, actual));
      return;
    }
    this.progress?.end();
    cb();
  }
}

/**
 * Hashes and counts whatever passes through; the digest is known after the end.
 * Used where output is produced on the fly (recompression) and its digest is not known ahead.
 */
export class DigestStream extends Transform {
  private readonly hash = createHash('sha256');
  private count = 0;
  private result: Digest | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    this.hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    this.result = `sha256:${this.hash.digest('hex')}`;
    cb();
  }
  get size(): number {
    return this.count;
  }
  /** Available once the stream has ended. */
  get digest(): Digest {
    if (!this.result) throw new Error('DigestStream: digest read before the stream ended');
    return this.result;
  }
}
