import type { Digest } from './digest.js';
import { isDigest } from './digest.js';
import { FerryError } from '../errors.js';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  features?: string[];
}

/** An OCI content descriptor (also the shape of Docker v2 descriptors). */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
  data?: string;
}

export function validateDescriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== 'object' || value === null) {
    throw new FerryError('ERR_MANIFEST_INVALID', `${where}: descriptor is not an object`);
  }
  const d = value as Record<string, unknown>;
  if (typeof d['mediaType'] !== 'string' || d['mediaType'] === '') {
    throw new FerryError('ERR_MANIFEST_INVALID', `${where}: descriptor has no mediaType`);
  }
  if (typeof d['digest'] !== 'string' || !isDigest(d['digest'])) {
    throw new FerryError('ERR_MANIFEST_INVALID', `${where}: descriptor has an invalid digest "${String(d['digest'])}"`);
  }
  if (typeof d['size'] !== 'number' || !Number.isSafeInteger(d['size']) || d['size'] < 0) {
    throw new FerryError('ERR_MANIFEST_INVALID', `${where}: descriptor ${d['digest']} has an invalid size`);
  }
  return value as Descriptor;
}
