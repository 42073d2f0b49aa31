#!/usr/bin/env node
// `ferry layers` and `ferry lint` of a ~400 MB image against the floor any pull-based
// tool pays: downloading the image with `skopeo copy docker://… dir:` (docs/benchmarks.md).
//
//   npm run build && node bench/layers-bench.mjs [--runs N]
//
// The image is the realistic image of bench/fixtures.mjs (7 layers of real files) plus
// its "big-quick" layer (one layer of /usr/lib/x86_64-linux-gnu): ~400 MB of gzip.
// It is pushed once to a local docker-registry (plain HTTP on 127.0.0.1). Each run times
// the three commands interleaved, rotating which goes first. skopeo writes into a fresh
// dir: each time (removed afterwards); its blob-info cache only lets a registry
// destination skip or mount blobs, so it plays no part in a download to dir:.
// Wall time around the process; CPU and peak RSS from GNU time (`%e %U %S %M`).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { buildFixtures, REALISTIC } from './fixtures.mjs';
import { startRegistry } from './registry.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');
const WORK = join(BENCH_DIR, '.work');
const FERRY = join(REPO, 'bin', 'ferry');
const log = (...a) => console.error(`[layers-bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs takes a whole number ≥ 1');

function measure(cmd, args, timeFile, env = process.env) {
  return new Promise((done) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-5000)));
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const [, user, sys, rssKB] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      done({ ok: code === 0, code, wall, cpu: user + sys, rssMB: rssKB / 1024, err });
    });
  });
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const built = await buildFixtures({ workDir: WORK, quick: true, log });
  const layers = [...REALISTIC, 'big-quick'].map((n) => built.layers[n]);
  const gzipBytes = layers.reduce((a, l) => a + l.size, 0);
  const tarBytes = layers.reduce((a, l) => a + l.tarSize, 0);
  // the ~400 MB image: its own manifest in the same layout, tagged "layers400"
  const config = Buffer.from(JSON.stringify({
    created: '1970-01-01T00:00:00Z', architecture: 'amd64', os: 'linux',
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created_by: `ferry bench: tar of /${l.dirs.join(' /')}` })),
  }));
  const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  await writeFile(join(built.layout, 'blobs', 'sha256', sha(config).slice(7)), config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
  }));
  await writeFile(join(built.layout, 'blobs', 'sha256', sha(manifest).slice(7)), manifest);
  const indexPath = join(built.layout, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8'));
  index.manifests = index.manifests.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] !== 'layers400');
  index.manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'layers400' } });
  await writeFile(indexPath, JSON.stringify(index, null, 2));
  log(`image: ${layers.length} layers, ${(gzipBytes / 1e6).toFixed(0)} MB gzip, ${(tarBytes / 1e6).toFixed(0)} MB tar`);

  const home = await mkdtemp(join(tmpdir(), 'ferry-layers-bench-'));
  const policy = join(home, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const registry = await startRegistry('layers');
  try {
    const ref = registry.ref('bench/layers:400');
    log('pushing with skopeo …');
    run('skopeo', ['--policy', policy, 'copy', '--quiet', '--dest-tls-verify=false', `oci:${built.layout}:layers400`, `docker://${ref}`]);
    const cases = {
      'skopeo copy → dir:': async (i) => {
        const dir = join(home, `dir-${i}`);
        const r = await measure('skopeo', ['--policy', policy, 'copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `dir:${dir}`], join(home, 't'));
        await rm(dir, { recursive: true, force: true });
        return r;
      },
      'ferry layers': () => measure(process.execPath, [FERRY, 'layers', '--format', 'json', `docker://${ref}`], join(home, 't')),
      'ferry lint': () => measure(process.execPath, [FERRY, 'lint', '--format', 'json', `docker://${ref}`], join(home, 't')),
    };
    const names = Object.keys(cases);
    const results = Object.fromEntries(names.map((n) => [n, []]));
    for (let i = 0; i < RUNS; i++) {
      const order = names.map((_, k) => names[(k + i) % names.length]);
      for (const name of order) {
        const r = await cases[name](i);
        if (!r.ok) throw new Error(`${name} failed (${r.code}): ${r.err}`);
        results[name].push(r);
        log(`run ${i + 1}/${RUNS} ${name}: ${r.wall.toFixed(2)} s, cpu ${r.cpu.toFixed(2)} s, ${r.rssMB.toFixed(0)} MB`);
      }
    }
    const floor = median(results[names[0]].map((r) => r.wall));
    const lines = [
      `Image: ${layers.length} layers, ${(gzipBytes / 1e6).toFixed(0)} MB gzip, ${(tarBytes / 1e6).toFixed(0)} MB uncompressed; ${RUNS} interleaved runs, medians; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end.`,
      '',
      '| command | wall (s) | × download | CPU (s) | peak RSS (MB) |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...names.map((n) => {
        const rs = results[n];
        const wall = median(rs.map((r) => r.wall));
        return `| ${n} | ${wall.toFixed(2)} | ${(wall / floor).toFixed(2)} | ${median(rs.map((r) => r.cpu)).toFixed(2)} | ${Math.max(...rs.map((r) => r.rssMB)).toFixed(0)} |`;
      }),
    ];
    console.log(lines.join('\n'));
    await mkdir(WORK, { recursive: true });
    await writeFile(join(WORK, 'layers-results.md'), `${lines.join('\n')}\n`);
    await writeFile(join(WORK, 'layers-results.json'), JSON.stringify(results, null, 2));
  } finally {
    await registry.stop();
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
