import { createRequire } from 'node:module';
import { describeCompressionBackends } from '../compression/backends.js';

/** scripts/bundle.mjs defines it from package.json; undefined in tsc's unbundled output. */
declare const __FERRY_VERSION__: string | undefined;

/** ferry's version, from package.json: inlined by the bundle, read from the file otherwise. */
export function ferryVersion(): string {
  if (typeof __FERRY_VERSION__ === 'string') return __FERRY_VERSION__;
  // dist/cli/version.js and src/cli/version.ts are both two folders below package.json
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** What `ferry --version` prints: the version, the runtime and the compression backends. */
export function versionText(): string {
  const backends = describeCompressionBackends();
  return [
    `ferry version ${ferryVersion()}`,
    `node: ${process.version}`,
    `gzip: ${backends.gzip}`,
    `zstd: ${backends.zstd}`,
    '',
  ].join('\n');
}

/** --debug lines: start-up notes, the backends in use and why others did not load. */
export function debugStartupLines(startupNotes: readonly string[]): string[] {
  const backends = describeCompressionBackends();
  return [
    `ferry ${ferryVersion()} on Node ${process.version}`,
    ...startupNotes,
    `compression: gzip ${backends.gzip}; zstd ${backends.zstd}`,
    ...backends.unavailable,
  ];
}
