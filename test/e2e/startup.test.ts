// Start-up without run-time tricks: the version and backends `--version` reports, Node's
// compile cache where Node has one (and a damaged cache is only a slower start), source
// maps under --debug only, and no V8 flag set by ferry itself.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { codeCacheDir } from '../../src/cli/startup/load-cli.js';
import { describeRun, FERRY_BIN, hermeticEnv, REPO_ROOT, runFerry } from '../support/ferry-cli.js';
import { buildImage } from '../support/fixtures.js';
import { scratchDirSync } from '../support/scratch.js';

const hasCompileCache = typeof (await import('node:module')).default.enableCompileCache === 'function';
const hello = `oci:${join(REPO_ROOT, 'fixtures', 'hello-oci')}:latest`;

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

describe('ferry --version', () => {
  it('prints the version from package.json, the Node version and the compression backends', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await runFerry(['--version']);
    expect(run.code, describeRun(run)).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`ferry version ${version}`);
    expect(lines[1]).toBe(`node: ${process.version}`);
    // the test command builds the libdeflate add-on and installs zstd-napi, which auto prefers
    expect(lines[2]).toBe('gzip: libdeflate (prebuilt add-on)');
    expect(lines[3]).toBe('zstd: zstd-napi (add-on)');
    expect(run.stderr).toBe('');
  });

  it('names the backend a FERRY_*_BACKEND asks for, or why it cannot run', async () => {
    const run = await runFerry(['--version'], { env: { FERRY_GZIP_BACKEND: 'zlib', FERRY_ZSTD_BACKEND: 'bogus' } });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`gzip: node:zlib (zlib ${process.versions.zlib})`);
    expect(run.stdout).toContain('zstd: none (FERRY_ZSTD_BACKEND must be zlib, napi or auto, got "bogus")');
  });

  it('--debug logs the backends in use and why the others did not load', async () => {
    const run = await runFerry(['--debug', 'inspect', '--raw', hello]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).toMatch(/DEBU\[ferry\] compression: gzip libdeflate \(prebuilt add-on\); zstd (node:zlib|zstd-napi)/);
    if (!hasCompileCache) expect(run.stderr).toContain('zstd backend zlib not loaded: node:zlib in Node');
    expect(run.stderr).toMatch(/DEBU\[ferry\] compile cache: /);
  });
});

