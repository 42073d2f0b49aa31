import cliProgress from 'cli-progress';
import { humanSize } from '../inspect/table.js';
import { shortDigest } from '../oci/digest.js';
import { describeEvent, type Out, type Renderer } from './renderers.js';

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
