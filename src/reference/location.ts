import { InvalidReferenceError } from '../errors.js';
import type { DockerReference } from './docker-reference.js';
import { formatDockerReference, parseDockerReference, withDefaultTag } from './docker-reference.js';

/** Where an image lives, spelled as skopeo spells transports. */
export type Location =
  | { kind: 'docker'; ref: DockerReference }
  | { kind: 'oci'; path: string; ref?: string }
  | { kind: 'oci-archive'; path: string; ref?: string }
  | { kind: 'docker-archive'; path: string; ref?: string }
  | { kind: 'dir'; path: string };

export type LocationKind = Location['kind'];

const prefixes: LocationKind[] = ['docker', 'oci-archive', 'oci', 'docker-archive', 'dir'];

/**
 * Splits "PATH[:REF]" at the first colon, as containers/image does, so a ref may itself
 * hold colons ("docker-archive:/tmp/x.tar:repo/name:tag"); paths cannot.
 */
function splitPathRef(input: string, body: string): { path: string; ref?: string } {
  const i = body.indexOf(':');
  if (i < 0) return { path: body };
  const path = body.slice(0, i);
  const ref = body.slice(i + 1);
  if (path === '') throw new InvalidReferenceError(input, 'missing path before ":"');
  return ref === '' ? { path } : { path, ref };
}

/**
 * Parses a location as skopeo writes it: "docker://REF" (":latest" added when neither tag
 * nor digest is given), "oci:PATH[:REF]", "oci-archive:PATH[:REF]",
 * "docker-archive:PATH[:REF]" or "dir:PATH". Throws InvalidReferenceError.
 */
export function parseLocation(input: string): Location {
  const colon = input.indexOf(':');
  const scheme = colon > 0 ? input.slice(0, colon) : '';
  if (!prefixes.includes(scheme as LocationKind)) {
    throw new InvalidReferenceError(
      input,
      `unknown or missing transport (expected one of docker://, oci:, oci-archive:, docker-archive:, dir:)`,
    );
  }
  const body = input.slice(colon + 1);
  switch (scheme as LocationKind) {
    case 'docker': {
      if (!body.startsWith('//')) throw new InvalidReferenceError(input, 'docker transport needs "docker://" followed by an image reference');
      return { kind: 'docker', ref: withDefaultTag(parseDockerReference(body.slice(2))) };
    }
    case 'dir':
      if (body === '') throw new InvalidReferenceError(input, 'missing directory path');
      return { kind: 'dir', path: body };
    case 'oci':
    case 'oci-archive':
    case 'docker-archive': {
      if (body === '') throw new InvalidReferenceError(input, 'missing path');
      const { path, ref } = splitPathRef(input, body);
      const kind = scheme as 'oci' | 'oci-archive' | 'docker-archive';
      return ref === undefined ? { kind, path } : { kind, path, ref };
    }
  }
}

/** The location written back in skopeo's form; parseLocation(formatLocation(l)) gives l again. */
export function formatLocation(loc: Location): string {
  switch (loc.kind) {
    case 'docker':
      return `docker://${formatDockerReference(loc.ref)}`;
    case 'dir':
      return `dir:${loc.path}`;
    default:
      return `${loc.kind}:${loc.path}${loc.ref ? `:${loc.ref}` : ''}`;
  }
}
