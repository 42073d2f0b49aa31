import { Transform, pipeline, type TransformCallback } from 'node:stream';
import { extract } from 'tar-stream';
import { detectCompression } from '../compression/detect.js';
import { decompressStream } from '../compression/streams.js';
import type { CompressionName } from '../compression/codec.js';
import { AbortedError, FerryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import { freesFreshMemory, isLentChunk, releaseChunk } from '../stream/read-buffers.js';
import { VerifyStream } from '../stream/verify.js';
import type { ImageSource } from '../transport/types.js';
import { toLayerEntry, type LayerEntry } from './entry.js';

/**
 * Called once per entry, in archive order. `body` yields a regular file's bytes; a
 * visitor may read all of it or none (the walker drains what is left). The walk always
 * reads the blob to its end, so its digest is checked before the walk resolves.
 */
export type EntryVisitor = (entry: LayerEntry, body: AsyncIterable<Buffer>, ordinal: number) => Promise<void> | void;

export interface WalkOptions {
  /**
   * The visitor keeps no chunk of `body` once it asks for the next one or returns (it
   * copies what it needs). The walker then frees each decoded chunk as soon as the walk
   * has read past it, instead of leaving it to GC: Node 24's GC frees them late, and they
   * were most of lint's peak RSS (docs/decisions.md, "Layer walks free decoded chunks").
   */
  freeChunks?: boolean;
}

export interface WalkResult {
  /** Bytes of the uncompressed tar. */
  uncompressedSize: number;
  compression: CompressionName;
  entryCount: number;
}

/**
 * Counts the decoded bytes on their way into tar-stream, and remembers where each lent
 * chunk ends (`freeChunks`) so it can be handed back once the walk has read past it.
 */
class TarFeed extends Transform {
  bytes = 0;
  private held: { chunk: Buffer; end: number }[] = [];
  private next = 0;

  constructor(private keepTrack: boolean) {
    super();
  }

  /** Stops remembering chunks and forgets those held: GC frees them. */
  untrack(): void {
    this.keepTrack = false;
    this.held = [];
    this.next = 0;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    // only lent chunks: holding any other would keep it from GC for longer
    if (this.keepTrack && isLentChunk(chunk)) this.held.push({ chunk, end: this.bytes });
    cb(null, chunk);
  }

  /**
   * Hands back the chunks that end at or before `offset` of the tar stream. tar-stream
   * holds a chunk until it has parsed or passed on all of its bytes, and an entry's
   * reader has read all bytes before `offset`; headers are decoded into strings.
   */
  releaseBefore(offset: number): void {
    while (this.next < this.held.length && this.held[this.next]!.end <= offset) releaseChunk(this.held[this.next++]!.chunk);
    if (this.next > 1024) {
      this.held = this.held.slice(this.next);
      this.next = 0;
    }
  }
}

/** An entry's body that tells `feed` how far it has been read: a chunk is done with once the next is asked for. */
async function* readThrough(raw: AsyncIterable<Buffer>, from: number, feed: TarFeed): AsyncGenerator<Buffer> {
  let at = from;
  for await (const chunk of raw) {
    yield chunk;
    at += chunk.length;
    feed.releaseBefore(at);
  }
}

/**
 * Streams one layer blob: fetch → verify digest and size → detect compression by magic
 * bytes → decompress → tar entries, one at a time. Nothing is buffered beyond the
 * streams' own high-water marks and nothing touches the disk, so memory does not grow
 * with the layer. The walk resolves only after the blob's digest checked out.
 */
export async function walkLayer(source: ImageSource, desc: Descriptor, visit: EntryVisitor, signal?: AbortSignal, options: WalkOptions = {}): Promise<WalkResult> {
  const what = `layer ${desc.digest} of ${source.description}`;
  if (signal?.aborted) throw new AbortedError();
  const { stream } = await source.getBlob(desc, { signal });
  const verify = new VerifyStream({ digest: desc.digest, size: desc.size }, what);
  const verified = pipeline(stream, verify, () => undefined);
  const detected = await detectCompression(verified);
  // where nothing is lent (Node 20) the walk has nothing to free and drains as it always did
  const freeChunks = (options.freeChunks ?? false) && freesFreshMemory;
  const feed = new TarFeed(freeChunks);
  // latin1 keeps every name byte; entry.ts decodes UTF-8 where it is valid
  const tar = extract({ filenameEncoding: 'latin1' } as Parameters<typeof extract>[0]);
  let failure: Error | undefined;
  const done = new Promise<void>((resolve) => {
    pipeline(detected.stream, decompressStream(detected.format, what), feed, tar as unknown as NodeJS.WritableStream, (err) => {
      if (err) failure ??= err;
      resolve();
    });
  });
  let ordinal = 0;
  try {
    for await (const raw of tar) {
      const entry = toLayerEntry(raw.header);
      if (!freeChunks) {
        if (entry) await visit(entry, raw as AsyncIterable<Buffer>, ordinal++);
        raw.resume();
        continue;
      }
      // tar-stream's offset of the entry's first data byte; without it, chunks are left to GC
      const start = (raw.header as unknown as { byteOffset?: number }).byteOffset;
      if (start === undefined) feed.untrack();
      // read to its end here, so everything before the next header has been read when it comes
      const body = start === undefined ? (raw as AsyncIterable<Buffer>) : readThrough(raw as AsyncIterable<Buffer>, start, feed);
      if (entry) await visit(entry, body, ordinal++);
      for await (const _ of body);
    }
  } catch (e) {
    failure ??= e as Error;
    // a failed visitor must not leave the fetch running
    detected.stream.destroy();
  }
  await done;
  if (signal?.aborted) throw new AbortedError();
  if (failure) throw asLayerError(failure, what);
  // tar-stream has finished with every byte
  feed.releaseBefore(Infinity);
  return { uncompressedSize: feed.bytes, compression: detected.format, entryCount: ordinal };
}

function asLayerError(e: Error, what: string): FerryError {
  if (e instanceof FerryError) return e;
  // tar-stream's own parse errors: the blob decompressed but is not a tar
  return new FerryError('ERR_COMPRESSION', `${what} is not a valid tar archive: ${e.message}`, { cause: e });
}
