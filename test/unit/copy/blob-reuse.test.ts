// The order of the ladder's first rungs, with a small fake destination recording calls
// (the real registry runs in test/integration/blob-cache.test.ts).
import { describe, expect, it } from 'vitest';
import { BlobLocationCache } from '../../../src/blob-cache/cache.js';
import type { BlobCopyContext } from '../../../src/copy/blob-copy.js';
import { reuseAtDestination } from '../../../src/copy/blob-reuse.js';
import type { CopyEvent } from '../../../src/copy/events.js';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import type { ImageDestination, ImageSource, MountAnswer } from '../../../src/transport/types.js';
import { scratchDir } from '../../support/scratch.js';

const REG = 'reg.example';
const blob: Descriptor = { mediaType: 'application/octet-stream', digest: `sha256:${'a'.repeat(64)}`, size: 3 };

function fakes(answers: { head?: boolean; mounts?: Record<string, MountAnswer | Error>; sourceMount?: boolean; sourceRepository?: string }) {
  const calls: string[] = [];
  const dest = {
    description: 'docker://reg.example/dest',
    supportsIndex: true,
    identity: { registry: REG, repository: 'dest' },
    hasBlob: async () => (calls.push('HEAD'), answers.head ?? false),
    mountFromRepository: async (_d: Descriptor, repository: string) => {
      calls.push(`mount ${repository}`);
      const a = answers.mounts?.[repository] ?? 'absent';
      if (a instanceof Error) throw a;
      return a;
    },
    mountBlob: async () => (calls.push('mount source'), answers.sourceMount ?? false),
  } as unknown as ImageDestination;
  const source = (
    answers.sourceRepository
      ? { description: `docker://${REG}/${answers.sourceRepository}`, identity: { registry: REG, repository: answers.sourceRepository } }
      : { description: 'oci:/layout', identity: undefined }
  ) as unknown as ImageSource;
  return { calls, dest, source };
}

async function context(cached: string[], f: ReturnType<typeof fakes>): Promise<{ ctx: BlobCopyContext; events: CopyEvent[] }> {
  const cache = new BlobLocationCache(await scratchDir('reuse'));
  for (const repository of cached) cache.recordLocation(blob.digest, { registry: REG, repository });
  const events: CopyEvent[] = [];
  return { ctx: { source: f.source, dest: f.dest, retries: 0, emit: (e) => events.push(e), cache, refusedMounts: new Set() }, events };
}

describe('reuseAtDestination', () => {
  it('nothing cached: HEAD, then a mount from the source', async () => {
    const f = fakes({});
    const { ctx } = await context([], f);
    expect(await reuseAtDestination(ctx, blob)).toEqual({ kind: 'none' });
    expect(f.calls).toEqual(['HEAD', 'mount source']);
  });

  it('cached elsewhere in the registry: the mount comes first, and a 201 ends it', async () => {
    const f = fakes({ mounts: { other: 'mounted' } });
    const { ctx, events } = await context(['other'], f);
    expect(await reuseAtDestination(ctx, blob)).toEqual({ kind: 'mounted', from: 'reg.example/other' });
    expect(f.calls).toEqual(['mount other']);
    expect(events).toEqual([{ type: 'blob-mounted', digest: blob.digest, size: 3, from: 'docker://reg.example/other' }]);
  });

  it('a 202 from a cached repository leaves the upload open: no HEAD, no source mount', async () => {
    const f = fakes({});
    const { ctx } = await context(['gone'], f);
    expect(await reuseAtDestination(ctx, blob)).toEqual({ kind: 'none' });
    expect(f.calls).toEqual(['mount gone']);
    expect(await ctx.cache!.repositoriesWith(blob.digest, REG)).toEqual([]);
  });

  it('seen in the destination repository: HEAD first; when it is gone there, mount from elsewhere', async () => {
    const present = fakes({ head: true });
    const a = await context(['other', 'dest'], present);
    expect(await reuseAtDestination(a.ctx, blob)).toEqual({ kind: 'skipped' });
    expect(present.calls).toEqual(['HEAD']);
    const gone = fakes({ head: false, mounts: { other: 'mounted' } });
    const b = await context(['other', 'dest'], gone);
    expect((await reuseAtDestination(b.ctx, blob)).kind).toBe('mounted');
    expect(gone.calls).toEqual(['HEAD', 'mount other']);
  });

  it('a refused or failing mount falls back to the ladder, and a refused repository is not asked again', async () => {
    const f = fakes({ mounts: { secret: 'refused', broken: new Error('boom') } });
    const { ctx } = await context(['secret', 'broken'], f);
    expect(await reuseAtDestination(ctx, blob)).toEqual({ kind: 'none' });
    expect(f.calls.sort()).toEqual(['HEAD', 'mount broken', 'mount secret', 'mount source'].sort());
    f.calls.length = 0;
    await reuseAtDestination(ctx, blob);
    expect(f.calls).not.toContain('mount secret');
  });

  it('a source in the destination registry is the mount to try: the cache is not consulted', async () => {
    const f = fakes({ sourceRepository: 'src', sourceMount: true, mounts: { other: 'mounted' } });
    const { ctx } = await context(['other'], f);
    expect((await reuseAtDestination(ctx, blob)).kind).toBe('mounted');
    expect(f.calls).toEqual(['HEAD', 'mount source']);
  });

  it('onlyWhereCached: no HEAD and no source mount unless the cache names the destination', async () => {
    const f = fakes({});
    const { ctx } = await context([], f);
    expect(await reuseAtDestination(ctx, blob, { onlyWhereCached: true })).toEqual({ kind: 'none' });
    expect(f.calls).toEqual([]);
  });
});

describe('levelServes (which recorded compressed forms a recompression may reuse)', () => {
  it('any level when none was asked for; exactly the asked one; with force only forms ferry made', async () => {
    const { levelServes } = await import('../../../src/copy/known-variants.js');
    const any = levelServes(undefined, false);
    expect([any('unknown'), any('default'), any(19)]).toEqual([true, true, true]);
    const nineteen = levelServes(19, false);
    expect([nineteen('unknown'), nineteen('default'), nineteen(19), nineteen(3)]).toEqual([false, false, true, false]);
    const forced = levelServes(undefined, true);
    expect([forced('unknown'), forced('default'), forced(5)]).toEqual([false, true, true]);
  });
});