describe('start-up', () => {
  it('keeps compiled code in Node’s compile cache under XDG_CACHE_HOME (Node >= 22.1), and a damaged cache only costs time', async () => {
    const cacheHome = scratchDirSync('xdg-cache');
    const env = { XDG_CACHE_HOME: cacheHome };
    const first = await runFerry(['inspect', '--raw', hello], { env });
    expect(first.code, describeRun(first)).toBe(0);
    const files = filesUnder(codeCacheDir({ XDG_CACHE_HOME: cacheHome })!);
    if (!hasCompileCache) {
      expect(files).toEqual([]);
      return;
    }
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (let i = 16; i < bytes.length; i += 101) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
      writeFileSync(file, bytes);
    }
    const again = await runFerry(['inspect', '--raw', hello], { env });
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    const off = scratchDirSync('xdg-cache-off');
    await runFerry(['--version'], { env: { XDG_CACHE_HOME: off, FERRY_NO_CODE_CACHE: '1' } });
    expect(filesUnder(off)).toEqual([]);
  });

  it('maps stack traces to src/ under --debug, and prints none without it', async () => {
    const missing = `oci:${join(REPO_ROOT, 'fixtures', 'hello-oci')}:no-such-tag`;
    const debug = await runFerry(['--debug', 'inspect', missing]);
    expect(debug.code).not.toBe(0);
    expect(debug.stderr).toMatch(/at .*src\/transport\/oci-layout\/layout\.ts:\d+:\d+/);
    const plain = await runFerry(['inspect', missing]);
    expect(plain.stderrLines).toHaveLength(1);
    expect(plain.stderr).not.toMatch(/\s+at /);
  });

  it('loads none of the dependencies only some commands use at start-up; each vendor file has its package\'s exports', async () => {
    const bundleDir = join(REPO_ROOT, 'dist', 'bundle');
    const script = `const before = new Set(Object.keys(require.cache));
require(${JSON.stringify(join(bundleDir, 'cli.cjs'))});
console.log(JSON.stringify(Object.keys(require.cache).filter((k) => !before.has(k))));`;
    const { execFileSync } = await import('node:child_process');
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    expect(loaded).toEqual([join(bundleDir, 'cli.cjs')]);
    const vendors = readdirSync(join(bundleDir, 'vendor')).filter((f) => f.endsWith('.cjs')).sort();
    expect(vendors).toEqual(['cli-progress.cjs', 'semver.cjs', 'tar-stream.cjs', 'undici.cjs', 'yaml.cjs']);
    const { createRequire } = await import('node:module');
    const req = createRequire(join(REPO_ROOT, 'package.json'));
    for (const name of ['cli-progress', 'semver', 'tar-stream', 'yaml']) {
      expect(Object.keys(req(join(bundleDir, 'vendor', `${name}.cjs`)) as object).sort(), name).toEqual(Object.keys(req(name) as object).sort());
    }
    expect(Object.keys(req(join(bundleDir, 'vendor', 'undici.cjs')) as object).sort()).toEqual(['EnvHttpProxyAgent', 'request']);
  });

  it('loads none of the Node built-ins only some commands use until one is used', async () => {
    // crypto, zlib, worker_threads and child_process cost ~6 ms of start-up on Node 24
    // (scripts/bundle.mjs); each loads on its first use, and then works as itself
    const bundle = join(REPO_ROOT, 'dist', 'bundle', 'cli.cjs');
    // a script file: \`node -e\` loads crypto for itself
    const script = join(scratchDirSync('lazy-builtins'), 'probe.cjs');
    writeFileSync(
      script,
      `const lazy = /^NativeModule (crypto|zlib|worker_threads|child_process)$/;
const loaded = () => process.moduleLoadList.filter((m) => lazy.test(m)).map((m) => m.slice(13)).sort();
const before = loaded();
const { main } = require(${JSON.stringify(bundle)});
const atStart = loaded();
main(['node', 'ferry', 'inspect', '--raw', ${JSON.stringify(hello)}]).then(() => {
  process.stderr.write(JSON.stringify({ before, atStart, afterInspect: loaded() }));
});`,
    );
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', env: hermeticEnv() });
    expect(run.status, run.stderr).toBe(0);
    const seen = JSON.parse(run.stderr) as Record<string, string[]>;
    expect(seen['before']).toEqual([]);
    expect(seen['atStart']).toEqual([]);
    // inspect checks the manifest's digest with crypto, through the stand-in
    expect(seen['afterInspect']).toEqual(['crypto']);
    const direct = await runFerry(['inspect', '--raw', hello]);
    expect(run.stdout).toBe(direct.stdout);
    expect(run.stdout).toContain('"schemaVersion"');
  });

  it('ends only after all of its output reached a reader slower than the pipe', async () => {
    // ferry leaves with process.exit() once main() is done (no heap teardown); output still
    // queued for a pipe must not be cut off by that
    const image = await buildImage({ layers: [{ random: { path: 'big.bin', size: 3 * 1024 * 1024, seed: 'slow-reader' } }] });
    const child = spawn(process.execPath, [FERRY_BIN, 'cat', image.ociRef, 'big.bin'], { env: hermeticEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      // a reader that takes its time: ferry's writes fill the pipe and wait
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 2);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const out = Buffer.concat(chunks);
    expect(out.length).toBe(3 * 1024 * 1024);
    const direct = await runFerry(['cat', image.ociRef, 'big.bin']);
    expect(direct.stdoutBytes.equals(out)).toBe(true);
  });

  it('sets no V8 flags at run time', () => {
    const sources = [join(REPO_ROOT, 'bin', 'ferry'), ...filesUnder(join(REPO_ROOT, 'src')).filter((f) => f.endsWith('.ts'))];
    const offenders = sources.filter((f) => /setFlagsFromString|--liftoff|--no-opt|v8\.setFlags/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
