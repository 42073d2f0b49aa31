/**
 * ferry's library API: the one list of what is public. Everything else under src/ is
 * internal and may change without notice (docs/library.md says why each part is or is
 * not here). No `export *`, so nothing becomes public by accident.
 *
 * @packageDocumentation
 */

// Operations, each with its request (options), result and error behaviour documented on it.
export { copy, type CopyRequest } from './copy/copy.js';
export type { CopyResult, CopyStats } from './copy/copy-image.js';
export type { CopyOptions, MultiArch, ManifestFormat, CompressionTarget } from './copy/options.js';
export type { AttachmentCopyResult } from './copy/attachments.js';
export type { CarryStats } from './referrers/carry.js';
export type { AttachmentSelection } from './referrers/types.js';
export { inspect, rawManifestOf, manifestDigest, type InspectRequest, type ManifestRequest } from './inspect/inspect.js';
export { discover, type DiscoverRequest, type DiscoverResult, type DiscoveredAttachment, type DiscoveredManifest } from './discover/discover.js';
export type { InspectOptions, InspectResult } from './inspect/inspect-image.js';
export type { InspectOutput, InspectLayer } from './inspect/skopeo-json.js';
export { listTags, type ListTagsRequest, type TagList } from './tags/list-tags.js';
export { deleteImage, type DeleteRequest, type DeleteResult } from './delete/delete.js';
export type { DeletedAttachment } from './delete/attachments.js';
export { mergeManifests, type MergeRequest, type MergeResult, type MergedChild } from './merge/merge.js';
export type { MergeSource } from './merge/collect.js';
export type { PlatformOverride } from './merge/child-platform.js';
export type { IndexFormat } from './merge/build-index.js';
export { syncRepository, syncImages, type SyncRequest, type SyncResult, type SyncedTag, type SkopeoSyncSpec } from './sync/sync.js';
export type { SyncSummary, ImageResult } from './sync/summary.js';
export { prune, type PruneRequest, type PruneResult } from './prune/prune.js';
export { login, logout, logoutAll, loggedInUser, type LoginRequest, type LogoutRequest } from './login/login.js';

// Looking inside layers, and best-practice findings.
export { inspectLayers } from './layers/layers.js';
export type { LayersReport, LayerRow, EmptyRow } from './layers/layer-report.js';
export { listFiles, type FileRow, type FileListing, type ListRequest } from './layers/list-files.js';
export { catFile, type CatResult } from './layers/cat-file.js';
export type { ImageRequest } from './layers/open-image.js';
export type { LayerEntry, EntryType, Whiteout } from './layers/entry.js';
export { walkLayer, type EntryVisitor, type WalkResult } from './layers/walk-layer.js';
export { lint, type LintRequest, type LintReport } from './lint/lint.js';
export { toSarif } from './lint/sarif.js';
export { LintFailedError } from './lint/lint-failed.js';
export { rules as lintRules } from './lint/rules/index.js';
export type { Finding, FindingLocation, Severity, Rule, Thresholds } from './lint/finding.js';
export { BlobLocationCache } from './blob-cache/cache.js';
export { blobCacheDir, type BlobCacheOptions } from './blob-cache/session.js';
export type { CredentialDestination } from './credentials/save-credential.js';

// Connection settings and credentials shared by the operations.
export type { SideOptions, SessionOptions, DestinationExtras } from './transport/open.js';
export type { Credential, CredentialCallback, Credentials } from './credentials/credential-source.js';

// Progress events, abort signal.
export type { FerryEvent, EventSink, OperationOptions } from './events.js';

// Errors.
export {
  FerryError,
  UsageError,
  InvalidReferenceError,
  RegistryError,
  DigestMismatchError,
  SizeMismatchError,
  AbortedError,
  isFerryError,
  exitStatusFor,
  type ErrorCode,
  type FerryErrorOptions,
  type RegistryErrorDetail,
} from './errors.js';

// OCI data: manifests, configs, descriptors, digests, platforms.
export type { RawManifest, Manifest, ImageManifest, IndexManifest, Schema1Manifest } from './oci/manifest.js';
export { parseManifest } from './oci/manifest.js';
export type { ImageConfig, ImageRunConfig, ImageHistoryEntry } from './oci/image-config.js';
export type { Descriptor, Platform } from './oci/descriptor.js';
export { isDigest, type Digest } from './oci/digest.js';
export { MediaType, type KnownMediaType } from './oci/media-types.js';
export { parsePlatform, formatPlatform } from './oci/platform.js';

// References and locations.
export { parseDockerReference, formatDockerReference, type DockerReference } from './reference/docker-reference.js';
export { parseLocation, formatLocation, type Location, type LocationKind } from './reference/location.js';
export type { Attachment, AttachmentKind, AttachmentVia } from './referrers/types.js';
