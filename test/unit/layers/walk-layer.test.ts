// A layer walk that frees decoded chunks (freeChunks: layers, ls, lint) hands each gunzip
// output chunk back once the walk has read past it, so Node 24 frees it at once instead
// of at some later GC; a visitor still sees every byte intact, and a walk without the
// option (cat, which keeps chunks) leaves them alone. On Node 20 (no ArrayBuffer.transfer)
// nothing is lent, so nothing is freed; the bytes are the same.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import type { ImageSource } from '../../../src/transport/types.js';
import { walkLayer, type EntryVisitor } from '../../../src/layers/walk-layer.js';
import { buildLayer, deterministicBytes } from '../../support/tar-layer.js';

const canFree = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';
const MiB = 1024 * 1024;

const big = deterministicBytes(3 * MiB, 'walk-big');
const files: Record<string, Buffer> = { 'data/big.bin': big, 'data/after.bin': deterministicBytes(MiB, 'walk-after') };
for (let i = 0; i < 200; i++) files[`etc/small-${String(i).padStart(3, '0')}`] = deterministicBytes(700 + i * 13, `walk-${i}`);
const layer = await buildLayer({ files }, new Date('2024-01-01T00:00:00Z'));
const desc: Descriptor = {
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: `sha256:${createHash('sha256').update(layer.blob).digest('hex')}` as Descriptor['digest'],
  size: layer.blob.length,
};

/** Serves the blob in 64 KiB reads, as a registry body would arrive. */
const source = {
  description: 'test layer',
  getBlob: async () => {
    const parts: Buffer[] = [];
    for (let i = 0; i < layer.blob.length; i += 64 * 1024) parts.push(layer.blob.subarray(i, i + 64 * 1024));
    return { stream: Readable.from(parts), partial: false };
  },
} as unknown as ImageSource;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const detached = (chunk: Buffer): boolean => chunk.buffer.byteLength === 0;

/** Reads every file, hashing what it sees; keeps each chunk object to look at afterwards (against the contract, to observe). */
function reader(): { visit: EntryVisitor; hashes: Map<string, string>; kept: Buffer[]; earlyFreed: () => boolean } {
  const hashes = new Map<string, string>();
  const kept: Buffer[] = [];
  let firstOfBig: Buffer | undefined;
  let freedWhileReading = false;
  const visit: EntryVisitor = async (entry, body) => {
    if (entry.type !== 'file') return;
    const h = createHash('sha256');
    let read = 0;
    for await (const chunk of body) {
      // a chunk the visitor is given is whole
      expect(detached(chunk)).toBe(false);
      h.update(chunk);
      kept.push(chunk);
      if (entry.path === 'data/big.bin') {
        firstOfBig ??= chunk;
        read += chunk.length;
        // 2 MiB on, the memory behind the first chunk has been handed back and freed
        if (read > 2 * MiB && detached(firstOfBig)) freedWhileReading = true;
      }
    }
    hashes.set(entry.path, h.digest('hex'));
  };
  return { visit, hashes, kept, earlyFreed: () => freedWhileReading };
}

describe('walkLayer', () => {
  it(canFree ? 'frees decoded chunks as it reads past them (freeChunks), and every byte arrives intact' : 'reads every byte intact with freeChunks (nothing to free on this Node)', async () => {
    const r = reader();
    const result = await walkLayer(source, desc, r.visit, undefined, { freeChunks: true });
    expect(result.uncompressedSize).toBe(layer.tar.length);
    for (const [path, bytes] of Object.entries(files)) expect(r.hashes.get(path), path).toBe(sha(bytes));
    const freed = r.kept.filter(detached).length;
    if (!canFree) {
      expect(freed).toBe(0);
      return;
    }
    expect(r.earlyFreed()).toBe(true);
    // 4.3 MB of tar in 256 KiB output buffers: by the end all are freed but the last,
    // which gunzip never filled
    const left = new Set(r.kept.filter((c) => !detached(c)).map((c) => c.buffer));
    expect(left.size).toBeLessThanOrEqual(1);
    expect(freed).toBeGreaterThan(r.kept.length / 2);
  });

  it('leaves every chunk whole without freeChunks (a visitor that keeps them, as cat does)', async () => {
    const r = reader();
    await walkLayer(source, desc, r.visit);
    expect(r.kept.filter(detached)).toEqual([]);
    for (const [path, bytes] of Object.entries(files)) expect(r.hashes.get(path), path).toBe(sha(bytes));
    // what it kept is still the files' bytes
    const keptBytes = r.kept.reduce((n, c) => n + c.length, 0);
    expect(keptBytes).toBe(Object.values(files).reduce((n, b) => n + b.length, 0));
  });

  it('frees chunks of entries no visitor reads, and still checks the digest', async () => {
    const seen: string[] = [];
    const result = await walkLayer(source, desc, (entry) => void seen.push(entry.path), undefined, { freeChunks: true });
    expect(seen).toContain('data/big.bin');
    expect(result.entryCount).toBe(seen.length);
    const corrupt = Buffer.from(layer.blob);
    corrupt[corrupt.length - 100]! ^= 0xff;
    const bad = { ...source, getBlob: async () => ({ stream: Readable.from([corrupt]), partial: false }) } as unknown as ImageSource;
    await expect(walkLayer(bad, desc, () => undefined, undefined, { freeChunks: true })).rejects.toThrow(/sha256|digest|gzip|tar/i);
  });
});
