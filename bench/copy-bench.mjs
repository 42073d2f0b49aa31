#!/usr/bin/env node
// ferry vs skopeo, copy and recompression benchmark (docs/benchmarks.md).
//
//   npm run build && [FERRY_BENCH_NODE=24] npm run bench -- [--runs N] [--quick] [--cases a,b] [--jobs-list 2,4,6,8]
//
// FERRY_BENCH_NODE picks the Node that runs ferry (a binary, or 22 / 24 from the npm
// registry); without it, the `node` on PATH.
//
// 1. builds the fixtures once from real files (bench/fixtures.mjs, cached in bench/.work/),
//    and a zstd variant of the realistic image with skopeo;
// 2. starts a source and a destination registry (docker-registry, plain HTTP on
//    127.0.0.1, temp storage, access log captured) and pushes the fixtures to the source;
// 3. times ferry and skopeo interleaved (each iteration runs both, alternating which
//    goes first), every copy into a fresh destination repository or directory;
//    The `-25ms` and `promote-*` cases reach both registries through bench/delay-proxy.mjs
//    (every response held 25 ms). Each run gets empty blob caches (skopeo's blob-info cache,
//    ferry's FERRY_CACHE_DIR) unless a case keeps them warm on purpose (promote-warm);
// 4. prints a markdown table and writes it to bench/.work/last-results.md (raw data in
//    last-results.json).
//
// Wall time: measured here around the process (spawn to exit). CPU (user+sys) and peak
// RSS: GNU time (`/usr/bin/time -f "%e %U %S %M"`); %M is the largest resident set of
// any single process of the command (ferry is one process with its worker threads;
// skopeo is one process). Requests: counted from the registries' access logs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFixtures, REALISTIC } from './fixtures.mjs';
import { startDelayProxy } from './delay-proxy.mjs';
import { countByMethod, startRegistry } from './registry.mjs';
import { FERRY_NODE, SKOPEO_CACHE, TIME, Tools, log, measure, need, run, version } from './tools.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');
const WORK = join(BENCH_DIR, '.work');
/** The "real link" cases: a proxy in front of each registry holds every response this long. */
const LINK_DELAY_MS = 25;

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = { runs: undefined, quick: false, cases: undefined, jobsList: [2, 4, 6, 8], keep: false, ferryArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runs') opts.runs = Number(value());
    else if (a.startsWith('--runs=')) opts.runs = Number(a.slice(7));
    else if (a === '--quick') opts.quick = true;
    else if (a === '--cases') opts.cases = value().split(',');
    else if (a === '--jobs-list') opts.jobsList = value().split(',').filter(Boolean).map(Number);
    else if (a === '--no-jobs') opts.jobsList = [];
    else if (a === '--keep') opts.keep = true;
    else if (a === '--ferry-args') opts.ferryArgs = value().split(' ').filter(Boolean);
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/copy-bench.mjs [--runs N] [--quick] [--cases fresh,noop,index,oci,big,to-zstd,to-gzip,fresh-25ms,promote-warm,promote-cold,jobs] [--jobs-list 2,4,6,8] [--no-jobs] [--keep (leave the run scratch dir)] [--ferry-args "--dest-compress-level 1" (added to every ferry copy)]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  opts.runs ??= opts.quick ? 2 : 5;
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs takes a whole number ≥ 1');
  return opts;
}


/** utime+stime of a process (all its threads), in seconds. */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Total compressed size of the layers under a root manifest (an index: of every child). */
async function layerBytesOf(digest, read) {
  const m = JSON.parse(await read(digest));
  if (Array.isArray(m.manifests)) {
    const seen = new Set();
    let total = 0;
    for (const child of m.manifests) {
      const cm = JSON.parse(await read(child.digest));
      for (const l of cm.layers ?? []) if (!seen.has(l.digest)) (seen.add(l.digest), (total += l.size));
    }
    return total;
  }
  return (m.layers ?? []).reduce((a, l) => a + l.size, 0);
}

