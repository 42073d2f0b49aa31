import { FerryError } from '../../errors.js';
import type { ReadOptions } from '../types.js';
import { openArchiveStore } from '../local/archive-store.js';
import { ARCHIVE_MANIFEST, MAX_ARCHIVE_MANIFEST_BYTES, parseArchiveManifest } from './manifest-json.js';

/**
 * The names of every image in a `docker save` archive, as skopeo 1.9.3 lists them: every
 * RepoTags entry of every image as the archive spells it ("team/app:1" from docker save,
 * "docker.io/team/app:1" from skopeo), and "@N" for an image without tags (the form a
 * location uses to pick it). A `:REF` in the location does not narrow the list.
 */
export async function listArchiveTags(path: string, where: string, opts: ReadOptions = {}): Promise<string[]> {
  const store = await openArchiveStore(path, where, opts);
  try {
    const bytes = await store.readFile(ARCHIVE_MANIFEST, MAX_ARCHIVE_MANIFEST_BYTES, opts);
    if (!bytes) throw new FerryError('ERR_LAYOUT', `${where}: not a docker archive (no manifest.json)`);
    return parseArchiveManifest(bytes, where).flatMap((item, i) => (item.RepoTags.length ? [...item.RepoTags] : [`@${i}`]));
  } finally {
    await store.close();
  }
}
