import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/** What a compiled CommonJS file hands back: its module.exports, and a way to keep its code cache. */
export interface CachedModule {
  exports: Record<string, unknown>;
  /** Whether V8 took the cache (false on the first run, or after the file or Node changed). */
  cacheUsed: boolean;
  /** Writes the code cache if this run had none usable; never throws. */
  save(): void;
}

export interface CodeCacheOptions {
  /** Folder for cache files; undefined runs without a cache. */
  dir: string | undefined;
  /** Separates caches of runs that compile different functions (e.g. the command). */
  name: string;
}

/** A short, stable hash of a string for a file name (not for integrity: V8 checks that). */
function hash32(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** The content hash scripts/bundle.mjs writes on the bundle's last line. */
const BUILD_ID = /\/\/# ferryBuildId=([0-9a-f]{8,64})\s*$/;

/**
 * The cache file's name: the file's build id (its content hash, if it carries one), its
 * size, mtime and inode, the runtime and its flags. V8 compares only the source's length,
 * not its text, so the name has to change whenever the text does; mtimes alone do not
 * (npm packs every file with the same mtime). node:crypto is not used: it costs ~4 ms to
 * load and nothing else on the path of `--version` needs it.
 */
export function cacheFileName(file: string, source: string, name: string): string {
  const st = statSync(file);
  const id = BUILD_ID.exec(source.slice(-100))?.[1] ?? 'noid';
  const build = `${id}.${st.size}.${Math.round(st.mtimeMs * 1000).toString(36)}.${st.ino.toString(36)}`;
  return `${name}-${process.version}-${process.arch}-${hash32(process.execArgv.join('\0'))}-${build}.bin`;
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function writeAtomically(dir: string, file: string, data: Buffer, ownPrefix: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, file);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: 0o600 });
    // a concurrent reader sees the old file or the new one, never half of one
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  // caches of earlier builds would otherwise pile up, one per rebuild
  for (const f of readdirSync(dir)) {
    if (f.startsWith(ownPrefix) && f !== file && f.endsWith('.bin')) rmSync(join(dir, f), { force: true });
  }
}

/**
 * Compiles and runs a CommonJS file through vm.Script with a V8 code cache, so later runs
 * skip parsing and compiling what earlier ones compiled. The cache is written after a run
 * (save()), so it holds every function that run compiled, not just the top level. Any
 * problem with the cache (missing, stale, damaged, unwritable) means running without it.
 */
export function loadWithCodeCache(file: string, opts: CodeCacheOptions): CachedModule {
  // Node 20's V8 neither writes nor checks a checksum in code caches unless asked: a
  // flipped byte is otherwise accepted and can abort the process in the deserialiser.
  // With the flag, a damaged cache is rejected like a stale one (test/unit/startup).
  setFlagsFromString('--verify-snapshot-checksum');
  const source = readFileSync(file, 'utf8');
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  if (opts.dir) {
    try {
      cacheFile = cacheFileName(file, source, opts.name);
      cachedData = readOrUndefined(join(opts.dir, cacheFile));
    } catch {
      cacheFile = undefined;
    }
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapper, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cacheUsed,
    save() {
      if (cacheUsed || !cacheFile || !opts.dir) return;
      try {
        writeAtomically(opts.dir, cacheFile, script.createCachedData(), `${opts.name}-`);
      } catch {
        // a read-only or full disk costs later runs the speed-up, nothing else
      }
    },
  };
}
