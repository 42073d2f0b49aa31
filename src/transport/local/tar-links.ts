import { posix } from 'node:path';
import type { TarEntryType } from './tar-header.js';
import { normalizeName } from './tar-walk.js';

const MAX_LINK_HOPS = 16;

interface Linkable {
  name: string;
  type: TarEntryType;
  linkname: string;
}

/**
 * The regular-file entry a name leads to, following symbolic and hard links
 * (`docker save` links layers that two images share). A loop or a link out of the
 * archive leads nowhere.
 */
export function resolveEntry<E extends Linkable>(entries: ReadonlyMap<string, E>, start: string | undefined): E | undefined {
  let name = start;
  for (let hop = 0; hop < MAX_LINK_HOPS && name !== undefined; hop++) {
    const e = entries.get(name);
    if (!e) return undefined;
    if (e.type === 'file') return e;
    if (e.type === 'symlink') {
      name = normalizeName(e.linkname.startsWith('/') ? e.linkname : posix.join(posix.dirname(e.name), e.linkname));
    } else if (e.type === 'hardlink') {
      name = normalizeName(e.linkname);
    } else {
      return undefined;
    }
  }
  return undefined;
}
