import { InvalidReferenceError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { isDigest } from '../oci/digest.js';

/**
 * A parsed docker reference: [registry[:port]/]path[:tag][@digest], normalised the way
 * docker and skopeo do (docker.io, library/ for single-component Docker Hub names).
 */
export interface DockerReference {
  /** Registry host as written (with port), "docker.io" when none was given. */
  registry: string;
  /** Repository path, e.g. "library/alpine". */
  repository: string;
  tag?: string;
  digest?: Digest;
}

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's API actually lives. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

const tagPattern = /^[\w][\w.-]{0,127}$/;
const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const hostPattern = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component.startsWith('[');
}

/**
 * Parses "[registry[:port]/]path[:tag][@digest]" as docker does ("alpine" is
 * docker.io/library/alpine). Throws InvalidReferenceError naming what is wrong.
 */
export function parseDockerReference(input: string): DockerReference {
  if (input === '') throw new InvalidReferenceError(input, 'empty reference');
  if (input.length > 255 + 128 + 80) throw new InvalidReferenceError(input, 'reference is too long');
  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw new InvalidReferenceError(input, `"${d}" is not a valid digest (expected sha256:<64 hex>)`);
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw new InvalidReferenceError(input, `invalid tag "${tag}"`);
  }
  if (rest === '') throw new InvalidReferenceError(input, 'missing repository name');
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && looksLikeHost(parts[0]!)) {
    registry = parts.shift()!;
    if (!hostPattern.test(registry)) throw new InvalidReferenceError(input, `invalid registry host "${registry}"`);
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  for (const c of parts) {
    if (c === '') throw new InvalidReferenceError(input, 'empty path component');
    if (c !== c.toLowerCase()) throw new InvalidReferenceError(input, `repository name "${parts.join('/')}" must be lowercase`);
    if (!componentPattern.test(c)) throw new InvalidReferenceError(input, `invalid repository path component "${c}"`);
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (registry.length + 1 + repository.length > 255) throw new InvalidReferenceError(input, 'repository name is longer than 255 characters');
  const ref: DockerReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** A reference with neither tag nor digest means ":latest", as docker and skopeo assume. */
export function withDefaultTag(ref: DockerReference): DockerReference {
  if (ref.tag === undefined && ref.digest === undefined) return { ...ref, tag: 'latest' };
  return ref;
}

/** The reference written out in full: "registry/repository[:tag][@digest]". */
export function formatDockerReference(ref: DockerReference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/** The name part, "host/repo", as skopeo's inspect prints in "Name". */
export function repositoryName(ref: DockerReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** What to ask the registry for: digest wins over tag. */
export function manifestReference(ref: DockerReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag);
}
