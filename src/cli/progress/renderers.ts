import type { FerryEvent, EventSink } from '../../events.js';
import { shortDigest } from '../../oci/digest.js';
import { humanSize } from '../render/human-size.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

export interface Renderer {
  sink: EventSink;
  stop(): void;
}

export type Out = NodeJS.WritableStream & { isTTY?: boolean };

/** NDJSON, one event a line, for CI logs and UIs. Progress events are kept (throttled upstream). */
export function jsonRenderer(out: Out): Renderer {
  return { sink: (e) => out.write(`${JSON.stringify({ ...e, time: new Date().toISOString() })}\n`), stop: () => undefined };
}

/** One line per blob event; no progress spam in logs. */
export function describeEvent(e: FerryEvent): string | undefined {
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

/** The bars load cli-progress (and readline) only when a terminal shows them: a quiet or logged run does not pay for it. */
export async function makeRenderer(mode: ProgressMode, stdout: Out, stderr: Out): Promise<Renderer | undefined> {
  if (mode === 'quiet') return undefined;
  if (mode === 'json') return jsonRenderer(stdout);
  if (mode === 'tty' || (mode === 'auto' && stderr.isTTY)) {
    const { ttyRenderer } = await import('./tty-renderer.js');
    return ttyRenderer(stderr);
  }
  return plainRenderer(stderr);
}
