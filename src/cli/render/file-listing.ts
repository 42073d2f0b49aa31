import type { EntryType } from '../../layers/entry.js';
import type { FileListing, FileRow } from '../../layers/list-files.js';
import { table } from './inspect-table.js';

const typeLetter: Record<EntryType, string> = {
  file: '-',
  directory: 'd',
  symlink: 'l',
  link: 'h',
  'char-device': 'c',
  'block-device': 'b',
  fifo: 'p',
};

/** `ls -l` style mode: type letter, rwx triplets, s/S and t/T for setuid, setgid, sticky. */
export function modeString(type: EntryType, mode: number): string {
  const bits = ['r', 'w', 'x'];
  let out = typeLetter[type];
  for (let who = 2; who >= 0; who--) {
    for (let b = 2; b >= 0; b--) {
      const set = (mode >> (who * 3 + b)) & 1;
      let ch = set ? bits[2 - b]! : '-';
      if (b === 0) {
        const special = (mode >> (9 + who)) & 1;
        if (special) ch = who === 0 ? (set ? 't' : 'T') : set ? 's' : 'S';
      }
      out += ch;
    }
  }
  return out;
}

function nameColumn(f: FileRow): string {
  if (f.whiteout) return `${f.path}  (whiteout: ${f.whiteout.kind === 'opaque' ? `hides lower content of /${f.whiteout.target}` : `removes /${f.whiteout.target}`})`;
  if (f.type === 'symlink') return `${f.path} -> ${f.linkTarget ?? ''}`;
  if (f.type === 'link') return `${f.path} link to /${f.linkTarget ?? ''}`;
  return f.path;
}

export function renderListing(listing: FileListing): string {
  return table(
    listing.files.map((f) => [
      modeString(f.type, f.mode),
      `${f.uname || f.uid}/${f.gname || f.gid}`,
      String(f.size),
      f.layer < 0 ? '-' : String(f.layer),
      nameColumn(f),
    ]),
  );
}
