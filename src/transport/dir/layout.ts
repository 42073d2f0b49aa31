import type { Digest } from '../../oci/digest.js';
import { digestAlgorithm, digestHex, isDigest } from '../../oci/digest.js';
import { FerryError } from '../../errors.js';

/**
 * skopeo's `dir:` format (containers/image directory transport, version 1.1): one image,
 * its manifest in manifest.json, every blob (config included) a file named by the hex of
 * its sha256 digest, and a version file.
 */

export const MANIFEST_FILE = 'manifest.json';
export const VERSION_FILE = 'version';
export const DIR_VERSION = 'Directory Transport Version: 1.1\n';
const VERSION_PREFIX = 'Directory Transport Version: 1.';

/**
 * A blob's file name. skopeo 1.9 only writes sha256 blobs (plain hex); other algorithms
 * get an "<algorithm>-<hex>" name so they cannot collide with a sha256 name.
 */
export function blobFileName(digest: Digest): string {
  if (!isDigest(digest)) throw new FerryError('ERR_MANIFEST_INVALID', `invalid digest "${digest}"`);
  const alg = digestAlgorithm(digest);
  return alg === 'sha256' ? digestHex(digest) : `${alg}-${digestHex(digest)}`;
}

/** File names that are blobs (what a replaced image may leave behind). */
export function isBlobFileName(name: string): boolean {
  return /^(?:[a-z0-9]+-)?[a-f0-9]{64,128}$/.test(name);
}

export function checkVersion(text: string, where: string): void {
  if (!text.startsWith(VERSION_PREFIX)) {
    throw new FerryError('ERR_LAYOUT', `${where}: unsupported dir: version ${JSON.stringify(text.trim())}`);
  }
}
