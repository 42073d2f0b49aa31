import { FerryError } from '../../errors.js';
import { MediaType } from '../../oci/media-types.js';

/**
 * Media types for layers as `docker save` stores them. Docker writes layers as plain
 * tar, but archives built by other tools carry gzip (and docker 25+ may carry zstd);
 * the manifest a docker-archive source presents describes each file exactly as stored,
 * so the type comes from the file's first bytes, not from what docker usually does.
 */

export const DockerLayerTar = MediaType.DockerLayerTar;

export function layerMediaType(head: Uint8Array, where: string): string {
  if (head[0] === 0x1f && head[1] === 0x8b) return MediaType.DockerLayerGzip;
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return MediaType.OciLayerZstd;
  const bzip2 = head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68;
  const xz = head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a;
  if (bzip2 || xz) throw new FerryError('ERR_UNSUPPORTED', `${where}: ${bzip2 ? 'bzip2' : 'xz'}-compressed layers are not supported`);
  return DockerLayerTar;
}
