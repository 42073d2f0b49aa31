#!/usr/bin/env node
// Builds ferry's optional native gzip compressor (native/deflate, on libdeflate).
//
// Runs as the package's `install` script, where it must never fail the install: without
// libdeflate's headers (Debian: libdeflate-dev) ferry compresses gzip with node:zlib
// instead, at about a fifth of the speed for the same output size. `--required` (used by
// the test command, after it installed libdeflate-dev) turns every miss into an error,
// so CI always tests the native backend as well as the fallback.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'deflate');
const required = process.argv.includes('--required');
const built = join(dir, 'build', 'Release', 'ferry_deflate.node');

function skip(reason) {
  if (required) {
    console.error(`build-native: ${reason}`);
    process.exit(1);
  }
  console.log(`ferry: gzip will use node:zlib (${reason})`);
  process.exit(0);
}

if (process.env.FERRY_SKIP_NATIVE === '1' && !required) skip('FERRY_SKIP_NATIVE=1');
if (!existsSync(join(dir, 'binding.gyp'))) skip('native/deflate is not in this package');
const headers = ['/usr/include/libdeflate.h', '/usr/local/include/libdeflate.h'];
if (!headers.some((h) => existsSync(h))) skip('libdeflate.h not found; install libdeflate-dev for faster gzip');

/** Built after its sources changed last: nothing to do. */
function upToDate() {
  if (!existsSync(built)) return false;
  const made = statSync(built).mtimeMs;
  return ['binding.gyp', 'ferry_deflate.c'].every((f) => statSync(join(dir, f)).mtimeMs <= made);
}
if (required && upToDate()) process.exit(0);

/** npm hands its bundled node-gyp to scripts; outside npm, find it beside npm. */
function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const beside = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(beside)) return [process.execPath, beside];
  return ['node-gyp'];
}

/** Node's own headers when they are installed (no download; this may be offline). */
function nodedir() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

const [cmd, ...pre] = nodeGyp();
const run = spawnSync(cmd, [...pre, 'rebuild', '--directory', dir, ...nodedir()], { encoding: 'utf8' });
if (run.status !== 0 || !existsSync(built)) {
  if (required) process.stderr.write(`${run.stdout ?? ''}${run.stderr ?? ''}`);
  const tail = `${run.stderr ?? ''}${run.error?.message ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  skip(`building native/deflate failed${tail ? `: ${tail}` : ''}`);
}
