import { Readable } from 'node:stream';

export interface ResumableOpener {
  /** Opens the source at `offset`; answers the offset the stream really starts at (0 if Range was ignored). */
  (offset: number): Promise<{ stream: Readable; offset: number }>;
}

export interface ResumableOptions {
  retries: number;
  /** Decides whether an error is worth reopening for (network breaks, stalls). */
  retryable: (e: unknown) => boolean;
  onRetry?: (e: unknown, attempt: number, offset: number) => void;
  signal?: AbortSignal;
}

/**
 * A blob read that survives a broken source: when the stream errors midway it reopens
 * at the byte it stopped at (Range), or from the start while skipping bytes already
 * passed on when the source ignores Range. Downstream sees one continuous stream, so the
 * digest verifier and the upload in flight never notice the break.
 */
export function resumableStream(open: ResumableOpener, opts: ResumableOptions): Readable {
  let delivered = 0;
  let attempts = 0;
  async function* generate(): AsyncGenerator<Buffer> {
    for (;;) {
      let skip = 0;
      let source: Readable | undefined;
      try {
        const opened = await open(delivered);
        source = opened.stream;
        skip = delivered - opened.offset;
        for await (const chunk of source) {
          let buf = chunk as Buffer;
          if (skip > 0) {
            if (buf.length <= skip) {
              skip -= buf.length;
              continue;
            }
            buf = buf.subarray(skip);
            skip = 0;
          }
          delivered += buf.length;
          yield buf;
        }
        return;
      } catch (e) {
        source?.destroy();
        if (opts.signal?.aborted || attempts >= opts.retries || !opts.retryable(e)) throw e;
        attempts++;
        opts.onRetry?.(e, attempts, delivered);
      }
    }
  }
  return Readable.from(generate(), { objectMode: false, highWaterMark: 64 * 1024 });
}
