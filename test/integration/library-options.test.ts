// One options object per operation, each with `signal` and `onEvent`: an aborted signal
// stops every operation with AbortedError before it writes anything, and the events each
// operation documents arrive. Uses the public entry against a real registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortedError,
  copy,
  deleteImage,
  inspect,
  listTags,
  login,
  logout,
  manifestDigest,
  mergeManifests,
  rawManifestOf,
  syncRepository,
  type FerryEvent,
} from '../../src/index.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

const isolated = { env: {}, homedir: '/nonexistent-ferry-home' };

describe('library operations: signal and onEvent', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;

  beforeAll(async () => {
    [registry, image] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildImage({ platform: 'linux/amd64', layers: [{ files: { 'etc/opts.txt': 'opts\n' } }] }),
    ]);
    await pushWithSkopeo(image, registry, 'opts/app:1');
    await pushWithSkopeo(image, registry, 'opts/app:2');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const ref = (repoTag: string): string => `docker://${registry.ref(repoTag)}`;

  it('every operation rejects with AbortedError on an aborted signal, and writes nothing', async () => {
    const signal = AbortSignal.abort();
    const mark = await registry.mark();
    const calls: [string, () => Promise<unknown>][] = [
      ['copy', () => copy(ref('opts/app:1'), ref('opts/aborted:1'), { ...isolated, signal })],
      ['inspect', () => inspect(ref('opts/app:1'), { ...isolated, signal })],
      ['rawManifestOf', () => rawManifestOf(ref('opts/app:1'), { ...isolated, signal })],
      ['manifestDigest', () => manifestDigest(ref('opts/app:1'), { ...isolated, signal })],
      ['listTags', () => listTags(ref('opts/app'), { ...isolated, signal })],
      ['deleteImage', () => deleteImage(ref('opts/app:2'), { ...isolated, signal })],
      ['mergeManifests', () => mergeManifests(ref('opts/merged:1'), [ref('opts/app:1')], { ...isolated, signal })],
      ['syncRepository', () => syncRepository(ref('opts/app'), ref('opts/mirror'), { ...isolated, signal })],
      ['login', () => login(registry.host, { ...isolated, credential: { username: 'u', password: 'p' }, signal })],
    ];
    for (const [name, call] of calls) {
      const e = await call().then(() => undefined, (err: unknown) => err);
      expect(e, name).toBeInstanceOf(AbortedError);
      expect(e, name).toMatchObject({ code: 'ERR_ABORTED', status: undefined });
    }
    const writes = (await registry.accessLog(mark)).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    expect(writes).toEqual([]);
  });

  it('logout takes the same options object (signal included) and reports where nothing was found', async () => {
    await expect(logout(registry.host, { ...isolated, authFile: '/nonexistent-ferry-home/auth.json' })).rejects.toMatchObject({ code: 'ERR_CREDENTIALS' });
  });

  it('syncRepository reports blob events and one tag-synced per tag', async () => {
    const events: FerryEvent[] = [];
    const result = await syncRepository(ref('opts/app'), ref('opts/mirror'), { ...isolated, onEvent: (e) => events.push(e) });
    expect(result.synced.map((t) => t.tag)).toEqual(['1', '2']);
    const tags = events.filter((e): e is Extract<FerryEvent, { type: 'tag-synced' }> => e.type === 'tag-synced');
    // images are synced in parallel: the events come in the order the copies finish
    expect(tags.map((t) => [t.tag, t.digest]).sort()).toEqual([
      ['1', image.digest],
      ['2', image.digest],
    ]);
    expect(events.some((e) => e.type === 'blob-done' || e.type === 'blob-mounted')).toBe(true);
  });

  it('deleteImage reports a note when the registry only deletes by digest and a placeholder is used', async () => {
    await pushWithSkopeo(image, registry, 'opts/app:3');
    const events: FerryEvent[] = [];
    const result = await deleteImage(ref('opts/app:3'), { ...isolated, onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ removed: 'tag', method: 'placeholder', digest: image.digest });
    expect(events).toEqual([{ type: 'note', message: expect.stringContaining('placeholder') }]);
    expect((await listTags(ref('opts/app'), isolated)).Tags.sort()).toEqual(['1', '2']);
  });
});
