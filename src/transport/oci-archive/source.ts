import { TarStore } from '../local/tar-store.js';
import type { TarStoreOptions } from '../local/tar-store.js';
import { OciLayoutSource } from '../oci-layout/source.js';

/**
 * An `oci-archive:` is an OCI layout in a tar. It is read in place: TarStore indexes the
 * entry headers once and each blob read is a byte range of the archive, so nothing is
 * extracted (a compressed archive is the exception, see TarStore). Everything else is
 * the layout reader's.
 */
export async function openOciArchiveSource(path: string, ref: string | undefined, description: string, opts?: TarStoreOptions): Promise<OciLayoutSource> {
  const store = await TarStore.open(path, description, opts);
  try {
    return await OciLayoutSource.open(store, ref, description, opts);
  } catch (e) {
    await store.close();
    throw e;
  }
}
