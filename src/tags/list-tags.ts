import { FerryError } from '../errors.js';
import type { OperationOptions } from '../events.js';
import { parseDockerReference, repositoryName } from '../reference/docker-reference.js';
import { formatLocation, type Location } from '../reference/location.js';
import { openSource, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';

/** Options of {@link listTags}. */
export interface ListTagsRequest extends OperationOptions, SessionOptions, SideOptions {}

/** The tags of a repository, in skopeo's JSON shape. */
export interface TagList {
  /** Absent for a docker-archive, as in skopeo's output. */
  Repository?: string;
  Tags: string[];
}

/**
 * `ferry list-tags`: every tag of a repository (registry), ref name (OCI layout) or image
 * name in a docker-archive (every image's RepoTags), in skopeo's JSON shape.
 */
export async function listTags(input: string | Location, request: ListTagsRequest = {}): Promise<TagList> {
  const loc = toLocation(input);
  if (typeof input === 'string' && loc.kind === 'docker') {
    // skopeo refuses a tag or digest here; parse without the ":latest" default to see what was written
    const written = parseDockerReference(input.slice('docker://'.length));
    if (written.tag || written.digest) throw new FerryError('ERR_USAGE', `list-tags takes a repository without tag or digest: ${input}`);
  }
  if (loc.kind === 'docker-archive') {
    const { listArchiveTags } = await import('../transport/archive-names.js');
    return { Tags: await listArchiveTags(loc.path, formatLocation(loc), { signal: request.signal }) };
  }
  return withPool(request, async (pool) => {
    const source = await openSource(loc, request, request, pool);
    try {
      if (!source.listTags) throw new FerryError('ERR_UNSUPPORTED', `${source.description} has no tags to list`);
      const tags = await source.listTags({ signal: request.signal });
      return { Repository: loc.kind === 'docker' ? repositoryName(loc.ref) : source.description, Tags: tags };
    } finally {
      await source.close();
    }
  });
}
