import type { ImageResult, SyncSummary } from '../../sync/summary.js';
import { humanSize } from './human-size.js';

type Out = NodeJS.WritableStream;

/** One human line per image result; `byTag` names images by tag alone (one destination repository). */
export function imageLine(r: ImageResult, byTag: boolean): string {
  const name = byTag && r.tag !== undefined ? r.tag : r.destination;
  switch (r.status) {
    case 'copied':
      return `${name} ${r.digest}`;
    case 'unchanged':
      return `${name} ${r.digest} (unchanged)`;
    case 'skipped':
      return `${name} (skipped: ${r.reason ?? 'exists'})`;
    case 'would-copy':
      return `${name} would be copied (${r.reason ?? 'dry run'})`;
    case 'deleted':
      return `${name} deleted (${r.reason ?? 'missing at source'})`;
    case 'would-delete':
      return `${name} would be deleted (${r.reason ?? 'missing at source'})`;
    case 'failed':
      return `${name} failed: ${r.error ?? 'unknown error'}`;
  }
}

/** An NDJSON event for the cluster's log pipeline: one object per line, no pretty-printing. */
export function imageEvent(r: ImageResult): string {
  return `${JSON.stringify({ type: 'image', ...r })}\n`;
}

export function summaryEvent(s: SyncSummary): string {
  const { results: _results, ...counts } = s;
  return `${JSON.stringify({ type: 'summary', ...counts, failures: s.results.filter((r) => r.status === 'failed').map((r) => ({ destination: r.destination, error: r.error })) })}\n`;
}

/** The closing summary (stderr): counts, bytes, time, then each failure on its own line. */
export function writeSummary(out: Out, s: SyncSummary, dryRun: boolean): void {
  const parts = dryRun
    ? [`${s.wouldCopy} would be copied`, `${s.unchanged} unchanged`, `${s.skipped} skipped`, `${s.wouldDelete} would be deleted`]
    : [`${s.copied} copied`, `${s.unchanged} unchanged`, `${s.skipped} skipped`, `${s.failed} failed`, `${s.deleted} deleted`];
  out.write(`ferry: sync${dryRun ? ' (dry run, nothing written)' : ''}: ${parts.join(', ')}; ${humanSize(s.bytes)} in ${(s.durationMs / 1000).toFixed(1)} s\n`);
  for (const r of s.results) if (r.status === 'failed') out.write(`ferry: failed ${r.destination}: ${r.error}\n`);
}

/** skopeo's --digestfile: "DIGEST REFERENCE" per image now at the destination. */
export function digestFileText(s: SyncSummary): string {
  return s.results
    .filter((r) => (r.status === 'copied' || r.status === 'unchanged') && r.digest)
    .map((r) => `${r.digest} ${r.destination}\n`)
    .join('');
}
