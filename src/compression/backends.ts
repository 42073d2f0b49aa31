import { libdeflateLoadError } from './gzip-libdeflate.js';
import { selectGzipBackend } from './gzip-codec.js';
import { selectZstdBackend, zstdLoadErrors, type ZstdBackendName } from './zstd-backend.js';

/** Which implementation compresses each format in this process, and what did not load. */
export interface CompressionBackends {
  /** e.g. "libdeflate (prebuilt add-on)" or "node:zlib (zlib 1.3.0.1-motley)". */
  readonly gzip: string;
  /** e.g. "node:zlib (libzstd 1.5.6)", "zstd-napi", or "none (why)". */
  readonly zstd: string;
  /** One line per backend that did not load, with the reason. */
  readonly unavailable: readonly string[];
}

const zstdLabel: Record<ZstdBackendName, string> = {
  zlib: `node:zlib${process.versions['zstd'] ? ` (libzstd ${process.versions['zstd']})` : ''}`,
  napi: 'zstd-napi (add-on)',
};

/**
 * Loads (or tries) every backend and says which one runs, honouring FERRY_GZIP_BACKEND and
 * FERRY_ZSTD_BACKEND. Never throws: a backend that cannot run is described, with why.
 */
export function describeCompressionBackends(): CompressionBackends {
  let gzip: string;
  try {
    gzip = selectGzipBackend() === 'libdeflate' ? 'libdeflate (prebuilt add-on)' : `node:zlib (zlib ${process.versions.zlib})`;
  } catch (e) {
    gzip = `none (${(e as Error).message})`;
  }
  let zstd: string;
  try {
    zstd = zstdLabel[selectZstdBackend().name];
  } catch (e) {
    zstd = `none (${(e as Error).message})`;
  }
  const unavailable: string[] = [];
  const libdeflate = libdeflateLoadError();
  if (libdeflate) unavailable.push(`gzip backend libdeflate not loaded: ${libdeflate}`);
  for (const name of ['zlib', 'napi'] as const) {
    const why = zstdLoadErrors[name]();
    if (why) unavailable.push(`zstd backend ${name} not loaded: ${why}`);
  }
  return { gzip, zstd, unavailable };
}