/** A fingerprint of dist/, to notice a rebuild by someone else during a long run. */
function distFingerprint() {
  const r = spawnSync('sh', ['-c', `cd '${REPO}' && find dist -name '*.js' -type f | sort | xargs sha256sum | sha256sum`], { encoding: 'utf8' });
  return r.stdout.slice(0, 16);
}

// ---------------------------------------------------------------- statistics and formatting

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const max = (xs) => Math.max(...xs.filter((x) => Number.isFinite(x)));
const sec = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 1)} s` : '—');
const mb = (x) => (Number.isFinite(x) ? `${Math.round(x)} MB` : '—');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'];

function formatCounts(counts) {
  if (!counts) return '—';
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return '0';
  const parts = Object.keys(counts).sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b)).map((m) => `${m} ${counts[m]}`);
  return `${total} (${parts.join(', ')})`;
}

/** The most frequent request breakdown over the runs, and whether runs differed. */
function typicalCounts(runs, side) {
  const seen = new Map();
  for (const r of runs) {
    if (!r.ok || !r[side]) continue;
    const key = formatCounts(r[side]);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  if (seen.size === 0) return '—';
  const sorted = [...seen.entries()].sort((a, b) => b[1] - a[1]);
  return sorted[0][0] + (sorted.length > 1 ? ` (varied: ${sorted.slice(1).map(([k]) => k.split(' ')[0]).join('/')})` : '');
}

function summarize(runs) {
  const ok = runs.filter((r) => r.ok);
  const total = (r, side) => (r[side] ? Object.values(r[side]).reduce((a, b) => a + b, 0) : NaN);
  return {
    n: ok.length,
    failed: runs.length - ok.length,
    wall: median(ok.map((r) => r.wall)),
    wallMin: Math.min(...ok.map((r) => r.wall)),
    wallMax: max(ok.map((r) => r.wall)),
    cpu: median(ok.map((r) => r.cpu)),
    rss: median(ok.map((r) => r.rssMB)),
    rssMax: max(ok.map((r) => r.rssMB)),
    dstRequests: median(ok.map((r) => total(r, 'dst'))),
    srcRequests: median(ok.map((r) => total(r, 'src'))),
    registryCpu: median(ok.map((r) => r.registryCpu)),
    layerBytes: median(ok.map((r) => r.layerBytes)),
    digests: [...new Set(ok.map((r) => r.digest).filter(Boolean))],
    load: ok.length ? ok.reduce((a, r) => a + (r.load ?? 0), 0) / ok.length : NaN,
    dstBreakdown: typicalCounts(runs, 'dst'),
    srcBreakdown: typicalCounts(runs, 'src'),
  };
}

// ---------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const [tool, hint] of [['docker-registry', 'apt-get install -y docker-registry'], ['skopeo', ''], ['tar', ''], ['pigz', ''], ['zstd', ''], ['unshare', 'util-linux'], [TIME, 'apt-get install -y time']]) need(tool, hint);
  if (!existsSync(join(REPO, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  if (process.getuid?.() !== 0) throw new Error('run as root: skopeo\'s blob-info cache is isolated with a private mount namespace (unshare -m + mount --bind)');
  await mkdir(WORK, { recursive: true });
  const scratch = await mkdtemp(join(WORK, 'run-'));
  const tools = new Tools(join(scratch, 'tools'));
  await tools.init();

  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    ferryNode: version(FERRY_NODE ?? 'node', ['--version']),
    skopeo: version('skopeo', ['--version']),
    registry: version('docker-registry', ['--version']),
    zstd: version('zstd', ['--version']),
    pigz: version('pigz', ['--version']),
    ferry: `${version('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'])}${spawnSync('git', ['-C', REPO, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).stdout.trim() === '' ? '' : ' + uncommitted changes in src/'}`,
    loadStart: loadavg()[0],
    dist: distFingerprint(),
    // Node 20 reads this bundle (and its own root certificates) when the process starts,
    // TLS or not (~60 ms here); Node 22 and 24 only when TLS is first used
    extraCaCerts: process.env['NODE_EXTRA_CA_CERTS'] ?? '',
  };
  log(`machine: ${JSON.stringify(machine)}`);

  // ---- fixtures
  const fx = await buildFixtures({ workDir: WORK, quick: opts.quick, log });
  log(`fixtures: ${JSON.stringify(fx.summary)}`);
  const zLayout = join(WORK, 'oci-zstd');
  const zMarker = join(zLayout, '.made-from');
  const zWanted = `${fx.refs.realistic.digest} ${version('skopeo', ['--version'])}`;
  if (!existsSync(zMarker) || (await readFile(zMarker, 'utf8')) !== zWanted) {
    log('building the zstd variant of the realistic image with skopeo --dest-compress-format zstd …');
    await rm(zLayout, { recursive: true, force: true });
    await tools.skopeo(['copy', '--quiet', '--dest-compress-format', 'zstd', `oci:${fx.layout}:realistic`, `oci:${zLayout}:realistic`], { measured: false });
    await writeFile(zMarker, zWanted);
  }
  const zIndex = JSON.parse(await readFile(join(zLayout, 'index.json'), 'utf8'));
  const zManifest = JSON.parse(await readFile(join(zLayout, 'blobs', 'sha256', zIndex.manifests[0].digest.slice(7)), 'utf8'));
  const zLayerFiles = zManifest.layers.map((l) => join(zLayout, 'blobs', 'sha256', l.digest.slice(7)));
  const gzLayerFiles = REALISTIC.map((n) => join(fx.layout, 'blobs', 'sha256', fx.layers[n].digest.slice(7)));
  const zBytes = zManifest.layers.reduce((a, l) => a + l.size, 0);

  // ---- registries
  log('starting registries …');
  const src = await startRegistry('src');
  const dst = await startRegistry('dst');
  const registries = [src, dst];
  // the same registries seen across a 25 ms link (every response held that long)
  const slow = { src: await startDelayProxy(src.host, LINK_DELAY_MS), dst: await startDelayProxy(dst.host, LINK_DELAY_MS) };
  const stopAll = async () => {
    await Promise.allSettled([slow.src.stop(), slow.dst.stop()]);
    await Promise.allSettled(registries.map((r) => r.stop()));
    if (!opts.keep) await rm(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    log(`source ${src.url}, destination ${dst.url}; pushing fixtures to the source with skopeo …`);
    const tls = ['--src-tls-verify=false', '--dest-tls-verify=false'];
    const push = async (from, to, extra = []) => {
      const t = Date.now();
      await tools.skopeo(['copy', '--quiet', ...tls, ...extra, from, `docker://${src.ref(to)}`], { measured: false });
      log(`  ${to}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    };
    await push(`oci:${fx.layout}:realistic`, 'realistic:1');
    await push(`oci:${fx.layout}:multi`, 'multi:1', ['--all']);
    await push(`oci:${fx.layout}:big`, 'big:1');
    await push(`oci:${zLayout}:realistic`, 'realistic-zstd:1');
    // the source serves exactly the fixture manifests (digests preserved)
    for (const [repo, want] of [['realistic', fx.refs.realistic.digest], ['multi', fx.refs.multi.digest], ['big', fx.refs.big.digest]]) {
      const res = await fetch(`${src.url}/v2/${repo}/manifests/1`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' } });
      const got = res.headers.get('docker-content-digest');
      if (got !== want) throw new Error(`source ${repo}:1 is ${got}, expected ${want}`);
    }
    // the no-op target: the destination already has the realistic image under the same tag
    await tools.skopeo(['copy', '--quiet', ...tls, `docker://${src.ref('realistic:1')}`, `docker://${dst.ref('noop:1')}`], { measured: false });

    const ociDir = join(scratch, 'oci-out');
    await mkdir(ociDir, { recursive: true });
    const ferryJobs = (j) => (j ? ['--jobs', String(j)] : []);
    /**
     * Case definitions. `from`: source repo:tag; `to(tool, i)`: destination repo:tag in the
     * destination registry, or `oci(tool, i)`: an OCI layout directory; `ferryArgs` /
     * `skopeoArgs`: extra flags.
     */
    const cases = [
      { id: 'fresh', issue: 'copy', label: 'fresh copy, realistic image (registry → registry)', from: 'realistic:1', to: (t, i) => `fresh-${t}-${i}:1` },
      { id: 'noop', issue: 'copy', label: 'copy again, everything present (no-op)', from: 'realistic:1', to: () => 'noop:1' },
      { id: 'index', issue: 'copy', label: '3-platform index (skopeo --all)', from: 'multi:1', to: (t, i) => `index-${t}-${i}:1`, skopeoArgs: ['--all'] },
      {
        id: 'oci', issue: 'copy', label: 'registry → OCI layout (`oci:`)', from: 'realistic:1', oci: (t, i) => join(ociDir, `${t}-${i}`),
        after: async () => rm(ociDir, { recursive: true, force: true }).then(() => mkdir(ociDir, { recursive: true })),
      },
      { id: 'big', issue: 'copy', label: `single ${(fx.summary.big.gzipBytes / 1e9).toFixed(2)} GB layer (registry → registry)`, from: 'big:1', to: (t, i) => `big-${t}-${i}:1` },
      {
        id: 'to-zstd', issue: 'recompression', label: 'gzip → zstd, realistic image', from: 'realistic:1', to: (t, i) => `zstd-${t}-${i}:1`,
        ferryArgs: ['--dest-compress-format', 'zstd'], skopeoArgs: ['--dest-compress-format', 'zstd'],
        floor: {
          label: 'floor: `pigz -dc | zstd -T2 -3` per layer',
          script: gzLayerFiles.map((f) => `pigz -dc '${f}' | zstd -T2 -3 -q -c > /dev/null`).join(' && '),
        },
      },
      {
        id: 'to-gzip', issue: 'recompression', label: 'zstd → gzip, realistic image', from: 'realistic-zstd:1', to: (t, i) => `gzip-${t}-${i}:1`,
        ferryArgs: ['--dest-compress-format', 'gzip'], skopeoArgs: ['--dest-compress-format', 'gzip'],
        floor: {
          label: 'floor: `zstd -dc | pigz -p 2 -6` per layer',
          script: zLayerFiles.map((f) => `zstd -dc -q '${f}' | pigz -p 2 -6 -c > /dev/null`).join(' && '),
        },
      },
      // `slow`: both registries through the delay proxies. `promote`: per iteration, the
      // image into three new repositories of the destination (…-a, -b, -c); -b and -c are
      // measured. warm: each tool keeps one blob cache over the three copies (its own
      // first copy fills it); cold: every measured copy starts from an empty cache.
      { id: 'fresh-25ms', issue: 'blob cache', label: `fresh copy, realistic image, ${LINK_DELAY_MS} ms link`, from: 'realistic:1', to: (t, i) => `slowfresh-${t}-${i}:1`, slow: true },
      { id: 'promote-warm', issue: 'blob cache', label: `2nd and 3rd copy into new repositories of one registry, ${LINK_DELAY_MS} ms link, caches warm`, from: 'realistic:1', promote: 'warm', slow: true },
      { id: 'promote-cold', issue: 'blob cache', label: `2nd and 3rd copy into new repositories of one registry, ${LINK_DELAY_MS} ms link, caches cold`, from: 'realistic:1', promote: 'cold', slow: true },
    ].filter((c) => !opts.cases || opts.cases.includes(c.id));
    const link = (c) => (c.slow ? slow : { src, dst });
    const target = (c, tool, i) => (c.oci ? `oci:${c.oci(tool, i)}:1` : `docker://${link(c).dst.ref(c.to(tool, i))}`);
    const argv = (c, tool, i, extra = []) =>
      tool === 'ferry'
        ? ['copy', '-q', ...extra, ...(c.ferryArgs ?? []), ...opts.ferryArgs, `docker://${link(c).src.ref(c.from)}`, target(c, tool, i)]
        : ['copy', '--quiet', ...tls, ...(c.skopeoArgs ?? []), `docker://${link(c).src.ref(c.from)}`, target(c, tool, i)];

    /** What landed at the destination: root digest and the total size of the layers (not counted as requests). */
    const inspectResult = async (c, tool, i) => {
      const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json';
      let bytes;
      if (c.oci) {
        const dir = c.oci(tool, i);
        const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
        const root = index.manifests[0];
        return { digest: root.digest, layerBytes: await layerBytesOf(root.digest, async (d) => readFile(join(dir, 'blobs', 'sha256', d.slice(7)), 'utf8')) };
      }
      const [repo, tag] = c.to(tool, i).split(':');
      const get = async (ref) => {
        const res = await fetch(`${dst.url}/v2/${repo}/manifests/${ref}`, { headers: { accept } });
        if (!res.ok) throw new Error(`destination ${repo}:${ref}: ${res.status}`);
        bytes = await res.text();
        return bytes;
      };
      const res = await fetch(`${dst.url}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept } });
      if (!res.ok) throw new Error(`destination ${repo}:${tag} is missing after the copy (${res.status})`);
      const digest = res.headers.get('docker-content-digest');
      return { digest, layerBytes: await layerBytesOf(digest, get) };
    };

    const results = {};
    const regCpu = () => registries.map((r) => processCpuSeconds(r.pid)).reduce((a, b) => a + b, 0);
    const measureWithLogs = async (fn) => {
      const s = await src.mark();
      const d = await dst.mark();
      const load = loadavg()[0];
      const cpu0 = regCpu();
      const r = await fn();
      r.registryCpu = regCpu() - cpu0;
      r.src = countByMethod(await src.since(s));
      r.dst = countByMethod(await dst.since(d));
      r.load = load;
      return r;
    };
    /** One iteration of a promotion case for one tool: the measured 2nd and 3rd copies. */
    const promotion = async (c, who, i) => {
      const step = (k) => ({ ...c, to: () => `promo-${c.promote}-${who}-${i}-${k}:1` });
      const warm = c.promote === 'warm' ? await tools.cacheDir(who) : undefined;
      const copyWith = (s, measured) => (who === 'ferry' ? tools.ferry(argv(s, who, i), { cacheDir: warm, measured }) : tools.skopeo(argv(s, who, i), { cacheDir: warm, measured }));
      try {
        if (warm) await copyWith(step('a'), false);
        const out = [];
        for (const k of ['b', 'c']) {
          const r = await measureWithLogs(() => copyWith(step(k), true));
          if (r.ok) Object.assign(r, await inspectResult(step(k), who, i));
          out.push(r);
        }
        return out;
      } finally {
        if (warm) await rm(warm, { recursive: true, force: true });
      }
    };
    for (const c of cases) {
      const rec = (results[c.id] = { ferry: [], skopeo: [], floor: [] });
      for (let i = 0; i < opts.runs; i++) {
        // alternate who goes first so neither always gets the warmer cache or the quieter moment
        const order = i % 2 === 0 ? ['ferry', 'skopeo'] : ['skopeo', 'ferry'];
        if (c.floor) order.push('floor');
        for (const who of order) {
          if (c.promote && who !== 'floor') {
            for (const r of await promotion(c, who, i)) {
              rec[who].push(r);
              log(`${c.id} #${i + 1} ${who}: ${r.ok ? `${sec(r.wall)}, cpu ${sec(r.cpu)}, dst ${formatCounts(r.dst)}, src ${formatCounts(r.src)}` : `FAILED (${r.code}): ${r.stderr}`}`);
            }
            continue;
          }
          let r;
          if (who === 'ferry') r = await measureWithLogs(() => tools.ferry(argv(c, 'ferry', i)));
          else if (who === 'skopeo') r = await measureWithLogs(() => tools.skopeo(argv(c, 'skopeo', i)));
          else r = await tools.shell(c.floor.script);
          if (r.ok && who !== 'floor') {
            try {
              Object.assign(r, await inspectResult(c, who, i));
            } catch (e) {
              r.ok = false;
              r.stderr = `copy reported success but: ${e.message}`;
            }
          }
          rec[who].push(r);
          log(`${c.id} #${i + 1} ${who}: ${r.ok ? `${sec(r.wall)}, cpu ${sec(r.cpu)}, rss ${mb(r.rssMB)}${r.dst ? `, registries cpu ${sec(r.registryCpu)}, dst ${formatCounts(r.dst)}, src ${formatCounts(r.src)}` : ''}${r.layerBytes ? `, layers ${(r.layerBytes / 1e6).toFixed(1)} MB` : ''}` : `FAILED (${r.code}): ${r.stderr}`}`);
        }
        await c.after?.();
      }
    }

    // ---- --jobs sweep on the fresh copy
    const jobs = {};
    if (opts.jobsList.length && (!opts.cases || opts.cases.includes('jobs'))) {
      for (const j of opts.jobsList) jobs[j] = [];
      for (let i = 0; i < opts.runs; i++) {
        const order = [...opts.jobsList];
        for (let k = 0; k < i % order.length; k++) order.push(order.shift());
        for (const j of order) {
          const c = { from: 'realistic:1', to: () => `jobs${j}-ferry-${i}:1` };
          const r = await measureWithLogs(() => tools.ferry(argv(c, 'ferry', i, ferryJobs(j))));
          jobs[j].push(r);
          log(`jobs ${j} #${i + 1}: ${r.ok ? `${sec(r.wall)}, cpu ${sec(r.cpu)}, rss ${mb(r.rssMB)}` : `FAILED (${r.code}): ${r.stderr}`}`);
        }
      }
    }
    machine.loadEnd = loadavg()[0];
    machine.distEnd = distFingerprint();
    if (machine.distEnd !== machine.dist) log('warning: dist/ changed during the run (someone rebuilt ferry); the ferry figures mix two builds');

    // ---- report
    const md = report({ opts, machine, fx, cases, results, jobs, zBytes, cacheChecked: tools.cacheChecked });
    console.log(md);
    await writeFile(join(WORK, 'last-results.md'), md);
    await writeFile(join(WORK, 'last-results.json'), JSON.stringify({ machine, opts, fixtures: fx.summary, zstdBytes: zBytes, results, jobs }, null, 2));
    log(`written ${join(WORK, 'last-results.md')} and last-results.json`);
  } finally {
    await stopAll();
  }
}

