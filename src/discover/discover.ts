import type { OperationOptions } from '../events.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { parseManifest } from '../oci/manifest.js';
import type { Location } from '../reference/location.js';
import { discoverAttachments } from '../referrers/discover.js';
import type { Attachment } from '../referrers/types.js';
import { openSource, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';
import type { ImageSource } from '../transport/types.js';
import { withCosignLayers } from './cosign-layers.js';

/** Options of {@link discover}. */
export interface DiscoverRequest extends OperationOptions, SessionOptions, SideOptions {
  /** Only referrers with one of these artifact types (cosign tags by what they hold). */
  artifactTypes?: string[];
}

/** An attachment as `discover` shows it: for a cosign tag, also the layers (one per signature). */
export interface DiscoveredAttachment extends Attachment {
  /** cosign tags only: the manifest's layers, whose annotations carry the signatures and predicate types. */
  readonly layers?: readonly Descriptor[];
  readonly attachments: readonly DiscoveredAttachment[];
}

export interface DiscoveredManifest {
  /** mediaType, digest, size (and platform for an index's child). */
  descriptor: Descriptor;
  attachments: DiscoveredAttachment[];
}

export interface DiscoverResult extends DiscoveredManifest {
  /** The location as given ("docker://host/app:v1"). */
  location: string;
  /** For an index: each child, with what is attached to it. */
  manifests?: DiscoveredManifest[];
}

/**
 * `ferry discover`: what is attached to an image (and to each child of an index): OCI
 * referrers (the registry's referrers API, or the `sha256-<hex>` tag schema) and cosign's
 * `.sig`/`.att`/`.sbom` tags, transitively. Registries, oci: and oci-archive: layouts.
 */
export async function discover(input: string | Location, request: DiscoverRequest = {}): Promise<DiscoverResult> {
  const loc = toLocation(input);
  return withPool(request, async (pool) => {
    const source = await openSource(loc, request, request, pool);
    try {
      return await discoverIn(source, request);
    } finally {
      await source.close();
    }
  });
}

async function discoverIn(source: ImageSource, request: DiscoverRequest): Promise<DiscoverResult> {
  const signal = request.signal;
  const read = signal ? { signal } : {};
  const root = await source.getManifest(undefined, read);
  const doc = parseManifest(root.bytes, root.mediaType);
  const children = doc.kind === 'index' ? doc.manifests : [];
  const tags = source.listTags ? await source.listTags(read) : [];
  const selection = request.artifactTypes ? { artifactTypes: request.artifactTypes } : {};
  const found = await discoverAttachments(source, [root.digest, ...children.map((c) => c.digest)], { ...read, tags, selection });
  const detailed = async (digest: Digest) => Promise.all((found.get(digest) ?? []).map((a) => withCosignLayers(source, a, read)));
  const result: DiscoverResult = {
    location: source.description,
    descriptor: { mediaType: root.mediaType, digest: root.digest, size: root.bytes.byteLength },
    attachments: await detailed(root.digest),
  };
  if (doc.kind === 'index') result.manifests = await Promise.all(children.map(async (c) => ({ descriptor: c, attachments: await detailed(c.digest) })));
  return result;
}
