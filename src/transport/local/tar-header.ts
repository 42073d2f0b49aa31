import { FerryError } from '../../errors.js';

/**
 * Decoding of tar headers (ustar, GNU and pax), just enough to index an archive.
 * tar-stream can parse too, but only as a sequential stream that never reports where an
 * entry's data starts; the archive readers need those offsets to read blobs in place.
 */

export const BLOCK = 512;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'directory' | 'pax' | 'pax-global' | 'gnu-long-name' | 'gnu-long-link' | 'other';

export interface TarHeader {
  name: string;
  size: number;
  type: TarEntryType;
  linkname: string;
}

const typeFlags: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '5': 'directory',
  x: 'pax',
  g: 'pax-global',
  L: 'gnu-long-name',
  K: 'gnu-long-link',
};

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** Octal, or GNU base-256 when the high bit is set (sizes over 8 GiB). */
function numeric(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) return -1;
    let v = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    return v;
  }
  const s = text(block, start, length).trim();
  return s === '' ? 0 : Number.parseInt(s, 8);
}

function checksumMatches(block: Buffer): boolean {
  const stored = numeric(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decodes one header block; `at` and `where` only feed the error message. */
export function parseHeader(block: Buffer, at: number, where: string): TarHeader {
  if (!checksumMatches(block)) {
    throw new FerryError('ERR_LAYOUT', `${where}: not a tar archive or corrupt tar header at byte ${at}`);
  }
  const size = numeric(block, 124, 12);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new FerryError('ERR_LAYOUT', `${where}: invalid entry size in tar header at byte ${at}`);
  }
  let name = text(block, 0, 100);
  // Only POSIX ustar has the prefix field; old GNU archives keep other data there.
  if (block.subarray(257, 263).toString('latin1') === 'ustar\0') {
    const prefix = text(block, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const flag = String.fromCharCode(block[156]!);
  return { name, size, type: typeFlags[flag] ?? 'other', linkname: text(block, 157, 100) };
}

/** pax extended header records: "<len> <key>=<value>\n" repeated. */
export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number.parseInt(data.subarray(pos, space).toString('latin1'), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > data.length) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}
