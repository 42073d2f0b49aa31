/** One `history` entry of an image config. */
export interface HistoryEntry {
  createdBy: string;
  created?: string;
  comment?: string;
  emptyLayer: boolean;
}

/** A row of the layer table: a layer with its history line, or an entry that made no layer. */
export type HistoryRow = { kind: 'layer'; layer: number; history?: HistoryEntry } | { kind: 'empty'; history: HistoryEntry };

export function historyOf(config: Record<string, unknown>): HistoryEntry[] {
  const list = config['history'];
  if (!Array.isArray(list)) return [];
  return list.map((h: Record<string, unknown>) => {
    const entry: HistoryEntry = { createdBy: typeof h['created_by'] === 'string' ? h['created_by'] : '', emptyLayer: h['empty_layer'] === true };
    if (typeof h['created'] === 'string') entry.created = h['created'];
    if (typeof h['comment'] === 'string') entry.comment = h['comment'];
    return entry;
  });
}

/**
 * Matches history to layers the way the image spec defines it: entries marked
 * `empty_layer` made no layer; the others belong to the layers in order. Layers left
 * over (history shorter than the layer list) have no line.
 */
export function matchHistory(history: HistoryEntry[], layerCount: number): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let layer = 0;
  for (const h of history) {
    if (h.emptyLayer) rows.push({ kind: 'empty', history: h });
    else if (layer < layerCount) rows.push({ kind: 'layer', layer: layer++, history: h });
  }
  while (layer < layerCount) rows.push({ kind: 'layer', layer: layer++ });
  return rows;
}
