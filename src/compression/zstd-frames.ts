import { FerryError } from '../errors.js';

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50;
const SKIPPABLE_MASK = 0xfffffff0;

type FieldState =
  | 'magic'
  | 'skippable-size'
  | 'frame-descriptor'
  | 'frame-header-rest'
  | 'block-header'
  | 'checksum';
type State = FieldState | 'block-body' | 'skip';

/**
 * Walks the frame structure of a zstd stream (RFC 8878 §3) without decoding it, and cuts
 * incoming chunks so that no piece spans two frames.
 *
 * Why: node:zlib's zstd decoder (Node 22/24) stops at the end of the first frame when
 * one write holds the end of a frame and the start of the next, silently dropping the
 * rest (nodejs/node#64741); it also ends without error on a truncated frame. Layers
 * made by parallelCompress, `zstd -T`, and zstd:chunked are many frames, so the zlib
 * backend feeds its decoder through this splitter, which also drops skippable frames
 * and reports truncation and garbage between frames.
 */
export class ZstdFrameSplitter {
  private state: State = 'magic';
  private readonly field = Buffer.alloc(8);
  private fieldLength = 4;
  private fieldFill = 0;
  private remaining = 0;
  private checksum = false;
  private lastBlock = false;
  private offset = 0;

  /** True when the input so far ends exactly between frames. */
  get atFrameBoundary(): boolean {
    return this.state === 'magic' && this.fieldFill === 0;
  }

  /** Returns the data-frame bytes of `chunk` as pieces that each lie within one frame. */
  split(chunk: Buffer): Buffer[] {
    const pieces: Buffer[] = [];
    let pieceStart = this.state === 'magic' || this.inSkippable() ? -1 : 0;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.state === 'block-body' || this.state === 'skip') {
        const take = Math.min(this.remaining, chunk.length - pos);
        pos += take;
        this.remaining -= take;
        if (this.remaining === 0 && this.afterPayload()) {
          if (pos > pieceStart) pieces.push(chunk.subarray(pieceStart, pos));
          pieceStart = -1;
        }
        continue;
      }
      const take = Math.min(this.fieldLength - this.fieldFill, chunk.length - pos);
      chunk.copy(this.field, this.fieldFill, pos, pos + take);
      this.fieldFill += take;
      pos += take;
      if (this.fieldFill < this.fieldLength) break;
      const wasMagic = this.state === 'magic';
      const frameEnded = this.onField();
      if (wasMagic && this.state === 'frame-descriptor') {
        // The magic may have started in the previous chunk, which was not emitted.
        if (pos >= 4) pieceStart = pos - 4;
        else {
          pieces.push(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
          pieceStart = pos;
        }
      }
      if (frameEnded) {
        if (pos > pieceStart) pieces.push(chunk.subarray(pieceStart, pos));
        pieceStart = -1;
      }
    }
    if (pieceStart >= 0 && pieceStart < chunk.length) pieces.push(chunk.subarray(pieceStart));
    this.offset += chunk.length;
    return pieces;
  }

  private inSkippable(): boolean {
    return this.state === 'skippable-size' || this.state === 'skip';
  }

  private expect(state: FieldState, length: number): void {
    this.state = state;
    this.fieldLength = length;
    this.fieldFill = 0;
  }

  /** Consumes a complete field; returns true when it completed a data frame. */
  private onField(): boolean {
    const f = this.field;
    switch (this.state) {
      case 'magic': {
        const magic = f.readUInt32LE(0);
        if (magic === FRAME_MAGIC) this.expect('frame-descriptor', 1);
        else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) this.expect('skippable-size', 4);
        else throw this.corrupt(`not a zstd frame (magic 0x${magic.toString(16).padStart(8, '0')})`);
        return false;
      }
      case 'skippable-size':
        this.state = 'skip';
        this.remaining = f.readUInt32LE(0);
        if (this.remaining === 0) this.expect('magic', 4);
        return false;
      case 'frame-descriptor': {
        const fhd = f[0]!;
        if (fhd & 0x08) throw this.corrupt('reserved bit set in frame header');
        const singleSegment = (fhd & 0x20) !== 0;
        const fcsFlag = fhd >> 6;
        const fcsLength = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
        const dictLength = [0, 1, 2, 4][fhd & 0x03]!;
        this.checksum = (fhd & 0x04) !== 0;
        const rest = (singleSegment ? 0 : 1) + dictLength + fcsLength;
        if (rest > 0) this.expect('frame-header-rest', rest);
        else this.expect('block-header', 3);
        return false;
      }
      case 'frame-header-rest':
        this.expect('block-header', 3);
        return false;
      case 'block-header': {
        const header = f[0]! | (f[1]! << 8) | (f[2]! << 16);
        const type = (header >> 1) & 0x03;
        if (type === 3) throw this.corrupt('reserved block type');
        this.lastBlock = (header & 1) === 1;
        this.remaining = type === 1 ? 1 : header >>> 3;
        this.state = 'block-body';
        if (this.remaining === 0) return this.afterPayload();
        return false;
      }
      case 'checksum':
        this.expect('magic', 4);
        return true;
    }
    return false;
  }

  /** Moves past a finished block body or skippable payload; true when a frame ended. */
  private afterPayload(): boolean {
    if (this.state === 'skip') {
      this.expect('magic', 4);
      return false;
    }
    if (!this.lastBlock) {
      this.expect('block-header', 3);
      return false;
    }
    if (this.checksum) {
      this.expect('checksum', 4);
      return false;
    }
    this.expect('magic', 4);
    return true;
  }

  private corrupt(reason: string): FerryError {
    return new FerryError('ERR_COMPRESSION', `zstd stream: ${reason} near byte ${this.offset}`);
  }
}
