import { UsageError } from '../errors.js';
import { DOCKER_HUB, parseDockerReference, type DockerReference } from '../reference/docker-reference.js';
import type { RepoTarget } from './jobs.js';

export type SrcKind = 'docker' | 'yaml' | 'dir' | 'oci';
export type DestKind = 'docker' | 'dir' | 'oci';

/** skopeo's naming switches. */
export interface NamingOptions {
  /** Keep the source's registry and whole path under the destination. */
  scoped?: boolean;
  /** Appended to every destination tag. */
  appendSuffix?: string;
}

function looksLikeHost(s: string): boolean {
  return s.includes('.') || s.includes(':') || s === 'localhost' || s.startsWith('[');
}

/** A registry alone ("REG", "REG/"), as a whole-registry source or a destination base. */
export function registryOnly(text: string): string | undefined {
  const t = text.replace(/\/+$/, '');
  return !t.includes('/') && looksLikeHost(t) ? t : undefined;
}

/** skopeo's `--src docker` argument: a repository, with or without a tag or digest. */
export function parseSourceRepository(text: string): DockerReference {
  return parseDockerReference(text.replace(/\/+$/, ''));
}

/**
 * The path a source repository takes under the destination: its last component
 * (skopeo's default for `--src docker`), its whole path (`--src yaml`, catalog walks),
 * or registry plus path (`--scoped`).
 */
export function destinationSuffix(registry: string, repository: string, opts: NamingOptions & { wholePath?: boolean }): string {
  if (opts.scoped) return `${registry}/${repository}`;
  if (opts.wholePath) return repository;
  return repository.slice(repository.lastIndexOf('/') + 1);
}

/** The destination repository for `suffix` under the `--dest` argument. */
export function targetFor(kind: DestKind, destination: string, suffix: string): RepoTarget {
  const base = destination.replace(/\/+$/, '');
  if (kind !== 'docker') return { kind, path: `${base}/${suffix}` };
  const slash = base.indexOf('/');
  const registry = slash < 0 ? base : base.slice(0, slash);
  const prefix = slash < 0 ? '' : base.slice(slash + 1);
  if (registry === '') throw new UsageError(`--dest docker needs a registry, e.g. registry.example.com[/prefix], not "${destination}"`);
  // Docker Hub's one-component names live under library/, as skopeo writes them
  const repository = prefix ? `${prefix}/${suffix}` : registry === DOCKER_HUB && !suffix.includes('/') ? `library/${suffix}` : suffix;
  const checked = parseDockerReference(`${registry}/${repository}`);
  return { kind: 'docker', registry: checked.registry, repository: checked.repository };
}

export function destinationTag(tag: string, opts: NamingOptions): string {
  return opts.appendSuffix ? `${tag}${opts.appendSuffix}` : tag;
}
