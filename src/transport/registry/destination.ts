import type { Readable } from 'node:stream';
import { AbortedError, FerryError } from '../../errors.js';
import type { RegistryClient } from '../../http/client.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import type { RawManifest } from '../../oci/manifest.js';
import { repositoryName, type DockerReference } from '../../reference/docker-reference.js';
import type { ImageDestination, ImageSource, MountAnswer, PutBlobOptions, PutManifestAnswer, ReadOptions, RepositoryIdentity } from '../types.js';
import { cancelUpload, finishUpload, headBlob, mountBlob, patchUpload, putUpload, startUpload } from './blobs.js';
import { deleteManifestByDigest, deleteTagOnly, type DeleteContext } from './delete.js';
import { headManifest, putManifest, type ManifestHead, type RepoContext } from './manifests.js';
import { getTaggedManifest, headTag, listReferrers, type RegistryHostNotes } from './referrers.js';
import { listTags } from './tags.js';

export class RegistryDestination implements ImageDestination {
  readonly description: string;
  readonly supportsIndex = true;
  readonly ctx: RepoContext;
  /**
   * Upload sessions opened ahead of their putBlob: by a refused mount (202), or by
   * prepareUpload while the source's first bytes were still on their way.
   */
  private readonly openUploads = new Map<Digest, Promise<URL>>();
  /** DELETEs of sessions let go while the copy went on; abort waits for them before the process may exit. */
  private readonly cancelling = new Set<Promise<void>>();

  constructor(
    readonly ref: DockerReference,
    readonly client: RegistryClient,
    description: string,
    /** Shared per host by the client pool (see RegistryHostNotes). */
    readonly notes: RegistryHostNotes = {},
  ) {
    this.description = description;
    this.ctx = { client, repository: ref.repository, location: description };
  }

  get identity(): RepositoryIdentity {
    return { registry: this.ref.registry, repository: this.ref.repository };
  }

  private get deletes(): DeleteContext {
    return { ctx: this.ctx, repository: `docker://${repositoryName(this.ref)}` };
  }

  /** The tag the root is pushed under, if the location names one. */
  get tag(): string | undefined {
    return this.ref.tag;
  }

  async hasManifest(digest: Digest, opts: ReadOptions = {}): Promise<boolean> {
    return (await headManifest(this.ctx, digest, opts.signal, 'push')) !== undefined;
  }

  /** What the destination's tag points at now (one HEAD), for no-op detection. */
  async taggedDigest(opts: ReadOptions = {}): Promise<Digest | undefined> {
    if (!this.ref.tag) return undefined;
    return (await headManifest(this.ctx, this.ref.tag, opts.signal, 'push'))?.digest;
  }

  async hasBlob(desc: Descriptor, opts: ReadOptions = {}): Promise<boolean> {
    // push scope up front: the token that answers the HEAD also serves the upload
    const size = await headBlob(this.ctx, desc.digest, opts.signal, 'push');
    return size !== undefined && (size < 0 || size === desc.size);
  }

  async mountBlob(desc: Descriptor, source: ImageSource, opts: ReadOptions = {}): Promise<boolean> {
    const from = source.identity;
    if (!from || from.registry !== this.ref.registry || from.repository === this.ref.repository) return false;
    return (await this.mountFromRepository(desc, from.repository, opts)) === 'mounted';
  }

  async mountFromRepository(desc: Descriptor, repository: string, opts: ReadOptions = {}): Promise<MountAnswer> {
    try {
      const result = await mountBlob(this.ctx, desc.digest, repository, opts.signal);
      if (result === 'mounted') return 'mounted';
      // one open upload per digest: an earlier refused mount's session is let go
      this.keepUpload(desc.digest, Promise.resolve(result));
      return 'absent';
    } catch (e) {
      // a token without pull on the source repository is refused (401/403); streaming still works
      if (e instanceof FerryError && (e.code === 'ERR_UNAUTHORIZED' || e.code === 'ERR_DENIED')) return 'refused';
      throw e;
    }
  }

  /** One open session per digest: an earlier one that no upload used is let go. */
  private keepUpload(digest: Digest, upload: Promise<URL>): void {
    upload.catch(() => undefined);
    const earlier = this.openUploads.get(digest);
    if (earlier) this.letGo(earlier);
    this.openUploads.set(digest, upload);
  }

