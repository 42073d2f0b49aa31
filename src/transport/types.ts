import type { Readable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';

/**
 * Every location kind (registry, oci layout, oci-archive, docker-archive, dir) is a
 * source and a destination behind these two interfaces, so copying between any two is
 * one engine.
 *
 * Call order for a destination (as containers/image documents it):
 *   hasManifest? → for each blob: hasBlob / mountBlob / putBlob → putManifest (children
 *   first, root last) → commit. Nothing is tagged before commit; a failed or aborted copy
 *   calls abort() instead and leaves the destination as it was (plus verified blobs).
 */

export interface ReadOptions {
  signal?: AbortSignal;
}

/**
 * Which registry repository a location is, for locations that are one. Two locations in
 * the same registry can share blobs by cross-repository mount; local locations have none.
 */
export interface RepositoryIdentity {
  /** Host as the reference spells it ("docker.io", "localhost:5000"). */
  readonly registry: string;
  /** Path inside the registry ("library/alpine"). */
  readonly repository: string;
}

/** A manifest's digest, media type and size, as a HEAD answers (any may be missing). */
export interface ManifestHead {
  digest: Digest | undefined;
  mediaType: string | undefined;
  size: number | undefined;
}

/** A mount's answer: 201; 202 (not there; the upload it opened serves the next putBlob); 401/403. */
export type MountAnswer = 'mounted' | 'absent' | 'refused';

export interface ImageSource {
  /** Human form of the location, used in messages ("docker://host/repo:tag"). */
  readonly description: string;
  /** Set for registry locations: lets a destination in the same registry mount blobs. */
  readonly identity?: RepositoryIdentity;
  /**
   * The root manifest's digest and type without reading it (registries: one HEAD);
   * undefined when the manifest is not there. Absent where reading is as cheap.
   */
  headManifest?(opts?: ReadOptions): Promise<ManifestHead | undefined>;
  /**
   * The manifest named by the location (`ref` undefined) or a child by digest. Digest
   * reads are verified against the digest. Raw bytes are returned untouched.
   */
  getManifest(ref: Digest | undefined, opts?: ReadOptions): Promise<RawManifest>;
  /**
   * A blob's bytes. Implementations do NOT verify; the copy pipeline does (so that a
   * verifier sits exactly once on every path). `offset` asks for a suffix (Range) when
   * the source supports it; `partial` in the answer says whether it was honoured.
   */
  getBlob(desc: Descriptor, opts?: ReadOptions & { offset?: number }): Promise<BlobStream>;
  /** Tags the location's repository holds (registry, OCI layout ref names). */
  listTags?(opts?: ReadOptions): Promise<string[]>;
  /**
   * OCI 1.1 referrers of `subject` from the location's referrers API, filtered by
   * `artifactType` when given (the registry may ignore the filter; callers filter again).
   * 'unsupported' when there is no such API (distribution 2.8 answers 404): the caller
   * then reads the referrers tag schema (`sha256-<hex>`) through getTaggedManifest.
   */
  listReferrers?(subject: Digest, opts?: ReadOptions & { artifactType?: string }): Promise<Descriptor[] | 'unsupported'>;
  /** A manifest by another tag of the same repository; undefined when that tag does not exist. */
  getTaggedManifest?(tag: string, opts?: ReadOptions): Promise<RawManifest | undefined>;
  /** One HEAD of another tag of the same repository; undefined when it does not exist. */
  headTag?(tag: string, opts?: ReadOptions): Promise<ManifestHead | undefined>;
  close(): Promise<void>;
}

/** What a destination learnt while storing a manifest. */
export interface PutManifestAnswer {
  /**
   * True when the registry answered a manifest with a `subject` with the `OCI-Subject`
   * header: it indexes referrers itself, and no `sha256-<hex>` index is needed.
   */
  subjectIndexed?: boolean;
}

export interface BlobStream {
  stream: Readable;
  /** The byte offset the stream starts at (0 unless a Range was honoured). */
  offset: number;
}

export interface PutBlobOptions extends ReadOptions {
  /** Bytes written so far, for progress. */
  onProgress?: (bytes: number) => void;
  /**
   * The caller hashes the body itself: for putBlob it fails the body before its end when
   * digest or size differ; for putBlobUnknown it reports the digest and size of exactly
   * the bytes it streamed. A local destination then does not hash the bytes again.
   */
  verified?: boolean;
}

export interface ImageDestination {
  readonly description: string;
  /** True when this destination can keep a manifest list/index (dir: and docker-archive: cannot). */
  readonly supportsIndex: boolean;
  /** Set for registry locations (see ImageSource.identity). */
  readonly identity?: RepositoryIdentity;
  /** Whether the manifest with this digest is already stored (ends a no-op copy early). */
  hasManifest(digest: Digest, opts?: ReadOptions): Promise<boolean>;
  /** What the location's tag points at now, when cheap to ask (registries: one HEAD). */
  taggedDigest?(opts?: ReadOptions): Promise<Digest | undefined>;
  hasBlob(desc: Descriptor, opts?: ReadOptions): Promise<boolean>;
  /**
   * Cross-repository mount inside one registry: true when the blob is now present
   * without transferring it, false when the caller must stream it (also when `source`
   * has no identity, or lives in another registry or this same repository).
   */
  mountBlob?(desc: Descriptor, source: ImageSource, opts?: ReadOptions): Promise<boolean>;
  /** Cross-repository mount from another repository of the same registry (one the blob cache suggests). */
  mountFromRepository?(desc: Descriptor, repository: string, opts?: ReadOptions): Promise<MountAnswer>;
  /**
   * Stores a blob whose digest and size are known. `body` is consumed once; the
   * destination must check what it receives matches `desc` (registries do; local
   * layouts hash while writing) and must not make the blob visible under its digest
   * otherwise.
   */
  putBlob(desc: Descriptor, body: Readable, opts?: PutBlobOptions): Promise<void>;
  /**
   * Opens what the next putBlob of `desc` writes into (a registry's upload session) now,
   * while the caller is still waiting for the blob's first bytes: one round trip less on
   * the way to the upload. Failures surface in that putBlob; an unused one is let go by
   * commit or abort.
   */
  prepareUpload?(desc: Descriptor, opts?: ReadOptions): void;
  /**
   * Stores a blob whose digest is known only at the end (recompression). The callback
   * is asked for the final digest and size after `body` ended.
   */
  putBlobUnknown?(
    body: Readable,
    result: () => { digest: Digest; size: number },
    opts?: PutBlobOptions,
  ): Promise<void>;
  /**
   * Stores a manifest; `tag` given for the root, and for attachments that live under a
   * tag (cosign tags, the `sha256-<hex>` referrers index).
   */
  putManifest(raw: RawManifest, tag: string | undefined, opts?: ReadOptions): Promise<PutManifestAnswer | void>;
  /** See ImageSource: reading back tags (referrers index, cosign tags) to merge into them. */
  getTaggedManifest?(tag: string, opts?: ReadOptions): Promise<RawManifest | undefined>;
  headTag?(tag: string, opts?: ReadOptions): Promise<ManifestHead | undefined>;
  listTags?(opts?: ReadOptions): Promise<string[]>;
  listReferrers?(subject: Digest, opts?: ReadOptions & { artifactType?: string }): Promise<Descriptor[] | 'unsupported'>;
  /** Makes the result visible (writes index.json / archive); idempotent. */
  commit(opts?: ReadOptions): Promise<void>;
  /** Drops temp files after a failure; never removes what was there before. */
  abort(): Promise<void>;
  /**
   * Removes the manifest with this digest, and with it every tag on it. Failures are
   * explained with `subject` ("manifest sha256:…", "tag v1") as what could not be deleted.
   */
  deleteManifest?(digest: Digest, opts?: ReadOptions & { subject?: string }): Promise<void>;
  /**
   * Removes only this tag. Resolves false when the location does not delete tags by
   * themselves (distribution 2.8 deletes by digest only), so the caller can fall back.
   */
  deleteTag?(tag: string, opts?: ReadOptions): Promise<boolean>;
}
