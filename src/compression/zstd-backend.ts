import type { Duplex, Transform } from 'node:stream';
import { FerryError, UsageError } from '../errors.js';
import type { BlockCompressor } from './block-compressor.js';
import { loadNapiZstdBackend, napiZstdLoadError } from './zstd-napi-backend.js';
import { loadZlibZstdBackend, zlibZstdLoadError } from './zstd-zlib-backend.js';

export type ZstdBackendName = 'zlib' | 'napi';

/** Names the zstd implementation: `zlib` or `napi`; unset or `auto` picks one. */
export const ZSTD_BACKEND_ENV = 'FERRY_ZSTD_BACKEND';

/**
 * One zstd implementation. Streams and block compressors keep the CPU work off the main
 * thread and fail with ERR_COMPRESSION; decompressStream decodes concatenated frames and
 * skips skippable frames, whatever the library does on its own.
 */
export interface ZstdBackend {
  readonly name: ZstdBackendName;
  readonly maxLevel: number;
  /** Levels are already checked by the codec. Frames carry a content checksum. */
  compressStream(level: number): Transform;
  /** `what` names the data in error messages. */
  decompressStream(what?: string): Duplex;
  blockCompressor(level: number, concurrency: number): BlockCompressor;
}

const loaders: Record<ZstdBackendName, () => ZstdBackend | undefined> = {
  zlib: loadZlibZstdBackend,
  napi: loadNapiZstdBackend,
};

/** Why a backend is not available here, or undefined when it is. */
export const zstdLoadErrors: Record<ZstdBackendName, () => string | undefined> = {
  zlib: zlibZstdLoadError,
  napi: () => (napiZstdLoadError() === undefined ? undefined : `the zstd-napi add-on did not load: ${napiZstdLoadError()}`),
};

/**
 * Preference order for `auto`: zstd-napi where its add-on loads (faster both ways, none
 * of node:zlib's frame and truncation defects, the same bytes on every Node), else the
 * runtime's own (docs/decisions.md, "zstd: which library").
 */
const preference: readonly ZstdBackendName[] = ['napi', 'zlib'];

/** The backends this process can use, in preference order. */
export function availableZstdBackends(): ZstdBackendName[] {
  return preference.filter((name) => loaders[name]() !== undefined);
}

/**
 * The backend to use. `requested` defaults to env FERRY_ZSTD_BACKEND; asking for one
 * this runtime lacks is an error rather than a silent fallback, so CI really tests it.
 */
export function selectZstdBackend(
  requested: string | undefined = process.env[ZSTD_BACKEND_ENV],
): ZstdBackend {
  const wanted = requested === undefined || requested === '' ? 'auto' : requested;
  if (wanted === 'auto') {
    for (const name of preference) {
      const backend = loaders[name]();
      if (backend) return backend;
    }
    const why = preference.map((name) => zstdLoadErrors[name]()).join('; ');
    throw new FerryError('ERR_UNSUPPORTED', `no zstd backend: ${why}`);
  }
  if (wanted !== 'zlib' && wanted !== 'napi') {
    throw new UsageError(`${ZSTD_BACKEND_ENV} must be zlib, napi or auto, got "${wanted}"`);
  }
  const backend = loaders[wanted]();
  if (!backend) {
    throw new FerryError('ERR_UNSUPPORTED', `zstd backend "${wanted}" is not available: ${zstdLoadErrors[wanted]()}`);
  }
  return backend;
}
