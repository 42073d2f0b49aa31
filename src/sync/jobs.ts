import type { Digest } from '../oci/digest.js';
import type { Location } from '../reference/location.js';
import type { SideOptions } from '../transport/open.js';
import type { Selection } from './select.js';

/** Where a repository's images come from. */
export type SourceRepo =
  | { kind: 'docker'; registry: string; repository: string }
  | { kind: 'oci'; path: string }
  /** Fixed images (skopeo's `--src dir`): nothing to list. */
  | { kind: 'images'; images: Array<{ location: Location; tag: string }>; description: string };

/** Where a repository's images go; `dir` keeps one folder per image at `PATH:TAG`. */
export type RepoTarget =
  | { kind: 'docker'; registry: string; repository: string }
  | { kind: 'oci'; path: string }
  | { kind: 'dir'; path: string };

/** One repository to mirror: what to take from where, and where it goes. */
export interface RepoJob {
  source: SourceRepo;
  target: RepoTarget;
  selection: Selection;
  src: SideOptions;
  dest: SideOptions;
}

/** One image to copy, as the plan sees it. */
export interface ImageTask {
  source: Location;
  destination: Location;
  /** Destination tag (suffix applied); undefined for a digest copied untagged. */
  tag: string | undefined;
  sourceTag: string | undefined;
  digest?: Digest;
  /** The destination reference as text: the shard key and the name in reports. */
  key: string;
  job: RepoJob;
  /** The source repository's whole tag list, when it was read: attachments are found in it. */
  repoTags?: readonly string[];
}

export function describeSource(s: SourceRepo): string {
  if (s.kind === 'docker') return `docker://${s.registry}/${s.repository}`;
  if (s.kind === 'oci') return `oci:${s.path}`;
  return s.description;
}

export function describeTarget(t: RepoTarget): string {
  if (t.kind === 'docker') return `docker://${t.registry}/${t.repository}`;
  return `${t.kind}:${t.path}`;
}

export function sourceImage(s: SourceRepo, ref: { tag?: string; digest?: Digest }): Location {
  if (s.kind === 'docker') return { kind: 'docker', ref: { registry: s.registry, repository: s.repository, ...(ref.digest ? { digest: ref.digest } : { tag: ref.tag ?? 'latest' }) } };
  if (s.kind === 'oci') return { kind: 'oci', path: s.path, ...(ref.tag ? { ref: ref.tag } : ref.digest ? { ref: ref.digest } : {}) };
  const found = s.images.find((i) => i.tag === ref.tag);
  if (!found) throw new Error(`no image ${ref.tag} in ${s.description}`);
  return found.location;
}

export function targetImage(t: RepoTarget, ref: { tag?: string; digest?: Digest }): Location {
  if (t.kind === 'docker') return { kind: 'docker', ref: { registry: t.registry, repository: t.repository, ...(ref.tag ? { tag: ref.tag } : ref.digest ? { digest: ref.digest } : {}) } };
  if (t.kind === 'oci') return { kind: 'oci', path: t.path, ...(ref.tag ? { ref: ref.tag } : {}) };
  return { kind: 'dir', path: `${t.path}:${ref.tag ?? ref.digest?.replace(':', '-') ?? 'latest'}` };
}
