import { statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** src/cli.ts's main; `startupNotes` say what start-up did, for --debug. */
type Main = (argv: string[], startupNotes?: readonly string[]) => Promise<void>;

/**
 * Where Node's compile cache goes: the user's cache folder (XDG), never a shared temp
 * folder (Node's default), since whoever can write a code cache chooses the code that
 * runs. FERRY_NO_CODE_CACHE=1 (or Node's own NODE_DISABLE_COMPILE_CACHE=1) turns it off.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['FERRY_NO_CODE_CACHE']) return undefined;
  const base = env['XDG_CACHE_HOME'] || (env['HOME'] ? join(env['HOME'], '.cache') : safeHomedir());
  return base ? join(base, 'ferry', 'compile-cache') : undefined;
}

function safeHomedir(): string | undefined {
  try {
    return join(homedir(), '.cache');
  } catch {
    return undefined;
  }
}

/** module.enableCompileCache (Node >= 22.1; @types/node 20 lacks it). */
type EnableCompileCache = (dir?: string) => { status: number; message?: string; directory?: string };

/**
 * Node >= 22.1 keeps compiled code of the modules loaded after this call, checks it
 * against the source's hash and a checksum, and ignores it when stale or damaged. Node 20
 * has no such API and runs without a cache (docs/decisions.md, "Start-up").
 */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): string {
  const enable = (module as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (!enable) return `compile cache: not available in Node ${process.versions.node}`;
  const dir = codeCacheDir(env);
  if (!dir) return 'compile cache: off (FERRY_NO_CODE_CACHE)';
  try {
    const result = enable(dir);
    return `compile cache: ${result.directory ?? dir}${result.message ? ` (${result.message})` : ''}`;
  } catch (e) {
    return `compile cache: off (${(e as Error).message})`;
  }
}

function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Runs the CLI from the bundle (dist/bundle/cli.cjs, scripts/bundle.mjs), or from tsc's ES
 * modules when there is no bundle or it is older than them (a plain `tsc` after the last
 * `npm run build` must not leave bin/ferry running old code).
 */
export async function runCli(argv: string[]): Promise<void> {
  // Source maps cost start-up time and memory; a stack trace is only shown under --debug.
  // Only files loaded after this call are mapped, hence before loading the CLI.
  if (argv.includes('--debug')) process.setSourceMapsEnabled(true);
  const notes = [enableCompileCache()];
  const bundle = fileURLToPath(new URL('../../bundle/cli.cjs', import.meta.url));
  const bundleTime = mtimeMs(bundle);
  const modulesTime = mtimeMs(fileURLToPath(new URL('../../cli.js', import.meta.url)));
  let main: Main;
  if (bundleTime === undefined || (modulesTime !== undefined && modulesTime > bundleTime)) {
    notes.push('running dist/cli.js (no bundle, or one older than dist/cli.js)');
    ({ main } = (await import('../../cli.js')) as { main: Main });
  } else {
    ({ main } = module.createRequire(import.meta.url)(bundle) as { main: Main });
  }
  await main(argv, notes);
  await exitWhenWritten();
}

/**
 * Ends the process once stdout and stderr hold nothing unwritten. Left to end by itself,
 * Node tears down the whole heap first (~3-5 ms here); main() resolves only after the
 * command settled, so nothing else is left to wait for.
 */
async function exitWhenWritten(): Promise<never> {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.destroyed && stream.writable) await new Promise<void>((resolve) => stream.write('', () => resolve()));
  }
  process.exit();
}
