import { createRequire } from 'node:module';
import type { ZstdBackend } from './zstd-backend.js';
import { NapiDecompressStream } from './zstd-napi-decoder.js';
import { sharedNapiPool } from './zstd-napi-pool.js';
import { NapiWorkerStream } from './zstd-napi-stream.js';
import { napiBindingPath } from './zstd-napi-worker.js';

let cached: ZstdBackend | null | undefined;

/**
 * The zstd-napi backend (libzstd 1.5.x compiled as a Node-API add-on), or undefined when
 * the add-on is missing or failed to build. All libzstd calls happen in worker threads;
 * the add-on is loaded here only to learn that it works and its maximum level.
 */
export function loadNapiZstdBackend(): ZstdBackend | undefined {
  if (cached === undefined) cached = probe() ?? null;
  return cached ?? undefined;
}

function probe(): ZstdBackend | undefined {
  let maxLevel: number;
  try {
    const binding = createRequire(import.meta.url)(napiBindingPath()) as { maxCLevel(): number };
    maxLevel = binding.maxCLevel();
  } catch {
    return undefined;
  }
  return {
    name: 'napi',
    maxLevel,
    compressStream: (level) => new NapiWorkerStream(level),
    decompressStream: (what) => new NapiDecompressStream(what),
    // one pool of workers per process; each stream bounds its own blocks in flight
    blockCompressor: (level) => sharedNapiPool().client(level),
  };
}
