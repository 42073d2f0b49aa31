import { FerryError } from '../errors.js';
import { MediaType } from '../oci/media-types.js';
import type { ManifestFormat } from './options.js';

/**
 * Media-type mapping between Docker v2 schema 2 and OCI (pure). Docker has no zstd
 * and no uncompressed layer type, so such layers cannot go into a Docker manifest.
 */
const dockerToOci: Record<string, string> = {
  [MediaType.DockerManifest]: MediaType.OciManifest,
  [MediaType.DockerManifestList]: MediaType.OciIndex,
  [MediaType.DockerConfig]: MediaType.OciConfig,
  [MediaType.DockerLayerGzip]: MediaType.OciLayerGzip,
  [MediaType.DockerLayerTar]: MediaType.OciLayerTar,
  [MediaType.DockerForeignLayerGzip]: MediaType.OciLayerNondistGzip,
};

const ociToDocker: Record<string, string> = Object.fromEntries(Object.entries(dockerToOci).map(([d, o]) => [o, d]));

export function manifestFormatOf(mediaType: string): ManifestFormat | undefined {
  if (mediaType === MediaType.DockerManifest || mediaType === MediaType.DockerManifestList) return 'v2s2';
  if (mediaType === MediaType.OciManifest || mediaType === MediaType.OciIndex) return 'oci';
  return undefined;
}

/** The media type `mediaType` becomes in `format`; unchanged when it has no counterpart and needs none. */
export function convertMediaType(mediaType: string, format: ManifestFormat, what: string): string {
  if (format === 'oci') return dockerToOci[mediaType] ?? mediaType;
  const mapped = ociToDocker[mediaType];
  if (mapped) return mapped;
  if (Object.values(ociToDocker).includes(mediaType) || mediaType.startsWith('application/vnd.docker.')) return mediaType;
  throw new FerryError('ERR_UNSUPPORTED', `cannot convert ${what} to Docker v2 schema 2: media type ${mediaType} has no Docker equivalent`);
}

/** The layer media type for a compression in a manifest of `format`. */
export function layerMediaType(compression: 'gzip' | 'zstd', format: ManifestFormat, nondistributable = false): string {
  if (format === 'v2s2') {
    if (compression === 'zstd') throw new FerryError('ERR_UNSUPPORTED', 'Docker v2 schema 2 has no zstd layer type');
    return nondistributable ? MediaType.DockerForeignLayerGzip : MediaType.DockerLayerGzip;
  }
  if (nondistributable) return compression === 'zstd' ? MediaType.OciLayerNondistZstd : MediaType.OciLayerNondistGzip;
  return compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayerGzip;
}
