import type { Location } from '../reference/location.js';
import { formatLocation } from '../reference/location.js';
import type { ImageDestination, ImageSource } from './types.js';
import { DirDestination } from './dir/destination.js';
import { DirSource } from './dir/source.js';
import { DockerArchiveDestination } from './docker-archive/destination.js';
import { DockerArchiveSource } from './docker-archive/source.js';
import { OciArchiveDestination } from './oci-archive/destination.js';
import { openOciArchiveSource } from './oci-archive/source.js';
import { OciLayoutDestination } from './oci-layout/destination.js';
import { openOciLayoutSource } from './oci-layout/source.js';

/** The location kinds that live on the local filesystem. */
export type LocalLocation = Exclude<Location, { kind: 'docker' }>;

export interface LocalOpenOptions {
  signal?: AbortSignal;
  /**
   * Where archive destinations stage their content (default: the OS temp dir). Needs
   * room for the whole image. Compressed archive sources are streamed, never inflated.
   */
  tmpDir?: string;
  /** `oci:` only: where blobs live instead of the layout's blobs/ (skopeo's --*-shared-blob-dir; open.ts refuses it elsewhere). */
  sharedBlobDir?: string;
  /** `docker-archive:` destinations only: more RepoTags for the image (skopeo's --additional-tag). */
  additionalTags?: string[];
}

export function isLocalLocation(location: Location): location is LocalLocation {
  return location.kind !== 'docker';
}

export async function openLocalSource(location: LocalLocation, opts: LocalOpenOptions = {}): Promise<ImageSource> {
  const description = formatLocation(location);
  switch (location.kind) {
    case 'oci':
      return openOciLayoutSource(location.path, location.ref, description, opts);
    case 'oci-archive':
      return openOciArchiveSource(location.path, location.ref, description, opts);
    case 'docker-archive':
      return DockerArchiveSource.open(location.path, location.ref, description, opts);
    case 'dir':
      return DirSource.open(location.path, description, opts);
  }
}

export async function openLocalDestination(location: LocalLocation, opts: LocalOpenOptions = {}): Promise<ImageDestination> {
  const description = formatLocation(location);
  switch (location.kind) {
    case 'oci':
      return OciLayoutDestination.open(location.path, {
        description,
        ...(location.ref !== undefined ? { ref: location.ref } : {}),
        ...(opts.sharedBlobDir !== undefined ? { sharedBlobDir: opts.sharedBlobDir } : {}),
      });
    case 'oci-archive':
      return OciArchiveDestination.open(location.path, location.ref, description, opts);
    case 'docker-archive':
      return DockerArchiveDestination.open(location.path, location.ref, description, opts);
    case 'dir':
      return DirDestination.open(location.path, description);
  }
}
