import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { archiveDecoder, sniffArchiveCompression, type ArchiveCompression } from '../../../src/compression/archive-compression.js';
import { spawnSync } from 'node:child_process';
import { sampleData } from './sample-data.js';

// 5 MB: several 900 kB bzip2 blocks, so decoding crosses the look-ahead boundary
const plain = sampleData(5 * 1024 * 1024, 7);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const tools: Record<Exclude<ArchiveCompression, 'none'>, string[]> = {
  gzip: ['gzip', '-c'],
  zstd: ['zstd', '-q', '-c'],
  bzip2: ['bzip2', '-c'],
  xz: ['xz', '-1', '-c'],
};

const made = new Map<string, Buffer>();

function compressWithTool(format: keyof typeof tools, input: Buffer): Buffer {
  const key = `${format}:${sha(input)}`;
  const hit = made.get(key);
  if (hit) return hit;
  const [cmd, ...args] = tools[format];
  const out = spawnSync(cmd!, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`${cmd} failed: ${String(out.stderr)}`);
  made.set(key, out.stdout);
  return out.stdout;
}

async function decode(format: keyof typeof tools, input: Buffer, chunk = 64 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  const pieces = function* () {
    for (let i = 0; i < input.length; i += chunk) yield input.subarray(i, i + chunk);
  };
  await pipeline(
    Readable.from(pieces()),
    await archiveDecoder(format, 'test archive'),
    new Writable({
      write(c: Buffer, _e, cb) {
        parts.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(parts);
}

describe('archive decoders (files made by the command-line tools)', () => {
  for (const format of Object.keys(tools) as (keyof typeof tools)[]) {
    it(`${format}: sniffed by magic and decoded byte-exact`, async () => {
      const packed = compressWithTool(format, plain);
      expect(sniffArchiveCompression(packed.subarray(0, 6))).toBe(format);
      expect(sha(await decode(format, packed))).toBe(sha(plain));
    });

    it(`${format}: a truncated file fails with ERR_COMPRESSION`, async () => {
      const packed = compressWithTool(format, plain);
      const err = await decode(format, packed.subarray(0, Math.floor(packed.length * 0.6))).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_COMPRESSION' });
      expect(String((err as Error).message)).toContain('test archive');
    });

    it(`${format}: flipped bytes in the middle fail with ERR_COMPRESSION`, async () => {
      const packed = Buffer.from(compressWithTool(format, plain));
      for (let i = packed.length >> 1; i < (packed.length >> 1) + 64; i++) packed[i] = packed[i]! ^ 0x5a;
      await expect(decode(format, packed)).rejects.toMatchObject({ code: 'ERR_COMPRESSION' });
    });
  }

  // a cut that keeps every data block: only the end of the input can tell
  for (const format of Object.keys(tools) as (keyof typeof tools)[]) {
    it(`${format}: a file missing only its last bytes (trailer, index, footer) fails with ERR_COMPRESSION`, async () => {
      const packed = compressWithTool(format, plain);
      await expect(decode(format, packed.subarray(0, packed.length - 4))).rejects.toMatchObject({ code: 'ERR_COMPRESSION' });
    });
  }

  it('bzip2: streams written back to back (pbzip2, cat a.bz2 b.bz2) decode as one', async () => {
    const a = compressWithTool('bzip2', plain.subarray(0, 1_000_000));
    const b = compressWithTool('bzip2', plain.subarray(1_000_000, 1_500_000));
    expect(sha(await decode('bzip2', Buffer.concat([a, b]), 1000))).toBe(sha(plain.subarray(0, 1_500_000)));
  });

  it('plain tar is not mistaken for a compressed file', () => {
    expect(sniffArchiveCompression(Buffer.from('manifest.json\0\0\0'))).toBe('none');
    expect(sniffArchiveCompression(Buffer.from('BZh0xx'))).toBe('none');
  });
});
