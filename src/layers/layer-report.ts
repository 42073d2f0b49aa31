import type { Platform } from '../oci/descriptor.js';
import type { CollectedLayer } from './collect.js';
import { historyOf, matchHistory } from './history.js';
import { MergedTree } from './merged-tree.js';

export interface LayerRow {
  kind: 'layer';
  index: number;
  digest: string;
  mediaType: string;
  compression: string;
  compressedSize: number;
  uncompressedSize: number;
  /** Entries that are not directories or whiteouts. */
  files: number;
  /** Bytes of regular-file content the layer adds. */
  addedBytes: number;
  /** Of those, bytes that later layers (or later duplicates in the same layer) overwrite or delete. */
  wastedBytes: number;
  createdBy?: string;
}

/** A history entry that made no layer (ENV, CMD, LABEL...). */
export interface EmptyRow {
  kind: 'empty';
  createdBy: string;
}

export interface LayersReport {
  location: string;
  digest: string;
  platform?: Platform;
  rows: (LayerRow | EmptyRow)[];
  total: { layers: number; compressedSize: number; uncompressedSize: number; files: number; addedBytes: number; wastedBytes: number };
  /**
   * dive's score: bytes that stay visible over all bytes the layers add (1 when nothing
   * is added). dive sums, per path, the smallest version over all versions; ferry keeps
   * each path's final version (0 once deleted). The two differ only for a path written
   * three or more times whose smallest version is not the last.
   */
  efficiency: number;
}

/** Pure: the layer table from layers already read. Also gives lint the merged tree. */
export function buildLayersReport(location: string, digest: string, platform: Platform | undefined, config: Record<string, unknown>, layers: readonly CollectedLayer[]): { report: LayersReport; tree: MergedTree } {
  const tree = new MergedTree();
  for (const layer of layers) tree.apply(layer.index, layer.entries);
  const layerRows: LayerRow[] = layers.map((l) => ({
    kind: 'layer',
    index: l.index,
    digest: l.descriptor.digest,
    mediaType: l.descriptor.mediaType,
    compression: l.compression,
    compressedSize: l.descriptor.size,
    uncompressedSize: l.uncompressedSize,
    files: l.entries.filter((e) => e.type !== 'directory' && !e.whiteout).length,
    addedBytes: l.entries.reduce((sum, e) => sum + (e.whiteout ? 0 : e.size), 0),
    wastedBytes: tree.wasted[l.index] ?? 0,
  }));
  const rows: (LayerRow | EmptyRow)[] = matchHistory(historyOf(config), layers.length).map((r) => {
    if (r.kind === 'empty') return { kind: 'empty', createdBy: r.history.createdBy };
    const row = layerRows[r.layer]!;
    return r.history ? { ...row, createdBy: r.history.createdBy } : row;
  });
  const sum = (f: (r: LayerRow) => number) => layerRows.reduce((s, r) => s + f(r), 0);
  const total = {
    layers: layerRows.length,
    compressedSize: sum((r) => r.compressedSize),
    uncompressedSize: sum((r) => r.uncompressedSize),
    files: sum((r) => r.files),
    addedBytes: sum((r) => r.addedBytes),
    wastedBytes: sum((r) => r.wastedBytes),
  };
  const efficiency = total.addedBytes === 0 ? 1 : 1 - total.wastedBytes / total.addedBytes;
  return { report: { location, digest, ...(platform ? { platform } : {}), rows, total, efficiency }, tree };
}
