import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, DigestMismatchError, FerryError, RegistryError } from '../../errors.js';
import type { RegistryClient } from '../../http/client.js';
import { readBounded } from '../../http/body.js';
import { repositoryScope } from '../../http/scope.js';
import type { Digest } from '../../oci/digest.js';
import { digestOf, isDigest } from '../../oci/digest.js';
import { manifestAccept } from '../../oci/media-types.js';
import type { RawManifest } from '../../oci/manifest.js';
import type { ManifestHead } from '../types.js';
import { manifestTooLarge, parseManifest } from '../../oci/manifest.js';
import { MAX_MANIFEST_BYTES } from '../../oci/limits.js';

/** Manifest endpoints of the distribution API for one repository. */
export interface RepoContext {
  client: RegistryClient;
  repository: string;
  /** Location named in errors. */
  location: string;
}

export type { ManifestHead };

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `scope` 'push' when a destination reads (one token then serves the writes that follow). */
export async function getManifest(ctx: RepoContext, reference: string, signal?: AbortSignal, scope: 'pull' | 'push' = 'pull'): Promise<RawManifest> {
  const res = await ctx.client.request({
    method: 'GET',
    path: `/v2/${ctx.repository}/manifests/${reference}`,
    scopes: [scopeFor(ctx.repository, scope)],
    headers: { accept: manifestAccept },
    expect: [200],
    what: 'reading manifest',
    location: ctx.location,
    signal,
  });
  // Content-Length first, so an oversized manifest is refused before any of it is read
  const what = `manifest ${reference} of ${ctx.location}`;
  const declared = Number(header(res.headers, 'content-length'));
  if (declared > MAX_MANIFEST_BYTES) {
    res.body.destroy();
    throw manifestTooLarge(what, declared);
  }
  const bytes = await readBounded(res.body, MAX_MANIFEST_BYTES, what, () => manifestTooLarge(what, `more than ${MAX_MANIFEST_BYTES}`));
  const contentType = header(res.headers, 'content-type');
  const parsed = parseManifest(bytes, contentType);
  const actual = digestOf(bytes, isDigest(reference) ? reference : undefined);
  // By digest the bytes must hash to it; by tag the registry's header must agree with the bytes.
  if (isDigest(reference) && actual !== reference) throw new DigestMismatchError(`manifest of ${ctx.location}`, reference, actual);
  const claimed = header(res.headers, 'docker-content-digest');
  if (!isDigest(reference) && claimed && isDigest(claimed) && digestOf(bytes, claimed) !== claimed) {
    throw new DigestMismatchError(`manifest of ${ctx.location} (Docker-Content-Digest)`, claimed, digestOf(bytes, claimed));
  }
  return { bytes, mediaType: parsed.mediaType, digest: actual };
}

/** HEAD a manifest: undefined when absent. Always with the full Accept (distribution 404s OCI types otherwise). */
export async function headManifest(ctx: RepoContext, reference: string, signal?: AbortSignal, scope: 'pull' | 'push' = 'pull'): Promise<ManifestHead | undefined> {
  const res = await ctx.client.request({
    method: 'HEAD',
    path: `/v2/${ctx.repository}/manifests/${reference}`,
    scopes: [scopeFor(ctx.repository, scope)],
    headers: { accept: manifestAccept },
    expect: [200, 404],
    what: 'checking manifest',
    location: ctx.location,
    signal,
  });
  await res.discard();
  if (res.status === 404) return undefined;
  const d = header(res.headers, 'docker-content-digest');
  const len = header(res.headers, 'content-length');
  return {
    digest: d && isDigest(d) ? d : undefined,
    mediaType: header(res.headers, 'content-type')?.split(';')[0],
    size: len ? Number(len) : undefined,
  };
}

function scopeFor(repository: string, scope: 'pull' | 'push'): string {
  return scope === 'push' ? repositoryScope(repository, 'pull', 'push') : repositoryScope(repository, 'pull');
}

/** A stored manifest's digest, and whether the registry indexed its `subject` itself (OCI-Subject). */
export interface PutManifestResult {
  digest: Digest;
  subjectIndexed: boolean;
}

/**
 * distribution 2.8 (filesystem storage) rewrites a blob's repository link in place on every
 * upload of that blob: a manifest PUT that checks the link while another client uploads the
 * same blob into the repository (two copies carrying one empty config) can read it empty and
 * is answered 400 DIGEST_INVALID + MANIFEST_BLOB_UNKNOWN. Reproduced: 60 of 1,500 PUTs with
 * two clients re-uploading the config. Blobs are confirmed present before any manifest is
 * pushed, so the PUT is sent again a few times; a blob that is really missing still fails.
 */
const LINK_RACE_WAITS_MS = [50, 200, 600];

function linkRace(e: unknown): boolean {
  return e instanceof RegistryError && e.status === 400 && e.errors.some((d) => d.code === 'DIGEST_INVALID' || d.code === 'MANIFEST_BLOB_UNKNOWN');
}

export async function putManifest(ctx: RepoContext, reference: string, raw: RawManifest, signal?: AbortSignal): Promise<PutManifestResult> {
  for (let n = 0; ; n++) {
    try {
      return await putManifestOnce(ctx, reference, raw, signal);
    } catch (e) {
      const wait = LINK_RACE_WAITS_MS[n];
      if (wait === undefined || !linkRace(e)) throw e;
      await sleep(wait, undefined, { signal }).catch(() => {
        throw new AbortedError();
      });
    }
  }
}

async function putManifestOnce(ctx: RepoContext, reference: string, raw: RawManifest, signal?: AbortSignal): Promise<PutManifestResult> {
  if (raw.bytes.byteLength > MAX_MANIFEST_BYTES) throw manifestTooLarge(`manifest ${raw.digest} for ${ctx.location}`, raw.bytes.byteLength);
  const body = Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength);
  const res = await ctx.client.request({
    method: 'PUT',
    path: `/v2/${ctx.repository}/manifests/${reference}`,
    scopes: [repositoryScope(ctx.repository, 'pull', 'push')],
    headers: { 'content-type': raw.mediaType },
    body: () => body,
    expect: [201, 200, 202],
    what: `pushing manifest ${raw.digest} to`,
    location: ctx.location,
    signal,
  });
  await res.discard();
  const d = header(res.headers, 'docker-content-digest');
  if (d && isDigest(d) && d !== raw.digest && digestOf(raw.bytes, d) !== d) {
    throw new DigestMismatchError(`manifest pushed to ${ctx.location}`, raw.digest, d);
  }
  // OCI 1.1: a registry with the referrers API names the subject it indexed; one without says nothing
  return { digest: raw.digest, subjectIndexed: header(res.headers, 'oci-subject') !== undefined };
}

export async function deleteManifest(ctx: RepoContext, reference: string, signal?: AbortSignal): Promise<void> {
  const res = await ctx.client.request({
    method: 'DELETE',
    path: `/v2/${ctx.repository}/manifests/${reference}`,
    scopes: [repositoryScope(ctx.repository, 'delete')],
    expect: [202, 200],
    what: 'deleting manifest',
    location: ctx.location,
    signal,
  });
  await res.discard();
}
