import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DigestMismatchError, FerryError, SizeMismatchError } from '../../../src/errors.js';
import { sha256, type Digest } from '../../../src/oci/digest.js';
import { DigestStream, VerifyStream } from '../../../src/stream/verify.js';

const data = Buffer.from('the quick brown fox jumps over the lazy dog');
const DIGEST = sha256(data);
const WHAT = `layer ${DIGEST} of oci:/tmp/src`;

/** Streams `chunks` through `t`, collecting what comes out; resolves with the output or rejects with the stream error. */
async function run(t: NodeJS.ReadWriteStream, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline(Readable.from(chunks), t, sink);
  return Buffer.concat(out);
}

async function failure(t: NodeJS.ReadWriteStream, chunks: Buffer[], out?: Buffer[]): Promise<FerryError> {
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out?.push(chunk);
      cb();
    },
  });
  try {
    await pipeline(Readable.from(chunks), t, sink);
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    return e as FerryError;
  }
  throw new Error('expected the stream to fail');
}

const split = (b: Buffer, n: number) => Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));

describe('VerifyStream', () => {
  it('passes the bytes through unchanged when digest and size match', async () => {
    const v = new VerifyStream({ digest: DIGEST, size: data.length }, WHAT);
    expect(await run(v, split(data, 7))).toEqual(data);
    expect(v.bytes).toBe(data.length);
  });

  it('checks only the digest when no size is given', async () => {
    expect(await run(new VerifyStream({ digest: DIGEST }, WHAT), [data])).toEqual(data);
  });

  it('verifies sha512 digests', async () => {
    const d512 = `sha512:${createHash('sha512').update(data).digest('hex')}` as Digest;
    expect(await run(new VerifyStream({ digest: d512, size: data.length }, WHAT), split(data, 5))).toEqual(data);
  });

  it('accepts an empty blob', async () => {
    expect(await run(new VerifyStream({ digest: sha256(''), size: 0 }, 'config'), [])).toEqual(Buffer.alloc(0));
  });

  it('fails on a digest mismatch, naming the blob, the expected and the actual digest', async () => {
    const tampered = Buffer.from(data);
    tampered[3] = 0x21;
    const e = await failure(new VerifyStream({ digest: DIGEST, size: data.length }, WHAT), [tampered]);
    expect(e).toBeInstanceOf(DigestMismatchError);
    const m = e as DigestMismatchError;
    expect(m.code).toBe('ERR_DIGEST_MISMATCH');
    expect(m.exitCode).toBe(1);
    expect(m.expected).toBe(DIGEST);
    expect(m.actual).toBe(sha256(tampered));
    expect(m.message).toBe(`digest mismatch for ${WHAT}: expected ${DIGEST}, got ${sha256(tampered)}`);
  });

  it('fails as soon as more bytes than the size arrive, passing none of the excess on', async () => {
    const out: Buffer[] = [];
    const v = new VerifyStream({ digest: DIGEST, size: data.length }, WHAT);
    const e = await failure(v, [...split(data, 10), Buffer.from('EXTRA'), Buffer.alloc(1 << 20)], out);
    expect(e).toBeInstanceOf(SizeMismatchError);
    expect(e.code).toBe('ERR_SIZE_MISMATCH');
    expect(e.message).toBe(`size mismatch for ${WHAT}: expected ${data.length} bytes, got more than ${data.length}`);
    expect((e as SizeMismatchError).expected).toBe(data.length);
    expect(Buffer.concat(out).length).toBeLessThanOrEqual(data.length);
    expect(v.bytes).toBe(data.length + 5);
  });

  it('fails at the end when fewer bytes than the size arrive, naming both counts', async () => {
    const short = data.subarray(0, 10);
    const e = await failure(new VerifyStream({ digest: DIGEST, size: data.length }, WHAT), [short]);
    expect(e).toBeInstanceOf(SizeMismatchError);
    expect(e.message).toBe(`size mismatch for ${WHAT}: expected ${data.length} bytes, got 10`);
    expect((e as SizeMismatchError).actual).toBe(10);
  });

  it('reports the size before the digest when both are wrong', async () => {
    const e = await failure(new VerifyStream({ digest: DIGEST, size: 3 }, 'blob x'), [Buffer.from('ab')]);
    expect(e.message).toBe('size mismatch for blob x: expected 3 bytes, got 2');
  });

  it('refuses to start with an unsupported digest algorithm', () => {
    expect(() => new VerifyStream({ digest: 'md5:abc' as Digest }, 'x')).toThrow(/unsupported digest algorithm in md5:abc/);
  });
});

describe('DigestStream', () => {
  it('counts and hashes what passes, known after the end', async () => {
    const s = new DigestStream();
    expect(await run(s, split(data, 4))).toEqual(data);
    expect(s.size).toBe(data.length);
    expect(s.digest).toBe(DIGEST);
  });

  it('refuses to tell the digest before the end', () => {
    const s = new DigestStream();
    s.write(data);
    expect(() => s.digest).toThrow('DigestStream: digest read before the stream ended');
    expect(s.size).toBe(data.length);
    s.destroy();
  });
});
