#!/usr/bin/env node
// CPU of one fresh registry → registry copy of the realistic image, for comparing builds
// (A/B) and for CPU profiles, without running skopeo: the CPU-seconds of the ferry process
// are the steady figure on a shared machine, wall time is not (docs/benchmarks.md,
// "Copy path CPU").
//
//   npm run build && node bench/copy-cpu.mjs [--runs 5] [--profile DIR] [--layout DIR] [--delay MS] [--ferry-args "..."] NAME=FERRY_BIN[,VAR=VALUE...] ...
//
// Starts a source and a destination registry (bench/registry.mjs), pushes the realistic
// image of bench/fixtures.mjs (build it once with `npm run bench -- --quick --cases fresh`,
// or point --layout at an OCI layout holding a `realistic` tag), then runs each variant
// once per round, alternating the order, every copy into a new repository, each with an
// empty FERRY_CACHE_DIR. A variant is a bin/ferry path (default this checkout's) plus
// extra environment; the name `skopeo` runs skopeo instead. --profile DIR passes
// `--cpu-prof` to node and keeps the profiles. --delay MS reaches both registries through
// bench/delay-proxy.mjs (every response held MS): wall time on a link with round trips.
// --ferry-args adds flags to every ferry copy (e.g. "--dest-compress-format zstd").
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDelayProxy } from './delay-proxy.mjs';
import { startRegistry } from './registry.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
/** 'NAME=SPEC' or 'VAR=VALUE' at the first '=' (a value may hold more). */
const splitOnce = (s) => (s.includes('=') ? [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] : [s, '']);
let runs = 5;
let profileDir;
let layout = join(REPO, 'bench', '.work', 'oci');
let delayMs = 0;
let ferryArgs = [];
const variants = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--profile') profileDir = resolve(args[++i]);
  else if (args[i] === '--layout') layout = resolve(args[++i]);
  else if (args[i] === '--delay') delayMs = Number(args[++i]);
  else if (args[i] === '--ferry-args') ferryArgs = args[++i].split(' ').filter(Boolean);
  else if (args[i] === '--help') {
    console.log('usage: node bench/copy-cpu.mjs [--runs N] [--profile DIR] [--layout OCI_DIR] [--delay MS] [--ferry-args "..."] NAME=FERRY_BIN[,VAR=VALUE...] ...');
    process.exit(0);
  } else {
    const [name, spec] = splitOnce(args[i]);
    const [bin, ...vars] = spec.split(',');
    variants.push({ name, bin: bin || join(REPO, 'bin', 'ferry'), env: Object.fromEntries(vars.map(splitOnce)), cpu: [], user: [], sys: [], wall: [], rss: [] });
  }
}
if (variants.length === 0) variants.push({ name: 'this', bin: join(REPO, 'bin', 'ferry'), env: {}, cpu: [], user: [], sys: [], wall: [], rss: [] });

function run(cmd, argv, env) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(err) : rej(new Error(`${cmd} ${argv.join(' ')} failed (${code}): ${err}`))));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const scratch = await mkdtemp(join(tmpdir(), 'ferry-copy-cpu-'));
const registries = [await startRegistry('cpu-src'), await startRegistry('cpu-dst')];
const proxies = delayMs > 0 ? await Promise.all(registries.map((r) => startDelayProxy(r.host, delayMs))) : [];
const [src, dst] = delayMs > 0 ? proxies : registries;
try {
  await run('skopeo', ['copy', '--quiet', '--insecure-policy', '--dest-tls-verify=false', `oci:${layout}:realistic`, `docker://${registries[0].ref('realistic:1')}`], process.env);
  if (profileDir) await mkdir(profileDir, { recursive: true });
  let n = 0;
  for (let round = 0; round < runs; round++) {
    const order = round % 2 ? [...variants].reverse() : variants;
    for (const v of order) {
      const cache = await mkdtemp(join(scratch, 'cache-'));
      const timeFile = join(scratch, `time-${++n}`);
      const env = { ...process.env, FERRY_CACHE_DIR: cache, HOME: scratch, ...v.env };
      // NODE_OPTIONS may not carry --cpu-prof: node runs bin/ferry itself then
      const cmd = v.name === 'skopeo' ? ['skopeo', 'copy', '--quiet', '--insecure-policy', '--src-tls-verify=false', '--dest-tls-verify=false'] : [...(profileDir ? [process.execPath, '--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', join(profileDir, v.name), v.bin] : [v.bin]), 'copy', '-q', ...ferryArgs];
      if (v.name === 'skopeo') await rm('/var/lib/containers/cache', { recursive: true, force: true });
      const t0 = process.hrtime.bigint();
      await run('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...cmd, `docker://${src.ref('realistic:1')}`, `docker://${dst.ref(`cpu-${v.name}-${round}:1`)}`], env);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const [, user, sys, rss] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop().split(' ').map(Number);
      v.cpu.push(user + sys);
      v.user.push(user);
      v.sys.push(sys);
      v.wall.push(wall);
      v.rss.push(rss / 1024);
      console.error(`round ${round + 1} ${v.name}: cpu ${(user + sys).toFixed(2)} s (user ${user.toFixed(2)}, sys ${sys.toFixed(2)}), wall ${wall.toFixed(2)} s, rss ${Math.round(rss / 1024)} MB`);
      await rm(cache, { recursive: true, force: true });
    }
  }
  console.log('| variant | runs | CPU median (min–max) | user | sys | wall median | RSS median |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const v of variants) {
    console.log(`| ${v.name} | ${v.cpu.length} | ${median(v.cpu).toFixed(2)} s (${Math.min(...v.cpu).toFixed(2)}–${Math.max(...v.cpu).toFixed(2)}) | ${median(v.user).toFixed(2)} | ${median(v.sys).toFixed(2)} | ${median(v.wall).toFixed(2)} s | ${Math.round(median(v.rss))} MB |`);
  }
} finally {
  await Promise.allSettled(proxies.map((p) => p.stop()));
  await Promise.allSettled(registries.map((r) => r.stop()));
  await rm(scratch, { recursive: true, force: true });
}
