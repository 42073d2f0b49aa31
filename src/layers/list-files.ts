import { FerryError, UsageError } from '../errors.js';
import type { Location } from '../reference/location.js';
import { collectLayers } from './collect.js';
import { normalizePath, type LayerEntry } from './entry.js';
import { MergedTree, type TreeNode } from './merged-tree.js';
import { openImage, withSource, type ImageRequest } from './open-image.js';
import { walkLayer } from './walk-layer.js';

/** An entry of a listing: the tar entry's fields, its absolute path and the layer it comes from. */
export interface FileRow extends Omit<LayerEntry, 'path'> {
  /** Absolute path in the image (`/etc/passwd`). */
  path: string;
  layer: number;
  /** A directory no layer has an entry for, implied by the paths below it. */
  implied?: boolean;
}

export interface ListRequest extends ImageRequest {
  /** Only this path and what is below it. */
  path?: string;
  /** One layer's own entries (whiteouts included) instead of the merged filesystem. */
  layer?: number;
}

export interface FileListing {
  location: string;
  digest: string;
  layer?: number;
  files: FileRow[];
}

function rowOf(path: string, entry: LayerEntry, layer: number): FileRow {
  const { path: _p, ...rest } = entry;
  return { path: `/${path}`, ...rest, layer };
}

function within(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** `ferry ls`: the merged filesystem, or one layer's entries in archive order. */
export async function listFiles(input: string | Location, request: ListRequest = {}): Promise<FileListing> {
  const prefix = normalizePath(request.path ?? '');
  return withSource(input, request, async (source) => {
    const image = await openImage(source, request);
    const layers = image.manifest.layers;
    if (request.layer !== undefined) {
      const n = request.layer;
      if (!Number.isInteger(n) || n < 0 || n >= layers.length) throw new UsageError(`--layer ${n}: ${source.description} has layers 0 to ${layers.length - 1}`);
      const files: FileRow[] = [];
      await walkLayer(source, layers[n]!, (entry) => {
        if (within(entry.path, prefix)) files.push(rowOf(entry.path, entry, n));
      }, request.signal, { freeChunks: true });
      return { location: source.description, digest: image.digest, layer: n, files };
    }
    const tree = new MergedTree();
    for (const layer of await collectLayers(source, layers, { signal: request.signal })) tree.apply(layer.index, layer.entries);
    const start = tree.find(prefix);
    if (!start) throw new FerryError('ERR_NOT_FOUND', `${source.description} has no /${prefix}`);
    const files: FileRow[] = [];
    if (prefix !== '') files.push(nodeRow(prefix, start));
    for (const [path, node] of tree.walk(start, prefix)) files.push(nodeRow(path, node));
    return { location: source.description, digest: image.digest, files };
  });
}

function nodeRow(path: string, node: TreeNode): FileRow {
  if (node.entry) return rowOf(path, node.entry, node.layer);
  return { path: `/${path}`, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, layer: -1, implied: true };
}
