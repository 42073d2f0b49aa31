import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWithCodeCache } from './code-cache.js';

type Main = (argv: string[]) => Promise<void>;

/**
 * Where code caches go: the user's cache folder (XDG), never a shared temp folder, since
 * whoever can write a code cache chooses the code that runs. FERRY_NO_CODE_CACHE=1 turns
 * the cache off.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['FERRY_NO_CODE_CACHE']) return undefined;
  const base = env['XDG_CACHE_HOME'] || (env['HOME'] ? join(env['HOME'], '.cache') : safeHomedir());
  return base ? join(base, 'ferry', 'v8') : undefined;
}

function safeHomedir(): string | undefined {
  try {
    return join(homedir(), '.cache');
  } catch {
    return undefined;
  }
}

/** One cache per command: each compiles different code, and a cache holds what its first run compiled. */
export function cacheName(argv: readonly string[]): string {
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  return command && /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'cli';
}

function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Runs the CLI from the bundle (dist/bundle/cli.cjs, scripts/bundle.mjs) with a code
 * cache, or from tsc's ES modules when there is no bundle or it is older than them (a
 * plain `tsc` after the last `npm run build` must not leave bin/ferry running old code).
 */
export async function runCli(argv: string[]): Promise<void> {
  const bundle = fileURLToPath(new URL('../../bundle/cli.cjs', import.meta.url));
  const bundleTime = mtimeMs(bundle);
  const modulesTime = mtimeMs(fileURLToPath(new URL('../../cli.js', import.meta.url)));
  if (bundleTime === undefined || (modulesTime !== undefined && modulesTime > bundleTime)) {
    const { main } = (await import('../../cli.js')) as { main: Main };
    return main(argv);
  }
  const loaded = loadWithCodeCache(bundle, { dir: codeCacheDir(), name: cacheName(argv) });
  await (loaded.exports['main'] as Main)(argv);
  // a failed run may have stopped early and compiled little: let a successful one write the cache
  if (!process.exitCode) loaded.save();
}
