import { createRequire } from 'node:module';
import type { ZstdBackend } from './zstd-backend.js';
import { NapiDecompressStream } from './zstd-napi-decoder.js';
import { sharedNapiPool } from './zstd-napi-pool.js';
import { NapiWorkerStream } from './zstd-napi-stream.js';
import { napiBindingPath } from './zstd-napi-worker.js';

let cached: { backend?: ZstdBackend; error?: string } | undefined;

/**
 * The zstd-napi backend (libzstd 1.5.x compiled as a Node-API add-on), or undefined when
 * the optional dependency is not installed or its add-on was not built (it compiles from
 * source when its prebuilt download fails, and not at all with --ignore-scripts). Only
 * Node < 22.15 needs it. All libzstd calls happen in worker threads; the add-on is loaded
 * here only to learn that it works and its maximum level.
 */
export function loadNapiZstdBackend(): ZstdBackend | undefined {
  cached ??= probe();
  return cached.backend;
}

/** Why zstd-napi did not load (for --version and --debug), or undefined when it did. */
export function napiZstdLoadError(): string | undefined {
  cached ??= probe();
  return cached.error;
}

function probe(): { backend?: ZstdBackend; error?: string } {
  let maxLevel: number;
  try {
    const binding = createRequire(import.meta.url)(napiBindingPath()) as { maxCLevel(): number };
    maxLevel = binding.maxCLevel();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // MODULE_NOT_FOUND covers both the package and its unbuilt binding; the first line
    // of the message says which.
    return { error: (err.message ?? String(e)).split('\n')[0] };
  }
  const backend: ZstdBackend = {
    name: 'napi',
    maxLevel,
    compressStream: (level) => new NapiWorkerStream(level),
    decompressStream: (what) => new NapiDecompressStream(what),
    // one pool of workers per process; each stream bounds its own blocks in flight
    blockCompressor: (level) => sharedNapiPool().client(level),
  };
  return { backend };
}
