/**
 * The part of seek-bzip 2.0.0 (no bundled types) that bzip2-decoder.ts drives: the
 * block-level methods of its decoder class. They are underscored (not public API), which
 * is why package.json pins the exact version.
 */
declare module 'seek-bzip' {
  interface ByteInput {
    readByte(): number;
    read(buffer: Uint8Array, offset: number, length: number): number;
    eof(): boolean;
  }
  interface ByteOutput {
    writeByte(byte: number): void;
  }
  class Bunzip {
    constructor(input: ByteInput, output: ByteOutput);
    streamCRC: number;
    reader: { read(bits: number): number };
    _init_block(): boolean;
    _read_bunzip(): number;
  }
  export = Bunzip;
}
