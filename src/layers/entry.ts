import type { Header } from 'tar-stream';
import { decodeName } from './name-bytes.js';

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'char-device' | 'block-device' | 'fifo';

/** What a whiteout entry removes: one path of a lower layer, or every lower child of a directory. */
export interface Whiteout {
  kind: 'path' | 'opaque';
  /** The removed path ('path') or the directory emptied of lower content ('opaque'). */
  target: string;
}

/** One tar entry of a layer, with its name decoded and normalised. */
export interface LayerEntry {
  /** Normalised path without a leading slash (`etc/passwd`); whiteouts keep their `.wh.` name. */
  path: string;
  type: EntryType;
  /** Permission bits including setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** Content bytes of a regular file; 0 for everything else. */
  size: number;
  /** Symlink target as stored, or a hard link's target path (normalised). */
  linkTarget?: string;
  /** Seconds since the epoch. */
  mtime?: number;
  whiteout?: Whiteout;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/** `./a//b/` → `a/b`; the root itself becomes ''. */
export function normalizePath(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return parts.join('/');
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function whiteoutOf(path: string): Whiteout | undefined {
  const base = baseName(path);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = parentOf(path);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', target: dir };
  const hidden = base.slice(WHITEOUT_PREFIX.length);
  return { kind: 'path', target: dir ? `${dir}/${hidden}` : hidden };
}

const typeMap: Partial<Record<string, EntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  symlink: 'symlink',
  link: 'link',
  'character-device': 'char-device',
  'block-device': 'block-device',
  fifo: 'fifo',
};


function paxNumber(pax: Record<string, string> | undefined, key: string): number | undefined {
  const v = pax?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A tar-stream header as a LayerEntry, or undefined for entries that are not files
 * (the archive root, metadata types). Names from ustar/GNU fields arrive as latin1
 * (the extractor is told so) and are decoded here, so non-UTF-8 bytes survive as
 * `\xNN`; PAX `path`/`linkpath` values are UTF-8 by definition and are kept.
 */
export function toLayerEntry(header: Header): LayerEntry | undefined {
  const type = header.type ? typeMap[header.type] : 'file';
  if (!type) return undefined;
  const pax = (header.pax ?? undefined) as Record<string, string> | undefined;
  const rawName = pax?.['path'] !== undefined ? header.name : decodeName(header.name);
  const path = normalizePath(rawName);
  if (path === '') return undefined;
  const entry: LayerEntry = {
    path,
    type,
    mode: (header.mode ?? 0) & 0o7777,
    uid: paxNumber(pax, 'uid') ?? header.uid ?? 0,
    gid: paxNumber(pax, 'gid') ?? header.gid ?? 0,
    size: type === 'file' ? (header.size ?? 0) : 0,
  };
  const uname = pax?.['uname'] ?? header.uname;
  const gname = pax?.['gname'] ?? header.gname;
  if (uname) entry.uname = uname;
  if (gname) entry.gname = gname;
  if (header.linkname && (type === 'symlink' || type === 'link')) {
    const link = pax?.['linkpath'] !== undefined ? header.linkname : decodeName(header.linkname);
    entry.linkTarget = type === 'link' ? normalizePath(link) : link;
  }
  const mtime = paxNumber(pax, 'mtime') ?? (header.mtime ? header.mtime.getTime() / 1000 : undefined);
  if (mtime !== undefined) entry.mtime = Math.floor(mtime);
  const whiteout = whiteoutOf(path);
  if (whiteout) entry.whiteout = whiteout;
  return entry;
}
