/**
 * Tar names are bytes. Names that are valid UTF-8 become ordinary strings; a byte that
 * is not part of a valid UTF-8 sequence is written `\xNN`, so listings stay one line
 * per entry and `ferry cat` can be given the same spelling.
 */
export function decodeName(latin1: string): string {
  const bytes = Buffer.from(latin1, 'latin1');
  let ascii = true;
  for (const b of bytes) if (b >= 0x80) ascii = false;
  if (ascii) return latin1;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = sequenceLength(bytes, i);
    if (len === 0) {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i++;
    } else {
      out += bytes.subarray(i, i + len).toString('utf8');
      i += len;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function sequenceLength(bytes: Buffer, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  let len: number;
  let min: number;
  if (lead >= 0xc2 && lead <= 0xdf) [len, min] = [2, 0x80];
  else if (lead >= 0xe0 && lead <= 0xef) [len, min] = [3, 0x800];
  else if (lead >= 0xf0 && lead <= 0xf4) [len, min] = [4, 0x10000];
  else return 0;
  if (i + len > bytes.length) return 0;
  let cp = lead & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const c = bytes[i + k]!;
    if ((c & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  // overlong forms, surrogates and values past U+10FFFF are not valid UTF-8
  if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
  return len;
}
