import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { copyBlob, streamVerified, type BlobCopyContext } from '../../../src/copy/blob-copy.js';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import type { ImageDestination, ImageSource } from '../../../src/transport/types.js';

const bytes = Buffer.from('layer bytes');
const desc: Descriptor = { mediaType: 'application/octet-stream', digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };

describe('streamVerified', () => {
  // a compressed archive source has no data until its decompression pass reaches the blob
  it('starts the upload only once the source has data, so no upload waits on an idle body', async () => {
    const order: string[] = [];
    const source = new PassThrough();
    const dest = {
      description: 'dest',
      putBlob: async (_d: Descriptor, body: Readable) => {
        order.push('upload started');
        for await (const _chunk of body);
      },
    } as unknown as ImageDestination;
    const ctx = { source: { description: 'src' } as ImageSource, dest, retries: 0, emit: () => undefined } as BlobCopyContext;
    const copying = streamVerified(ctx, desc, source);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    order.push('source has data');
    source.end(bytes);
    await copying;
    expect(order).toEqual(['source has data', 'upload started']);
  });
});

describe('copyBlob', () => {
  it('has the destination open its upload while the source read is still waiting for bytes', async () => {
    const order: string[] = [];
    const body = new PassThrough();
    const source = {
      description: 'src',
      getBlob: async () => {
        order.push('source read');
        return { stream: body, offset: 0 };
      },
    } as unknown as ImageSource;
    const dest = {
      description: 'dest',
      hasBlob: async () => false,
      prepareUpload: (d: Descriptor) => order.push(`upload opened for ${d.digest}`),
      putBlob: async (_d: Descriptor, b: Readable) => {
        order.push('upload started');
        for await (const _chunk of b);
      },
    } as unknown as ImageDestination;
    const ctx = { source, dest, retries: 0, emit: () => undefined, refusedMounts: new Set() } as BlobCopyContext;
    const copying = copyBlob(ctx, desc);
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([`upload opened for ${desc.digest}`, 'source read']);
    body.end(bytes);
    expect(await copying).toBe('copied');
    expect(order).toEqual([`upload opened for ${desc.digest}`, 'source read', 'upload started']);
  });
});
