import { RegistryError } from '../errors.js';
import type { OperationOptions } from '../events.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { repositoryName } from '../reference/docker-reference.js';
import type { Location } from '../reference/location.js';
import { openSource, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';
import { inspectImage, type InspectOptions, type InspectResult } from './inspect-image.js';

/** Options of {@link inspect}: what to show, how to reach the registry. */
export interface InspectRequest extends InspectOptions, SessionOptions, SideOptions {}

/** Options of {@link rawManifestOf} and {@link manifestDigest}. */
export interface ManifestRequest extends OperationOptions, SessionOptions, SideOptions {}

/** `ferry inspect`: the root manifest, the chosen image, its config and tags. */
export async function inspect(input: string | Location, request: InspectRequest = {}): Promise<InspectResult> {
  const loc = toLocation(input);
  return withPool(request, async (pool) => {
    const source = await openSource(loc, request, request, pool);
    try {
      const name = loc.kind === 'docker' ? repositoryName(loc.ref) : undefined;
      return await inspectImage(source, { ...request, ...(name ? { name } : {}), noTags: request.noTags || loc.kind !== 'docker' });
    } finally {
      await source.close();
    }
  });
}

/** The manifest bytes exactly as stored (`--raw`). */
export async function rawManifestOf(input: string | Location, request: ManifestRequest = {}): Promise<RawManifest> {
  return withPool(request, async (pool) => {
    const source = await openSource(toLocation(input), request, request, pool);
    try {
      return await source.getManifest(undefined, { signal: request.signal });
    } finally {
      await source.close();
    }
  });
}

/** The root manifest's digest: one HEAD request on a registry (falls back to GET when HEAD omits the digest). */
export async function manifestDigest(input: string | Location, request: ManifestRequest = {}): Promise<Digest> {
  return withPool(request, async (pool) => {
    const loc = toLocation(input);
    const source = await openSource(loc, request, request, pool);
    try {
      if (source.headManifest) {
        const head = await source.headManifest({ signal: request.signal });
        // HEAD answers carry no body; 404 on the manifests endpoint is MANIFEST_UNKNOWN, and the message names the status like every registry error
        if (!head) throw new RegistryError('ERR_NOT_FOUND', source.description, 404, [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }], 'checking manifest');
        if (head.digest) return head.digest;
      }
      return (await source.getManifest(undefined, { signal: request.signal })).digest;
    } finally {
      await source.close();
    }
  });
}
