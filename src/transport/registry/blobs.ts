import type { Readable } from 'node:stream';
import { FerryError } from '../../errors.js';
import { StallWatch } from '../../stream/stall-watch.js';
import type { Response } from '../../http/client.js';
import { repositoryScope } from '../../http/scope.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import type { RepoContext } from './manifests.js';

/**
 * Blob endpoints. Uploads follow the Location the registry returns every time
 * (distribution rewrites `_state` after each request).
 */

const pushScopes = (ctx: RepoContext) => [repositoryScope(ctx.repository, 'pull', 'push')];

function locationOf(res: Response, ctx: RepoContext, what: string): URL {
  const loc = res.headers['location'];
  const value = Array.isArray(loc) ? loc[0] : loc;
  if (!value) throw new FerryError('ERR_REGISTRY', `${what} ${ctx.location}: registry answered ${res.status} without a Location`);
  return new URL(value, res.url);
}

export async function headBlob(ctx: RepoContext, digest: Digest, signal?: AbortSignal, scope: 'pull' | 'push' = 'pull'): Promise<number | undefined> {
  const res = await ctx.client.request({
    method: 'HEAD',
    path: `/v2/${ctx.repository}/blobs/${digest}`,
    scopes: scope === 'push' ? pushScopes(ctx) : [repositoryScope(ctx.repository, 'pull')],
    expect: [200, 404],
    what: `checking blob ${digest} in`,
    location: ctx.location,
    signal,
  });
  await res.discard();
  if (res.status === 404) return undefined;
  const len = res.headers['content-length'];
  return typeof len === 'string' ? Number(len) : -1;
}

/** GET a blob (following redirects to storage without Authorization); `offset` asks for a Range. */
export async function getBlob(ctx: RepoContext, desc: Descriptor, offset: number, signal?: AbortSignal): Promise<{ stream: Readable; offset: number }> {
  const res = await ctx.client.request({
    method: 'GET',
    path: `/v2/${ctx.repository}/blobs/${desc.digest}`,
    scopes: [repositoryScope(ctx.repository, 'pull')],
    headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
    expect: [200, 206],
    what: `reading blob ${desc.digest} from`,
    location: ctx.location,
    signal,
  });
  return { stream: res.body, offset: res.status === 206 ? offset : 0 };
}

/**
 * Cross-repository mount. Returns "mounted", or the upload URL the registry opened
 * instead (202), which the caller uses for a normal upload so no request is wasted.
 */
export async function mountBlob(ctx: RepoContext, digest: Digest, fromRepository: string, signal?: AbortSignal): Promise<'mounted' | URL> {
  const q = new URLSearchParams({ mount: digest, from: fromRepository });
  const res = await ctx.client.request({
    method: 'POST',
    path: `/v2/${ctx.repository}/blobs/uploads/?${q}`,
    scopes: [...pushScopes(ctx), repositoryScope(fromRepository, 'pull')],
    expect: [201, 202],
    what: `mounting blob ${digest} into`,
    location: ctx.location,
    signal,
    retry: true,
  });
  await res.discard();
  if (res.status === 201) return 'mounted';
  return locationOf(res, ctx, 'mounting blob');
}

export async function startUpload(ctx: RepoContext, signal?: AbortSignal): Promise<URL> {
  const res = await ctx.client.request({
    method: 'POST',
    path: `/v2/${ctx.repository}/blobs/uploads/`,
    scopes: pushScopes(ctx),
    expect: [202],
    what: 'starting blob upload to',
    location: ctx.location,
    signal,
    retry: true,
  });
  await res.discard();
  return locationOf(res, ctx, 'starting blob upload');
}

/**
 * An upload body that fails once the destination has stopped reading it for the stall
 * timeout, naming the destination and the blob. The sender's headers timeout (undici's
 * runs while the body is sent too) is pushed past it so this message is the one seen.
 */