function report({ opts, machine, fx, cases, results, jobs, zBytes, cacheChecked }) {
  const out = [];
  const s = fx.summary;
  out.push(`# ferry vs skopeo — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  out.push('');
  out.push(`${opts.runs} runs per tool and case, interleaved; medians. ${machine.cores} × ${machine.cpu}, ${machine.memGiB} GiB, Linux ${machine.kernel}, ferry on Node ${machine.ferryNode}, ${machine.skopeo}, ${machine.registry}; ferry ${machine.ferry}. Load average (1 min) ${machine.loadStart.toFixed(1)} at start, ${machine.loadEnd.toFixed(1)} at end.${machine.extraCaCerts ? ` NODE_EXTRA_CA_CERTS is set (${machine.extraCaCerts}): Node 20 loads it at every start.` : ''}${machine.distEnd !== machine.dist ? ' **dist/ was rebuilt during the run.**' : ''}`);
  out.push('');
  out.push(`Fixtures: realistic image ${s.realistic.layers} gzip layers, ${(s.realistic.gzipBytes / 1e6).toFixed(0)} MB (${(s.realistic.tarBytes / 1e6).toFixed(0)} MB of tar); zstd variant ${(zBytes / 1e6).toFixed(0)} MB; index of ${s.multi.platforms} platforms, ${s.multi.distinctLayers} distinct layers, ${(s.multi.gzipBytes / 1e6).toFixed(0)} MB; big layer ${(s.big.gzipBytes / 1e6).toFixed(0)} MB (${(s.big.tarBytes / 1e6).toFixed(0)} MB of tar).`);
  out.push('');
  out.push('Wall: spawn to exit. RSS: peak resident set (GNU time %M), median over runs. CPU: user+sys seconds. Requests: to the destination registry, median count (typical breakdown by method in the second table).');
  out.push('');
  out.push('| case | ferry median | skopeo median | ratio | ferry RSS | skopeo RSS | ferry CPU | skopeo CPU | ferry requests | skopeo requests |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const sums = {};
  for (const c of cases) {
    const f = summarize(results[c.id].ferry);
    const k = summarize(results[c.id].skopeo);
    sums[c.id] = { f, k };
    const fails = (x) => (x.failed ? ` (${x.failed} failed)` : '');
    const req = (x) => (c.id === 'oci' ? `dst — / src ${x.srcRequests}` : String(x.dstRequests));
    out.push(`| ${c.label} | ${sec(f.wall)}${fails(f)} | ${sec(k.wall)}${fails(k)} | ${ratio(f.wall, k.wall)} | ${mb(f.rss)} | ${mb(k.rss)} | ${sec(f.cpu)} | ${sec(k.cpu)} | ${req(f)} | ${req(k)} |`);
    if (c.floor) {
      const fl = summarize(results[c.id].floor);
      sums[c.id].floor = fl;
      out.push(`| ${c.floor.label} | ${sec(fl.wall)} | | ferry ${ratio(f.wall, fl.wall)}, skopeo ${ratio(k.wall, fl.wall)} of floor | | | ${sec(fl.cpu)} | | | |`);
    }
  }
  out.push('');
  out.push('CPU budget and what was written (medians): the registries\' CPU is both registry processes during the run; busy = (tool + registries CPU) / (wall × cores); load = 1-minute load average when the runs started (other work on the machine).');
  out.push('');
  out.push('| case | tool | wall | tool CPU | registries CPU | busy | load | layers written | root digest |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const c of cases) {
    const { f, k } = sums[c.id];
    const same = f.digests.length === 1 && k.digests.length === 1 && f.digests[0] === k.digests[0];
    for (const [tool, x] of [['ferry', f], ['skopeo', k]]) {
      const busy = (x.cpu + (Number.isFinite(x.registryCpu) ? x.registryCpu : 0)) / (x.wall * machine.cores);
      const dig = x.digests.length === 0 ? '—' : x.digests.length > 1 ? `${x.digests.length} different` : same ? 'same for both tools' : x.digests[0].slice(7, 19);
      out.push(`| ${c.id} | ${tool} | ${sec(x.wall)} | ${sec(x.cpu)} | ${sec(x.registryCpu)} | ${Number.isFinite(busy) ? `${Math.round(busy * 100)}%` : '—'} | ${x.load.toFixed(1)} | ${Number.isFinite(x.layerBytes) ? `${(x.layerBytes / 1e6).toFixed(1)} MB` : '—'} | ${dig} |`);
    }
  }
  out.push('');
  out.push('Requests by method (typical run; "varied" lists other totals seen):');
  out.push('');
  out.push('| case | tool | destination | source |');
  out.push('| --- | --- | --- | --- |');
  for (const c of cases) {
    for (const tool of ['ferry', 'skopeo']) {
      const x = sums[c.id][tool === 'ferry' ? 'f' : 'k'];
      out.push(`| ${c.id} | ${tool} | ${x.dstBreakdown} | ${x.srcBreakdown} |`);
    }
  }
  out.push('');
  out.push('Spread (min–max wall over runs):');
  out.push('');
  for (const c of cases) {
    const { f, k, floor } = sums[c.id];
    out.push(`- ${c.id}: ferry ${sec(f.wallMin)}–${sec(f.wallMax)}, skopeo ${sec(k.wallMin)}–${sec(k.wallMax)}${floor ? `, floor ${sec(floor.wallMin)}–${sec(floor.wallMax)}` : ''}; peak RSS max ferry ${mb(f.rssMax)}, skopeo ${mb(k.rssMax)}`);
  }
  const jobKeys = Object.keys(jobs);
  if (jobKeys.length) {
    out.push('');
    out.push('ferry `--jobs` on the fresh copy (interleaved among themselves; skopeo column from the table above):');
    out.push('');
    out.push('| --jobs | wall median | min–max | vs skopeo | CPU | RSS |');
    out.push('| ---: | ---: | ---: | ---: | ---: | ---: |');
    const kWall = sums.fresh?.k.wall;
    let best;
    for (const j of jobKeys) {
      const x = summarize(jobs[j]);
      if (!best || x.wall < best.wall) best = { j, wall: x.wall };
      out.push(`| ${j} | ${sec(x.wall)} | ${sec(x.wallMin)}–${sec(x.wallMax)} | ${ratio(x.wall, kWall)} | ${sec(x.cpu)} | ${mb(x.rss)} |`);
    }
    out.push('');
    out.push(`Fastest: --jobs ${best.j} (${sec(best.wall)}).`);
  }
  out.push('');
  out.push('Targets:');
  out.push('');
  const verdict = (ok) => (ok ? '**met**' : '**missed**');
  if (sums.fresh) out.push(`- fresh copy ≤ 0.9× skopeo: ${ratio(sums.fresh.f.wall, sums.fresh.k.wall)} → ${verdict(sums.fresh.f.wall <= 0.9 * sums.fresh.k.wall)}`);
  if (sums.noop) out.push(`- no-op copy ≤ half of skopeo's requests: ${sums.noop.f.dstRequests} vs ${sums.noop.k.dstRequests} to the destination (${sums.noop.f.dstRequests + sums.noop.f.srcRequests} vs ${sums.noop.k.dstRequests + sums.noop.k.srcRequests} to both) → ${verdict(sums.noop.f.dstRequests <= sums.noop.k.dstRequests / 2)}`);
  const copyIds = ['fresh', 'noop', 'index', 'oci', 'big'].filter((id) => sums[id]);
  if (copyIds.length) {
    const worst = Math.max(...copyIds.map((id) => sums[id].f.rssMax));
    out.push(`- peak RSS ≤ 120 MB whatever the layer size (max over all runs of the copy cases): ${copyIds.map((id) => `${id} ${mb(sums[id].f.rssMax)}`).join(', ')} → ${verdict(worst <= 120)}`);
  }
  if (sums['fresh-25ms']) out.push(`- fresh copy, ${LINK_DELAY_MS} ms link, ≤ 0.8× skopeo: ${ratio(sums['fresh-25ms'].f.wall, sums['fresh-25ms'].k.wall)} → ${verdict(sums['fresh-25ms'].f.wall <= 0.8 * sums['fresh-25ms'].k.wall)}`);
  if (sums['promote-warm']) out.push(`- 2nd/3rd copy into new repositories, ${LINK_DELAY_MS} ms link, warm caches, ≤ 1.0× skopeo: ${ratio(sums['promote-warm'].f.wall, sums['promote-warm'].k.wall)} → ${verdict(sums['promote-warm'].f.wall <= sums['promote-warm'].k.wall)}`);
  for (const id of ['to-zstd', 'to-gzip'].filter((x) => sums[x])) {
    const { f, k } = sums[id];
    out.push(`- ${id}: ≤ 0.8× skopeo: ${ratio(f.wall, k.wall)} → ${verdict(f.wall <= 0.8 * k.wall)}; peak RSS ≤ 200 MB: ${mb(f.rssMax)} → ${verdict(f.rssMax <= 200)}`);
  }
  out.push('');
  out.push(`skopeo's blob-info cache: a fresh empty directory bind-mounted over ${SKOPEO_CACHE} per run (private mount namespace); ${cacheChecked ? 'checked: skopeo wrote its boltdb there' : 'not checked'}. ferry's blob-location cache: a fresh empty FERRY_CACHE_DIR per run. Warm promotion runs: each tool keeps one such directory across the three copies of an iteration (its own unmeasured first copy fills it); the ${LINK_DELAY_MS} ms cases go through a proxy in front of each registry that holds every response ${LINK_DELAY_MS} ms (bench/delay-proxy.mjs).`);
  out.push('');
  return out.join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
