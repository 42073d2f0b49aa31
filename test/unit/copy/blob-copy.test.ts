import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamVerified, type BlobCopyContext } from '../../../src/copy/blob-copy.js';
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