function watched(ctx: RepoContext, body: Readable, what: string): { body: StallWatch; headersTimeoutMs: number } {
  const ms = ctx.client.stallTimeoutMs;
  const watch = new StallWatch(ms, () => new FerryError('ERR_TIMEOUT', `uploading ${what} to ${ctx.location}: the destination read nothing for ${ms / 1000} s (stall timeout); giving up on this upload`));
  // a body that fails or is destroyed, even before we got it (a source answering 404 at
  // once), fails the upload with its own error instead of leaving it waiting for bytes
  const broken = (): void => {
    if (!body.readableEnded) watch.destroy(body.errored ?? new FerryError('ERR_ABORTED', `upload of ${what} was cancelled`));
  };
  // the error reaches the caller through the request (or the destroyed check before it)
  watch.on('error', () => undefined);
  if (body.destroyed) broken();
  else body.once('close', broken);
  return { body: body.pipe(watch), headersTimeoutMs: 2 * ms };
}

function withDigest(url: URL, digest: Digest): string {
  const u = new URL(url.href);
  u.searchParams.set('digest', digest);
  return u.href;
}

/** Monolithic upload: one PUT carrying the whole body, for blobs whose digest and size are known. */
export async function putUpload(ctx: RepoContext, upload: URL, desc: Descriptor, body: Readable, signal?: AbortSignal): Promise<void> {
  let used = false;
  const watch = watched(ctx, body, `blob ${desc.digest}`);
  const res = await ctx.client.request({
    method: 'PUT',
    path: withDigest(upload, desc.digest),
    scopes: pushScopes(ctx),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
    body: () => {
      if (used) throw new FerryError('ERR_NETWORK', `upload of ${desc.digest} must be restarted from the source`);
      used = true;
      // a body that failed before the request went out (the source broke) fails it now;
      // handed to undici, an already destroyed stream would never end the request
      if (watch.body.destroyed) throw watch.body.errored ?? new FerryError('ERR_ABORTED', `upload of ${desc.digest} was cancelled`);
      return watch.body;
    },
    headersTimeoutMs: watch.headersTimeoutMs,
    expect: [201, 204],
    what: `uploading blob ${desc.digest} to`,
    location: ctx.location,
    signal,
    retry: false,
  }).finally(() => watch.body.destroy());
  await res.discard();
}

/** Streams a body of unknown length with one PATCH (chunked), returning the next Location. */
export async function patchUpload(ctx: RepoContext, upload: URL, body: Readable, signal?: AbortSignal): Promise<URL> {
  const watch = watched(ctx, body, 'a blob (digest computed while it streams)');
  const res = await ctx.client.request({
    method: 'PATCH',
    path: upload.href,
    scopes: pushScopes(ctx),
    headers: { 'content-type': 'application/octet-stream' },
    body: () => {
      if (watch.body.destroyed) throw watch.body.errored ?? new FerryError('ERR_ABORTED', 'upload was cancelled');
      return watch.body;
    },
    headersTimeoutMs: watch.headersTimeoutMs,
    expect: [202, 204],
    what: 'streaming blob to',
    location: ctx.location,
    signal,
    retry: false,
  }).finally(() => watch.body.destroy());
  await res.discard();
  return locationOf(res, ctx, 'streaming blob');
}

/** Closes an upload whose bytes were sent by PATCH, naming the digest computed on the way. */
export async function finishUpload(ctx: RepoContext, upload: URL, digest: Digest, signal?: AbortSignal): Promise<void> {
  const res = await ctx.client.request({
    method: 'PUT',
    path: withDigest(upload, digest),
    scopes: pushScopes(ctx),
    headers: { 'content-type': 'application/octet-stream', 'content-length': '0' },
    expect: [201, 204],
    what: `finishing upload of blob ${digest} to`,
    location: ctx.location,
    signal,
    retry: false,
  });
  await res.discard();
}

/** Abandons an upload session (best effort; registries expire them anyway). */
export async function cancelUpload(ctx: RepoContext, upload: URL): Promise<void> {
  try {
    const res = await ctx.client.request({ method: 'DELETE', path: upload.href, scopes: pushScopes(ctx), expect: [204, 200, 202, 404], what: 'cancelling upload to', location: ctx.location, retry: false });
    await res.discard();
  } catch {
    // nothing to do: the session expires on its own
  }
}