  private letGo(upload: Promise<URL>): void {
    const done = upload.then((u) => cancelUpload(this.ctx, u), () => undefined);
    this.cancelling.add(done);
    void done.finally(() => this.cancelling.delete(done));
  }

  /**
   * The POST is not given the copy's signal: aborted locally after the registry had
   * answered 202, its session would be open with nobody holding its location to let it go.
   * abort() waits for it (boundedly) and lets it go instead.
   */
  prepareUpload(desc: Descriptor, _opts: ReadOptions = {}): void {
    if (this.openUploads.has(desc.digest)) return;
    this.keepUpload(desc.digest, startUpload(this.ctx));
  }

  async putBlob(desc: Descriptor, body: Readable, opts: PutBlobOptions = {}): Promise<void> {
    this.prepareUpload(desc);
    const opened = this.openUploads.get(desc.digest)!;
    this.openUploads.delete(desc.digest);
    await this.inSession(opened, opts.signal, (upload) => putUpload(this.ctx, upload, desc, body, opts.signal));
  }

  async putBlobUnknown(body: Readable, result: () => { digest: Digest; size: number }, opts: PutBlobOptions = {}): Promise<void> {
    await this.inSession(startUpload(this.ctx), opts.signal, async (upload, moved) => {
      const patched = await patchUpload(this.ctx, upload, body, opts.signal);
      moved(patched);
      await finishUpload(this.ctx, patched, result().digest, opts.signal);
    });
  }

  /**
   * Runs `use` on the session `opened` names; a session the copy stops waiting for, or
   * whose upload fails, is let go (at its latest location: a PATCH may move it).
   */
  private async inSession(opened: Promise<URL>, signal: AbortSignal | undefined, use: (upload: URL, moved: (to: URL) => void) => Promise<void>): Promise<void> {
    let upload: URL;
    try {
      upload = await untilAborted(opened, signal);
    } catch (e) {
      this.letGo(opened);
      throw e;
    }
    try {
      await use(upload, (to) => (upload = to));
    } catch (e) {
      this.letGo(Promise.resolve(upload));
      throw e;
    }
  }

  async putManifest(raw: RawManifest, tag: string | undefined, opts: ReadOptions = {}): Promise<PutManifestAnswer> {
    const { subjectIndexed } = await putManifest(this.ctx, tag ?? raw.digest, raw, opts.signal);
    return { subjectIndexed };
  }

  listReferrers(subject: Digest, opts: ReadOptions & { artifactType?: string } = {}): Promise<Descriptor[] | 'unsupported'> {
    return listReferrers(this.ctx, this.notes, subject, opts);
  }

  getTaggedManifest(tag: string, opts: ReadOptions = {}): Promise<RawManifest | undefined> {
    return getTaggedManifest(this.ctx, tag, opts.signal, 'push');
  }

  headTag(tag: string, opts: ReadOptions = {}): Promise<ManifestHead | undefined> {
    return headTag(this.ctx, tag, opts.signal, 'push');
  }

  listTags(opts: ReadOptions = {}): Promise<string[]> {
    return listTags(this.ctx, opts.signal);
  }

  deleteManifest(digest: Digest, opts: ReadOptions & { subject?: string } = {}): Promise<void> {
    return deleteManifestByDigest(this.deletes, digest, opts);
  }

  deleteTag(tag: string, opts: ReadOptions = {}): Promise<boolean> {
    return deleteTagOnly(this.deletes, tag, opts);
  }

  async commit(): Promise<void> {
    // a registry makes each manifest visible as it is pushed; the tag was the last push.
    // Sessions refused mounts opened and no upload used (a cached variant was found
    // elsewhere) are let go rather than left to expire.
    await this.abort();
  }

  async abort(): Promise<void> {
    for (const upload of this.openUploads.values()) this.letGo(upload);
    this.openUploads.clear();
    // a failed putBlob's DELETE is in flight when the copy fails: an exit before it is sent leaves the session open
    // bounded: a registry that does not answer must not hold the failed copy's exit for long
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ABORT_WAIT_MS).unref();
    });
    await Promise.race([Promise.allSettled([...this.cancelling]), bound]);
    clearTimeout(timer);
  }
}

const ABORT_WAIT_MS = 5_000;

/** `promise`, or an AbortedError as soon as `signal` fires; the promise itself runs on. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
