import { createRequire } from 'node:module';

/** native/deflate's binding: one gzip member per call, computed in the libuv threadpool. */
export interface LibdeflateBinding {
  gzip(block: Uint8Array, level: number): Promise<Buffer>;
}

let cached: LibdeflateBinding | null | undefined;

/**
 * The libdeflate add-on, or undefined when it was not built (no libdeflate-dev when the
 * package was installed: scripts/build-native.mjs). The path is relative to this module in
 * src/compression/ or dist/compression/ and to the CLI bundle in dist/bundle/: all two deep.
 */
export function loadLibdeflate(): LibdeflateBinding | undefined {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)('../../native/deflate/build/Release/ferry_deflate.node') as LibdeflateBinding;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}
