import { openArchiveStore } from '../local/archive-store.js';
import type { ArchiveStoreOptions } from '../local/archive-store.js';
import { OciLayoutSource } from '../oci-layout/source.js';

/**
 * An `oci-archive:` is an OCI layout in a tar. A plain tar is read in place: TarStore
 * indexes the entry headers once and each blob read is a byte range of the archive; a
 * compressed one is streamed (StreamedTarStore). Nothing is extracted. Everything else
 * is the layout reader's.
 */
export async function openOciArchiveSource(path: string, ref: string | undefined, description: string, opts?: ArchiveStoreOptions): Promise<OciLayoutSource> {
  const store = await openArchiveStore(path, description, opts);
  try {
    return await OciLayoutSource.open(store, ref, description, opts);
  } catch (e) {
    await store.close();
    throw e;
  }
}
