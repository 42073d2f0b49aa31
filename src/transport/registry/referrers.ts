import { FerryError, isFerryError } from '../../errors.js';
import { readBounded } from '../../http/body.js';
import { repositoryScope } from '../../http/scope.js';
import { validateDescriptor, type Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import { MAX_JSON_BODY_BYTES } from '../../oci/limits.js';
import { MediaType } from '../../oci/media-types.js';
import type { RawManifest } from '../../oci/manifest.js';
import type { ManifestHead } from '../types.js';
import { getManifest, headManifest, type RepoContext } from './manifests.js';
import { nextLink } from './tags.js';

/**
 * What ferry learnt about one registry host during an operation, shared by every source
 * and destination of that host in one client pool: a registry without the referrers API
 * answers the same 404 for every subject, so it is asked once.
 */
export interface RegistryHostNotes {
  referrersApi?: 'supported' | 'unsupported';
  /** The first referrers query in flight; parallel ones wait for it rather than all meeting the same 404. */
  referrersProbe?: Promise<unknown>;
}

/** Pages followed at most; a registry whose Link loops must not hang discovery. */
const MAX_REFERRER_PAGES = 1000;

/**
 * `GET /v2/<name>/referrers/<digest>` with every page. A 404 means the registry has no
 * such API (distribution 2.8 answers plain text), remembered in `notes`. The
 * artifactType filter is applied here again unless the registry says it applied it
 * (`OCI-Filters-Applied`), so callers get exactly what they asked for either way.
 */
export async function listReferrers(
  ctx: RepoContext,
  notes: RegistryHostNotes,
  subject: Digest,
  opts: { artifactType?: string; signal?: AbortSignal } = {},
): Promise<Descriptor[] | 'unsupported'> {
  if (notes.referrersApi === undefined && notes.referrersProbe) await notes.referrersProbe.catch(() => undefined);
  if (notes.referrersApi === 'unsupported') return 'unsupported';
  if (notes.referrersApi !== undefined) return queryReferrers(ctx, notes, subject, opts);
  const probe = queryReferrers(ctx, notes, subject, opts);
  notes.referrersProbe = probe;
  try {
    return await probe;
  } finally {
    if (notes.referrersProbe === probe) notes.referrersProbe = undefined;
  }
}

async function queryReferrers(
  ctx: RepoContext,
  notes: RegistryHostNotes,
  subject: Digest,
  opts: { artifactType?: string; signal?: AbortSignal },
): Promise<Descriptor[] | 'unsupported'> {
  const query = opts.artifactType ? `?artifactType=${encodeURIComponent(opts.artifactType)}` : '';
  const out: Descriptor[] = [];
  const seen = new Set<string>();
  let path: string | undefined = `/v2/${ctx.repository}/referrers/${subject}${query}`;
  for (let page = 0; path && page < MAX_REFERRER_PAGES && !seen.has(path); page++) {
    seen.add(path);
    const res = await ctx.client.request({
      method: 'GET',
      path,
      scopes: [repositoryScope(ctx.repository, 'pull')],
      headers: { accept: MediaType.OciIndex },
      expect: [200, 404],
      what: `listing referrers of ${subject} in`,
      location: ctx.location,
      signal: opts.signal,
    });
    if (res.status === 404) {
      await res.discard();
      // a 404 after a first good page is a broken Link, not a missing API
      if (page > 0) throw new FerryError('ERR_REGISTRY', `listing referrers of ${subject} in ${ctx.location}: the next page (Link) answered HTTP 404`);
      notes.referrersApi = 'unsupported';
      return 'unsupported';
    }
    notes.referrersApi = 'supported';
    const body = await readBounded(res.body, MAX_JSON_BODY_BYTES, `referrers of ${subject} in ${ctx.location}`);
    const applied = String(res.headers['oci-filters-applied'] ?? '').split(',').map((s) => s.trim());
    const found = parseReferrersIndex(body, `referrers of ${subject} in ${ctx.location}`);
    out.push(...(opts.artifactType && !applied.includes('artifactType') ? found.filter((d) => d.artifactType === opts.artifactType) : found));
    path = nextLink(res.headers['link']);
  }
  return out;
}

function parseReferrersIndex(body: Buffer, where: string): Descriptor[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new FerryError('ERR_MANIFEST_INVALID', `${where}: the registry's answer is not JSON`);
  }
  const list = (doc as { manifests?: unknown } | null)?.manifests;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new FerryError('ERR_MANIFEST_INVALID', `${where}: "manifests" is not an array`);
  return list.map((d, i) => validateDescriptor(d, `${where}, entry ${i}`));
}

/** A manifest by tag; undefined when the tag is not there. */
export async function getTaggedManifest(ctx: RepoContext, tag: string, signal?: AbortSignal, scope: 'pull' | 'push' = 'pull'): Promise<RawManifest | undefined> {
  try {
    return await getManifest(ctx, tag, signal, scope);
  } catch (e) {
    if (isFerryError(e) && e.code === 'ERR_NOT_FOUND' && e.status === 404) return undefined;
    throw e;
  }
}

/** One HEAD of a tag; undefined when it is not there. */
export function headTag(ctx: RepoContext, tag: string, signal?: AbortSignal, scope: 'pull' | 'push' = 'pull'): Promise<ManifestHead | undefined> {
  return headManifest(ctx, tag, signal, scope);
}
