import type { Location } from '../reference/location.js';
import { parseLocation } from '../reference/location.js';

const transports = ['docker://', 'oci:', 'oci-archive:', 'docker-archive:', 'dir:'];

/**
 * A merge source or target as written on the command line or in a manifest-tool spec.
 * manifest-tool's YAML names images without a transport ("reg:5000/app:amd64"), so a
 * name without one is a registry image; with one it is whatever the transport says.
 */
export function parseImageName(name: string): Location {
  const trimmed = name.trim();
  return parseLocation(transports.some((t) => trimmed.startsWith(t)) ? trimmed : `docker://${trimmed}`);
}
