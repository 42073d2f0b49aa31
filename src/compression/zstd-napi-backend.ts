import { createRequire } from 'node:module';
import type { ZstdBackend } from './zstd-backend.js';
import { NapiBlockPool } from './zstd-napi-pool.js';
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
    compressStream: (level) => new NapiWorkerStream('compress', level),
    decompressStream: (what) => new NapiWorkerStream('decompress', 0, what),
    blockCompressor: (level, concurrency) => new NapiBlockPool(level, concurrency),
  };
}
