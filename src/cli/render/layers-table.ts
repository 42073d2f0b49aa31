import { formatPlatform } from '../../oci/platform.js';
import type { LayersReport } from '../../layers/layer-report.js';
import { humanSize } from './human-size.js';
import { table } from './inspect-table.js';

/** History lines are long shell commands; the table shows their start. */
const CREATED_BY_WIDTH = 60;

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > CREATED_BY_WIDTH ? `${one.slice(0, CREATED_BY_WIDTH - 1)}…` : one;
}

export function renderLayers(r: LayersReport): string {
  const rows = [['#', 'DIGEST', 'COMPRESSED', 'SIZE', 'FILES', 'ADDED', 'WASTED', 'CREATED BY']];
  for (const row of r.rows) {
    if (row.kind === 'empty') rows.push(['-', '(empty layer)', '', '', '', '', '', clip(row.createdBy)]);
    else {
      rows.push([
        String(row.index),
        row.digest.slice(0, 19),
        humanSize(row.compressedSize),
        humanSize(row.uncompressedSize),
        String(row.files),
        humanSize(row.addedBytes),
        humanSize(row.wastedBytes),
        clip(row.createdBy ?? ''),
      ]);
    }
  }
  const t = r.total;
  rows.push(['total', `${t.layers} layers`, humanSize(t.compressedSize), humanSize(t.uncompressedSize), String(t.files), humanSize(t.addedBytes), humanSize(t.wastedBytes), '']);
  const head = [`Image:       ${r.location}`, `Digest:      ${r.digest}`];
  if (r.platform) head.push(`Platform:    ${formatPlatform(r.platform)}`);
  head.push(`Efficiency:  ${(r.efficiency * 100).toFixed(2)} %  (wasted ${humanSize(t.wastedBytes)} of ${humanSize(t.addedBytes)})`, '');
  return [...head, table(rows)].join('\n').replace(/ +$/gm, '');
}
