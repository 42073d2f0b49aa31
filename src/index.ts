// The library's public surface: re-exports only.
export * from './errors.js';
export * from './oci/media-types.js';
export * from './oci/digest.js';
export * from './oci/descriptor.js';
export * from './oci/platform.js';
export * from './oci/manifest.js';
export * from './reference/docker-reference.js';
export * from './reference/location.js';
export type * from './transport/types.js';

export { copy, type CopyRequest } from './copy/copy.js';
export { copyImage, type CopyResult, type CopyStats } from './copy/copy-image.js';
export type { CopyOptions, MultiArch, ManifestFormat, CompressionTarget } from './copy/options.js';
export type { CopyEvent, EventSink } from './copy/events.js';
export { inspect, manifestDigest, rawManifestOf, type InspectRequest } from './inspect/inspect.js';
export type { InspectResult, InspectOptions } from './inspect/inspect-image.js';
export type { InspectOutput, InspectLayer } from './inspect/skopeo-json.js';
export { listTags, type TagList } from './tags/list-tags.js';
export { deleteImage, type DeleteRequest, type DeleteResult } from './delete/delete.js';
export { login, logout, logoutAll, checkCredential, type LoginRequest } from './login/login.js';
export { openSource, openDestination, type SideOptions, type SessionOptions, type DestinationExtras } from './transport/open.js';
export { ClientPool } from './transport/registry/client-pool.js';
export { RegistryClient, type RegistryClientOptions } from './http/client.js';
export type { Credential } from './http/credential.js';
export { mergeManifests } from './merge/merge.js';
export { syncRepository } from './sync/sync.js';
export * from './credentials/index.js';
