import cliProgress from 'cli-progress';
import { humanSize } from '../render/human-size.js';
import { shortDigest } from '../../oci/digest.js';
import { describeEvent, type Out, type Renderer } from './renderers.js';

// {value} and {total} are cli-progress's own tokens (raw numbers); sizes go in as payload
// under other names. The line fits 80 columns: cli-progress cuts longer ones.
const FORMAT = ' {name} [{bar}] {percentage}% | {done}/{size} | {rate}';
const TOTAL = 'total';

/** A bar per blob and an overall bar, via cli-progress; redraws on stderr only. */
export function ttyRenderer(out: Out): Renderer {
  const multi = new cliProgress.MultiBar(
    {
      stream: out as NodeJS.WritableStream,
      format: FORMAT,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  const bars = new Map<string, { bar: cliProgress.SingleBar; start: number; bytes: number }>();
  let overall: cliProgress.SingleBar | undefined;
  let allBytes = 0;
  let allSize = 0;
  const payload = (name: string, bytes: number, size: number, since: number) => {
    const secs = (Date.now() - since) / 1000;
    return { name, done: humanSize(bytes), size: humanSize(size), rate: secs > 0.05 ? `${humanSize(bytes / secs)}/s` : '' };
  };
  const redrawTotal = () => overall?.update(allBytes, payload(TOTAL.padEnd(19), allBytes, allSize, started));
  const update = (digest: string, bytes: number, size: number) => {
    const b = bars.get(digest);
    if (!b) return;
    allBytes += Math.max(0, bytes - b.bytes);
    b.bytes = bytes;
    b.bar.update(bytes, payload(shortDigest(digest), bytes, size, b.start));
    redrawTotal();
  };
  return {
    sink: (e) => {
      if (e.type === 'blob-start') {
        allSize += e.size;
        overall ??= multi.create(1, 0, payload(TOTAL.padEnd(19), 0, 0, started));
        overall.setTotal(Math.max(1, allSize));
        bars.set(e.digest, { bar: multi.create(Math.max(1, e.size), 0, payload(shortDigest(e.digest), 0, e.size, Date.now())), start: Date.now(), bytes: 0 });
        redrawTotal();
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
