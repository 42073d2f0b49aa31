import { createRequire } from 'node:module';

/** native/deflate's binding: one gzip member per call, computed in the libuv threadpool. */
export interface LibdeflateBinding {
  gzip(block: Uint8Array, level: number): Promise<Buffer>;
}

/** Where the package ships the add-on for this platform (scripts/build-native.mjs puts it there). */
export const LIBDEFLATE_PREBUILD = `prebuilds/${process.platform}-${process.arch}/ferry_deflate.node`;

let cached: { binding?: LibdeflateBinding; error?: string } | undefined;

function load(): { binding?: LibdeflateBinding; error?: string } {
  if (cached) return cached;
  try {
    // Relative to this module in src/compression/ or dist/compression/ and to the CLI
    // bundle in dist/bundle/: all two deep under the package root.
    cached = { binding: createRequire(import.meta.url)(`../../${LIBDEFLATE_PREBUILD}`) as LibdeflateBinding };
  } catch (e) {
    // Not shipped for this platform, or built for another libc: gzip uses node:zlib.
    const err = e as NodeJS.ErrnoException;
    cached = { error: err.code === 'MODULE_NOT_FOUND' ? `no prebuilt add-on for ${process.platform}-${process.arch} in this package` : err.message.split('\n')[0] ?? String(e) };
  }
  return cached;
}

/** The prebuilt libdeflate add-on, or undefined when this package has none that loads here. */
export function loadLibdeflate(): LibdeflateBinding | undefined {
  return load().binding;
}

/** Why the add-on did not load (for --version and --debug), or undefined when it did. */
export function libdeflateLoadError(): string | undefined {
  return load().error;
}
