import { once } from 'node:events';
import { FerryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Location } from '../reference/location.js';
import type { ImageSource } from '../transport/types.js';
import { normalizePath, parentOf, type LayerEntry } from './entry.js';
import { openImage, withSource, type ImageRequest } from './open-image.js';
import { walkLayer } from './walk-layer.js';

/** Files up to this size are kept from the first read of their layer; larger ones are streamed by a second read. */
export const CAT_BUFFER_LIMIT = 4 * 1024 * 1024;
/** Symlinks followed before giving up, as Linux does (ELOOP). */
const MAX_SYMLINKS = 40;

export interface CatResult {
  /** The layer the bytes came from. */
  layer: number;
  size: number;
  /** Layer reads it took (a layer read twice counts twice). */
  layerReads: number;
}

interface Located {
  layer: number;
  ordinal: number;
  entry: LayerEntry;
  content: Buffer | undefined;
}

/** Whether an entry of a layer hides `path` of lower layers. */
function hides(entry: LayerEntry, path: string): boolean {
  const w = entry.whiteout;
  if (w?.kind === 'path') return w.target === path || path.startsWith(`${w.target}/`);
  if (w?.kind === 'opaque') return w.target === '' || path.startsWith(`${w.target}/`);
  // an ancestor replaced by something that is not a directory
  return entry.type !== 'directory' && path.startsWith(`${entry.path}/`);
}

class Finder {
  reads = 0;
  constructor(
    private readonly source: ImageSource,
    private readonly layers: readonly Descriptor[],
    private readonly signal: AbortSignal | undefined,
  ) {}

  /**
   * Newest layer first, from `top` down: the last entry for `path` in the first layer
   * that has one (duplicates: the later entry wins, so a layer is read to its end,
   * which also verifies its digest), unless a whiteout or opaque directory hid it first.
   */
  async locate(path: string, top: number, beforeOrdinal = Infinity): Promise<Located | undefined> {
    for (let i = top; i >= 0; i--) {
      let found: Located | undefined;
      let hidden = false;
      const limit = i === top ? beforeOrdinal : Infinity;
      this.reads++;
      await walkLayer(this.source, this.layers[i]!, async (entry, body, ordinal) => {
        if (ordinal >= limit) return;
        if (entry.path === path && !entry.whiteout) {
          let content: Buffer | undefined;
          if (entry.type === 'file' && entry.size <= CAT_BUFFER_LIMIT) {
            // copied as it streams: the walk frees each chunk once the next is read
            const bytes = Buffer.allocUnsafe(entry.size);
            let at = 0;
            for await (const chunk of body) at += chunk.copy(bytes, at);
            content = bytes.subarray(0, at);
          }
          found = { layer: i, ordinal, entry, content };
        } else if (hides(entry, path)) hidden = true;
      }, this.signal, { freeChunks: true });
      if (found) return found;
      if (hidden) return undefined;
    }
    return undefined;
  }

  /** Streams one entry's bytes from a second read of its layer, with backpressure. */
  async stream(at: Located, out: NodeJS.WritableStream): Promise<void> {
    this.reads++;
    await walkLayer(this.source, this.layers[at.layer]!, async (_entry, body, ordinal) => {
      if (ordinal !== at.ordinal) return;
      for await (const chunk of body) if (!out.write(chunk)) await once(out, 'drain');
    }, this.signal);
  }
}

function resolveLink(from: string, target: string): string {
  return normalizeDots(target.startsWith('/') ? target : `${parentOf(from)}/${target}`);
}

function normalizeDots(path: string): string {
  const out: string[] = [];
  for (const part of normalizePath(path).split('/')) {
    if (part === '..') out.pop();
    else if (part !== '') out.push(part);
  }
  return out.join('/');
}

/**
 * `ferry cat`: one file of the merged filesystem to `out`, byte-exact. Reads layers
 * newest first and stops at the first that decides the path; a hard link is read from
 * its target, a symlink is followed.
 */
export async function catFile(input: string | Location, path: string, out: NodeJS.WritableStream, request: ImageRequest = {}): Promise<CatResult> {
  return withSource(input, request, async (source) => {
    const image = await openImage(source, request);
    const layers = image.manifest.layers;
    const finder = new Finder(source, layers, request.signal);
    let wanted = normalizeDots(path);
    const shown = `/${wanted}`;
    let at = await finder.locate(wanted, layers.length - 1);
    for (let hops = 0; at; hops++) {
      const e = at.entry;
      if (e.type === 'link' && e.linkTarget !== undefined) at = await finder.locate(e.linkTarget, at.layer, at.ordinal);
      else if (e.type === 'symlink' && e.linkTarget !== undefined) {
        if (hops >= MAX_SYMLINKS) throw new FerryError('ERR_NOT_FOUND', `${shown} in ${source.description}: too many levels of symbolic links`);
        wanted = resolveLink(e.path, e.linkTarget);
        at = await finder.locate(wanted, layers.length - 1);
      } else break;
    }
    if (!at) throw new FerryError('ERR_NOT_FOUND', `${shown} not found in ${source.description}`);
    if (at.entry.type !== 'file') throw new FerryError('ERR_UNSUPPORTED', `${shown} in ${source.description} is a ${at.entry.type}, not a regular file`);
    if (at.content) {
      if (!out.write(at.content)) await once(out, 'drain');
    } else await finder.stream(at, out);
    return { layer: at.layer, size: at.entry.size, layerReads: finder.reads };
  });
}
