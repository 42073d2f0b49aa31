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
