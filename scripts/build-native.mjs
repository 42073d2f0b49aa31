#!/usr/bin/env node
// Builds ferry's optional native gzip compressor (native/deflate, on libdeflate) and puts
// it where the package ships it: prebuilds/<platform>-<arch>/ferry_deflate.node.
//
// A developer and pack-time step, never an install step: `npm pack` / `npm publish` run it
// through `prepack`, and the test command runs it with --required. Consumers of the
// package get the prebuilt file or, on other platforms, gzip through node:zlib
// (src/compression/gzip-libdeflate.ts loads it with a fallback). libdeflate is linked
// statically, so the file needs only glibc >= 2.14 and no libdeflate on the user's side.
// Needs libdeflate's headers and static library (Debian: libdeflate-dev) and a C compiler.
// Without --required a miss prints one line and exits 0: the package is still usable.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'deflate');
const required = process.argv.includes('--required');
const built = join(dir, 'build', 'Release', 'ferry_deflate.node');
const target = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'ferry_deflate.node');

function skip(reason) {
  if (required) {
    console.error(`build-native: ${reason}`);
    process.exit(1);
  }
  console.log(`build-native: no prebuilt libdeflate add-on for ${process.platform}-${process.arch}; gzip will use node:zlib (${reason})`);
  process.exit(0);
}

// binding.gyp links libdeflate.a by file name, a GNU ld feature
if (process.platform !== 'linux') skip(`building on ${process.platform} is not set up`);
const headers = ['/usr/include/libdeflate.h', '/usr/local/include/libdeflate.h'];
if (!headers.some((h) => existsSync(h))) skip('libdeflate.h not found; install libdeflate-dev');

/** Built after its sources changed last: nothing to do. */
function upToDate() {
  if (!existsSync(target)) return false;
  const made = statSync(target).mtimeMs;
  return ['binding.gyp', 'ferry_deflate.c'].every((f) => statSync(join(dir, f)).mtimeMs <= made);
}
if (upToDate()) process.exit(0);

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
mkdirSync(dirname(target), { recursive: true });
copyFileSync(built, target);
