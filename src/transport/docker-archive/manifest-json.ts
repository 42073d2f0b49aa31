import { FerryError } from '../../errors.js';
import type { DockerReference } from '../../reference/docker-reference.js';
import { DOCKER_HUB, parseDockerReference, withDefaultTag } from '../../reference/docker-reference.js';

/**
 * The manifest.json of a `docker save` archive: one item per image, each naming its
 * config file, its tags and its layer files (paths inside the archive, in order).
 */
export interface ArchiveItem {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

export const ARCHIVE_MANIFEST = 'manifest.json';
export { MAX_ARCHIVE_MANIFEST_BYTES } from '../../oci/limits.js';

export function parseArchiveManifest(bytes: Uint8Array, where: string): ArchiveItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new FerryError('ERR_LAYOUT', `${where}: corrupt manifest.json: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new FerryError('ERR_LAYOUT', `${where}: corrupt manifest.json: not an array`);
  return doc.map((raw: unknown, i) => {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const layers = item['Layers'];
    const tags = item['RepoTags'] ?? [];
    if (typeof item['Config'] !== 'string' || !Array.isArray(layers) || !layers.every((l) => typeof l === 'string') || !Array.isArray(tags)) {
      throw new FerryError('ERR_LAYOUT', `${where}: corrupt manifest.json: item ${i} lacks Config/Layers`);
    }
    return { Config: item['Config'], RepoTags: tags.filter((t): t is string => typeof t === 'string'), Layers: layers as string[] };
  });
}

function sameImageName(a: DockerReference, b: DockerReference): boolean {
  return a.registry === b.registry && a.repository === b.repository && a.tag === b.tag;
}

function tryParse(tag: string): DockerReference | undefined {
  try {
    return withDefaultTag(parseDockerReference(tag));
  } catch {
    return undefined;
  }
}

/** The item a location names: "@N" by position, a name by RepoTags, nothing when there is one item. */
export function selectItem(items: ArchiveItem[], ref: string | undefined, where: string): ArchiveItem {
  const listing = (): string => items.map((it, i) => `@${i}${it.RepoTags.length ? ` ${it.RepoTags.join(' ')}` : ''}`).join(', ');
  if (ref === undefined) {
    const [only, ...rest] = items;
    if (!only) throw new FerryError('ERR_NOT_FOUND', `${where}: manifest.json lists no images`);
    if (rest.length) throw new FerryError('ERR_LAYOUT', `${where}: archive holds ${items.length} images, name one with :NAME:TAG or :@N (${listing()})`);
    return only;
  }
  if (/^@\d+$/.test(ref)) {
    const item = items[Number(ref.slice(1))];
    if (!item) throw new FerryError('ERR_NOT_FOUND', `${where}: no image ${ref} (archive holds ${items.length})`);
    return item;
  }
  const wanted = tryParse(ref);
  const hit = wanted && items.find((it) => it.RepoTags.some((t) => {
    const have = tryParse(t);
    return have !== undefined && sameImageName(have, wanted);
  }));
  if (!hit) throw new FerryError('ERR_NOT_FOUND', `${where}: no image tagged "${ref}" (${listing() || 'archive is empty'})`);
  return hit;
}

/** "docker.io/library/alpine:3" → "alpine:3", the short form `docker save` writes. */
export function familiarName(ref: DockerReference): string {
  let repo = ref.repository;
  if (ref.registry === DOCKER_HUB) {
    if (repo.startsWith('library/') && repo.split('/').length === 2) repo = repo.slice('library/'.length);
  } else {
    repo = `${ref.registry}/${repo}`;
  }
  return `${repo}:${ref.tag ?? 'latest'}`;
}

/** The tag a destination writes: a name with a tag (":latest" assumed); a digest cannot be a RepoTag. */
export function destinationTag(ref: string, where: string): DockerReference {
  let parsed: DockerReference;
  try {
    parsed = withDefaultTag(parseDockerReference(ref));
  } catch (e) {
    throw new FerryError('ERR_REFERENCE', `${where}: invalid image name "${ref}": ${(e as Error).message}`);
  }
  if (parsed.digest) throw new FerryError('ERR_REFERENCE', `${where}: a docker-archive tag cannot contain a digest ("${ref}")`);
  return parsed;
}

/** An extra name for the image: like skopeo, it must carry its tag ("name" alone is refused, not read as :latest). */
export function additionalTag(tag: string, where: string): DockerReference {
  let parsed: DockerReference;
  try {
    parsed = parseDockerReference(tag);
  } catch (e) {
    throw new FerryError('ERR_REFERENCE', `${where}: invalid additional tag "${tag}": ${(e as Error).message}`);
  }
  if (!parsed.tag || parsed.digest) throw new FerryError('ERR_REFERENCE', `${where}: additional tag "${tag}" must be a tagged name (NAME:TAG)`);
  return parsed;
}

export function encodeArchiveManifest(items: ArchiveItem[]): Uint8Array {
  return Buffer.from(JSON.stringify(items), 'utf8');
}
