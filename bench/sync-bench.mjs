#!/usr/bin/env node
// ferry sync vs skopeo sync (docs/benchmarks.md, "Mirror engine").
//
//   npm run build && node bench/sync-bench.mjs [--runs N] [--images 40] [--charts 30] [--delay-ms 25] [--image-jobs N]
//
// A source registry with a repository of small images (shared base layer) and one of
// Helm chart versions; a destination registry; each behind a proxy that holds every
// response back by --delay-ms (a latency-bound link). Both tools read the same sync
// YAML (both repositories). Per iteration, interleaved and alternating who goes first:
// a fresh mirror into a new destination prefix, then the same sync again with nothing
// changed. skopeo gets a fresh, empty blob-info cache per run (private mount). Medians,
// ratios (ferry / skopeo) and peak RSS are printed as a markdown table.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLatencyProxy } from './latency-proxy.mjs';
import { startRegistry } from './registry.mjs';
import { pushSyncFixtures } from './sync-fixtures.mjs';
import { FERRY_BIN, log, need, REPO, TIME, Tools, version } from './tools.mjs';

const WORK = join(dirname(fileURLToPath(import.meta.url)), '.work');

function parseArgs(argv) {
  const o = { runs: 3, images: 40, charts: 30, delayMs: 25, imageJobs: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => Number(argv[++i]);
    if (a === '--runs') o.runs = v();
    else if (a === '--images') o.images = v();
    else if (a === '--charts') o.charts = v();
    else if (a === '--delay-ms') o.delayMs = v();
    else if (a === '--image-jobs') o.imageJobs = v();
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/sync-bench.mjs [--runs N] [--images 40] [--charts 30] [--delay-ms 25] [--image-jobs N]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const [tool, hint] of [['docker-registry', 'apt-get install -y docker-registry'], ['skopeo', ''], ['unshare', 'util-linux'], [TIME, 'apt-get install -y time']]) need(tool, hint);
  if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  if (process.getuid?.() !== 0) throw new Error('run as root: skopeo\'s blob-info cache is isolated with a private mount namespace');
  await mkdir(WORK, { recursive: true });
  const scratch = await mkdtemp(join(WORK, 'sync-run-'));
  const tools = new Tools(scratch);
  await tools.init();
  const [src, dst] = await Promise.all([startRegistry('sync-src'), startRegistry('sync-dst')]);
  const [psrc, pdst] = await Promise.all([startLatencyProxy(src.url, opts.delayMs), startLatencyProxy(dst.url, opts.delayMs)]);
  try {
    log(`pushing ${opts.images} images and ${opts.charts} chart versions to the source`);
    const fx = await pushSyncFixtures(src.url, { images: opts.images, charts: opts.charts });
    const yaml = join(scratch, 'sync.yml');
    await writeFile(yaml, `${psrc.host}:\n  tls-verify: false\n  images:\n    ${fx.apps}: []\n    ${fx.charts}: []\n`);
    const total = opts.images + opts.charts;
    const ferryArgs = (prefix) => ['sync', '--src', 'yaml', '--dest', 'docker', '--dest-tls-verify=false', '-q', ...(opts.imageJobs ? ['--image-jobs', String(opts.imageJobs)] : []), yaml, `${pdst.host}/${prefix}`];
    const skopeoArgs = (prefix) => ['sync', '--src', 'yaml', '--dest', 'docker', '--dest-tls-verify=false', yaml, `${pdst.host}/${prefix}`];
    const results = { ferry: { fresh: [], unchanged: [] }, skopeo: { fresh: [], unchanged: [] } };
    for (let i = 0; i < opts.runs; i++) {
      const order = i % 2 === 0 ? ['ferry', 'skopeo'] : ['skopeo', 'ferry'];
      for (const tool of order) {
        const prefix = `${tool}-${i}`;
        const go = () => (tool === 'ferry' ? tools.ferry(ferryArgs(prefix)) : tools.skopeo(skopeoArgs(prefix)));
        for (const kind of ['fresh', 'unchanged']) {
          const r = await go();
          if (!r.ok) throw new Error(`${tool} ${kind} failed (${r.code}):\n${r.stderr}`);
          results[tool][kind].push(r);
          log(`${tool} ${kind} #${i + 1}: ${r.wall.toFixed(2)} s, ${r.rssMB.toFixed(0)} MB`);
        }
      }
    }
    const rows = [];
    for (const kind of ['fresh', 'unchanged']) {
      const f = results.ferry[kind];
      const s = results.skopeo[kind];
      const fw = median(f.map((r) => r.wall));
      const sw = median(s.map((r) => r.wall));
      rows.push(`| ${kind} | ${fw.toFixed(2)} s | ${sw.toFixed(2)} s | **${(fw / sw).toFixed(3)}×** | ${median(f.map((r) => r.rssMB)).toFixed(0)} MB | ${median(s.map((r) => r.rssMB)).toFixed(0)} MB | ${median(f.map((r) => r.cpu)).toFixed(2)} s | ${median(s.map((r) => r.cpu)).toFixed(2)} s |`);
    }
    const md = [
      `${opts.images} images (2 layers each, base shared) + ${opts.charts} Helm chart versions = ${total} tags, one YAML for both tools; ${opts.delayMs} ms added to every response of both registries; ${opts.runs} runs each, interleaved; medians.`,
      `ferry ${version(FERRY_BIN, ['--version'])} (image jobs: ${opts.imageJobs ?? 'default'}), ${version('skopeo', ['--version'])} with a fresh empty blob-info cache per run; ${cpus().length} cores, load average at the end ${loadavg()[0].toFixed(1)}.`,
      '',
      '| case | ferry | skopeo | ferry / skopeo | ferry RSS | skopeo RSS | ferry CPU | skopeo CPU |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
    ].join('\n');
    console.log(md);
    await writeFile(join(WORK, 'sync-results.md'), `${md}\n`);
  } finally {
    await Promise.allSettled([psrc.close(), pdst.close()]);
    await Promise.allSettled([src.stop(), dst.stop()]);
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
