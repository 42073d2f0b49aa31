import { createReadStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError, FerryError, SizeMismatchError } from '../../errors.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import { digestAlgorithm, isDigest, nodeHashName } from '../../oci/digest.js';
import { FileSink } from '../../stream/file-sink.js';
import { DigestStream, VerifyStream } from '../../stream/verify.js';
import type { PutBlobOptions } from '../types.js';
import type { TempFiles } from './temp-files.js';

/**
 * Content-addressed files are written to a temp name and renamed into place only after
 * their bytes were checked, so a reader never sees a partial or wrong blob under a digest.
 */

class ProgressTap extends Transform {
  private total = 0;
  constructor(private readonly report: (bytes: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.total += chunk.length;
    this.report(this.total);
    cb(null, chunk);
  }
}

async function settle(temps: TempFiles, tmp: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await rename(tmp, target);
  temps.release(tmp);
}

/** Removes a failed write's temp file once its sink has closed: removed while the open was still pending, it would be created after and left behind. */
async function dropTemp(temps: TempFiles, tmp: string, sink: FileSink): Promise<void> {
  await sink.settled();
  await temps.remove(tmp);
}

/** Streams `body` to `target`, verifying digest and size first (VerifyStream fails before the end is seen). */
export async function writeVerifiedBlob(
  target: string,
  tmpDir: string,
  temps: TempFiles,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  body: Readable,
  opts: PutBlobOptions = {},
): Promise<void> {
  const tmp = temps.name(tmpDir, 'blob');
  const sink = new FileSink(tmp);
  try {
    // A verified body errors before its end when it is wrong, so no rename can follow.
    const stages: (Readable | Transform)[] = [body];
    if (!opts.verified) stages.push(new VerifyStream({ digest: desc.digest, size: desc.size }, `blob ${desc.digest}`));
    if (opts.onProgress) stages.push(new ProgressTap(opts.onProgress));
    await pipeline([...stages, sink], { signal: opts.signal });
    await settle(temps, tmp, target);
  } catch (e) {
    await dropTemp(temps, tmp, sink);
    throw e;
  }
}

async function hashFile(file: string, like: Digest): Promise<Digest> {
  const hash = createHash(nodeHashName(like));
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `${digestAlgorithm(like)}:${hash.digest('hex')}`;
}

/**
 * Streams `body` whose digest the caller learns only at the end. The bytes are hashed
 * while written and the caller's claim is checked against them before the rename.
 */
export async function writeUnknownBlob(
  targetFor: (digest: Digest) => string,
  tmpDir: string,
  temps: TempFiles,
  body: Readable,
  result: () => { digest: Digest; size: number },
  opts: PutBlobOptions = {},
): Promise<{ digest: Digest; size: number }> {
  const tmp = temps.name(tmpDir, 'blob');
  const sink = new FileSink(tmp);
  try {
    const digester = opts.verified ? undefined : new DigestStream();
    const stages: (Readable | Transform)[] = [body];
    if (digester) stages.push(digester);
    if (opts.onProgress) stages.push(new ProgressTap(opts.onProgress));
    await pipeline([...stages, sink], { signal: opts.signal });
    const claimed = result();
    if (!isDigest(claimed.digest)) throw new FerryError('ERR_MANIFEST_INVALID', `invalid blob digest "${claimed.digest}"`);
    if (digester) {
      if (claimed.size !== digester.size) throw new SizeMismatchError(`blob ${claimed.digest}`, claimed.size, digester.size);
      const actual = digestAlgorithm(claimed.digest) === 'sha256' ? digester.digest : await hashFile(tmp, claimed.digest);
      if (actual !== claimed.digest) throw new DigestMismatchError(`blob ${claimed.digest}`, claimed.digest, actual);
    }
    await settle(temps, tmp, targetFor(claimed.digest));
    return claimed;
  } catch (e) {
    await dropTemp(temps, tmp, sink);
    throw e;
  }
}

/**
 * Replaces `target` with `bytes` in one rename, so readers see the old or the new file,
 * never half. `tmpDir` must be on the same filesystem (default: the target's folder).
 */
export async function writeFileAtomic(target: string, bytes: Uint8Array, temps: TempFiles, tmpDir = dirname(target)): Promise<void> {
  const tmp = temps.name(tmpDir, 'file');
  const sink = new FileSink(tmp);
  try {
    await pipeline([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)], sink);
    await settle(temps, tmp, target);
  } catch (e) {
    await dropTemp(temps, tmp, sink);
    throw e;
  }
}
