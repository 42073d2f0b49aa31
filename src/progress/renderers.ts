import cliProgress from 'cli-progress';
import type { CopyEvent, EventSink } from '../copy/events.js';
import { shortDigest } from '../oci/digest.js';
import { humanSize } from '../inspect/table.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

export interface Renderer {
  sink: EventSink;
  stop(): void;
}

type Out = NodeJS.WritableStream & { isTTY?: boolean };

/** NDJSON, one event a line, for CI logs and UIs. Progress events are kept (throttled upstream). */
export function jsonRenderer(out: Out): Renderer {
  return { sink: (e) => out.write(`${JSON.stringify({ ...e, time: new Date().toISOString() })}\n`), stop: () => undefined };
}

/** One line per blob event; no progress spam in logs. */
export function describeEvent(e: CopyEvent): string | undefined {
    switch (e.type) {
      case 'blob-start':
        return `Copying blob ${shortDigest(e.digest)} (${humanSize(e.size)})`;
      case 'blob-done':
        return e.newDigest ? `Recompressed blob ${shortDigest(e.digest)} → ${shortDigest(e.newDigest)} (${humanSize(e.newSize ?? 0)})` : `Copied blob ${shortDigest(e.digest)}`;
      case 'blob-skipped':
        return e.reason === 'manifest-exists' ? `Manifest ${shortDigest(e.digest)} already present, nothing to copy` : `Skipped blob ${shortDigest(e.digest)}: already present`;
      case 'blob-mounted':
        return `Mounted blob ${shortDigest(e.digest)} from ${e.from}`;
      case 'blob-retry':
        return `Retrying blob ${shortDigest(e.digest)} (attempt ${e.attempt}): ${e.error}`;
      case 'manifest-pushed':
        return `Wrote manifest ${shortDigest(e.digest)}${e.tag ? ` as ${e.tag}` : ''}`;
      case 'note':
        return `Note: ${e.message}`;
      default:
        return undefined;
    }
}

export function plainRenderer(out: Out): Renderer {
  return {
    sink: (e) => {
      const l = describeEvent(e);
      if (l) out.write(`${l}\n`);
    },
    stop: () => undefined,
  };
}

/** Bars per blob and a total, via cli-progress; redraws on stderr only. */
export function ttyRenderer(out: Out): Renderer {
  const multi = new cliProgress.MultiBar(
    {
      stream: out as NodeJS.WritableStream,
      format: ' {name} [{bar}] {percentage}% | {done}/{total} | {rate}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; start: number }>();
  const update = (digest: string, bytes: number, size: number) => {
    const b = bars.get(digest);
    if (!b) return;
    const secs = Math.max(0.001, (Date.now() - b.start) / 1000);
    b.bar.update(bytes, { done: humanSize(bytes), total: humanSize(size), rate: `${humanSize(bytes / secs)}/s` });
  };
  return {
    sink: (e) => {
      if (e.type === 'blob-start') {
        bars.set(e.digest, { bar: multi.create(Math.max(1, e.size), 0, { name: shortDigest(e.digest), done: '0 B', total: humanSize(e.size), rate: '' }), start: Date.now() });
      } else if (e.type === 'blob-progress') update(e.digest, e.bytes, e.size);
      else if (e.type === 'blob-done') update(e.digest, e.size, e.size);
      else {
        const l = describeEvent(e);
        if (l) multi.log(`${l}\n`);
      }
    },
    stop: () => multi.stop(),
  };
}

export function makeRenderer(mode: ProgressMode, stdout: Out, stderr: Out): Renderer | undefined {
  if (mode === 'quiet') return undefined;
  if (mode === 'json') return jsonRenderer(stdout);
  if (mode === 'tty' || (mode === 'auto' && stderr.isTTY)) return ttyRenderer(stderr);
  return plainRenderer(stderr);
}
