// Running ferry and skopeo for the benchmarks: a command to completion, one measured
// command (wall time around the process, CPU and peak RSS from GNU time), and both tools
// with hermetic homes, skopeo with a private, empty blob-info cache per run.
// Shared by copy-bench.mjs and sync-bench.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(BENCH_DIR, '..');
export const FERRY_BIN = join(REPO, 'bin', 'ferry');

/**
 * The Node that runs ferry: FERRY_BENCH_NODE, a binary or a major version (22, 24: taken
 * from the npm registry by scripts/node-from-npm.sh, as the tests do), else bin/ferry's
 * `node` on PATH. Users run 22 and 24; this machine's node is 20.
 */
export const FERRY_NODE = ferryNode(process.env.FERRY_BENCH_NODE);

function ferryNode(want) {
  if (!want) return undefined;
  if (!/^\d+$/.test(want)) return resolve(want);
  const r = spawnSync('bash', [join(REPO, 'scripts', 'node-from-npm.sh'), want], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`FERRY_BENCH_NODE=${want}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** [command, args] that run ferry with `args` on FERRY_NODE. */
export function ferryCommand(args) {
  return FERRY_NODE ? [FERRY_NODE, [FERRY_BIN, ...args]] : [FERRY_BIN, args];
}
export const TIME = '/usr/bin/time';
export const SKOPEO_CACHE = '/var/lib/containers/cache';

export const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

export function need(tool, hint) {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`]);
  if (r.status !== 0) throw new Error(`${tool} is missing${hint ? `: ${hint}` : ''}`);
}

export function version(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').trim().split('\n')[0];
}

/** Runs a command to completion (not measured); throws with its stderr on failure. */
export function run(cmd, args, { env, timeoutMs = 3_600_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out = (out + d).slice(-100_000)));
    child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal}):\n${err.slice(-4000)}`));
    });
  });
}

/**
 * One measured command: wall time around the process, CPU and peak RSS from GNU time.
 */
export function measure(cmd, args, { env, timeFile, timeoutMs = 3_600_000 }) {
  return new Promise((resolvePromise) => {
    const started = process.hrtime.bigint();
    const child = spawn(TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.on('data', () => undefined);
    child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      let user = NaN;
      let sys = NaN;
      let rssKB = NaN;
      try {
        const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop();
        [, user, sys, rssKB] = line.split(' ').map(Number);
      } catch {
        // no time file: the command did not run
      }
      resolvePromise({ ok: code === 0, code: code ?? signal, wall, user, sys, cpu: user + sys, rssMB: rssKB / 1024, stderr: code === 0 ? undefined : err.slice(-3000) });
    });
  });
}


export class Tools {
  constructor(home) {
    this.home = home;
    this.n = 0;
    this.cacheChecked = undefined;
    this.policyArgs = ['--insecure-policy', '--registries.d', join(home, 'registries.d')];
    const base = { ...process.env };
    for (const k of ['REGISTRY_AUTH_FILE', 'DOCKER_CONFIG', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'FERRY_ZSTD_BACKEND', 'FERRY_GZIP_BACKEND']) delete base[k];
    this.ferryEnv = { ...base, HOME: join(home, 'ferry-home'), DOCKER_CONFIG: join(home, 'ferry-home', '.docker') };
    this.skopeoEnv = {
      ...base,
      HOME: join(home, 'skopeo-home'),
      REGISTRY_AUTH_FILE: join(home, 'skopeo-home', 'auth.json'),
      CONTAINERS_REGISTRIES_CONF: join(home, 'registries.conf'),
      DOCKER_CONFIG: join(home, 'skopeo-home', '.docker'),
    };
  }

  async init() {
    await mkdir(join(this.home, 'registries.d'), { recursive: true });
    await mkdir(join(this.home, 'ferry-home', '.docker'), { recursive: true });
    await mkdir(join(this.home, 'skopeo-home', '.docker'), { recursive: true });
    await writeFile(join(this.home, 'registries.conf'), '');
    // the mount point must exist on the host; creating an empty directory changes nothing
    await mkdir(SKOPEO_CACHE, { recursive: true });
    // check that a private mount namespace works (root, CAP_SYS_ADMIN)
    const probe = await mkdtemp(join(this.home, 'bic-'));
    await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount --bind "$0" ${SKOPEO_CACHE} && touch ${SKOPEO_CACHE}/probe`, probe]);
    if (!existsSync(join(probe, 'probe'))) throw new Error('unshare + bind mount did not redirect skopeo\'s blob-info cache');
    await rm(probe, { recursive: true, force: true });
  }

  /**
   * skopeo with an empty blob-info cache of its own for this one run: as root, skopeo
   * ignores HOME/XDG_* and always uses /var/lib/containers/cache/blob-info-cache-v1.boltdb
   * (shared with everything else on the machine), so the run gets a private mount
   * namespace where a fresh empty directory is bind-mounted over that path.
   */
  async skopeo(args, { measured = true, cacheDir } = {}) {
    // `cacheDir`: a blob-info cache kept across calls on purpose (warm runs); else a fresh one
    const bic = cacheDir ?? (await mkdtemp(join(this.home, 'bic-')));
    const script = `mount --bind "$0" ${SKOPEO_CACHE} && exec skopeo "$@"`;
    const full = ['-m', '--propagation', 'private', 'sh', '-c', script, bic, ...this.policyArgs, ...args];
    try {
      if (!measured) return await run('unshare', full, { env: this.skopeoEnv });
      const r = await measure('unshare', full, { env: this.skopeoEnv, timeFile: join(this.home, `time-${++this.n}`) });
      if (r.ok && this.cacheChecked === undefined) {
        this.cacheChecked = (await readdir(bic)).includes('blob-info-cache-v1.boltdb');
        if (!this.cacheChecked) log('warning: skopeo did not write its blob-info cache into the private directory');
      }
      return r;
    } finally {
      if (!cacheDir) await rm(bic, { recursive: true, force: true });
    }
  }

  /**
   * ferry with its blob-location cache in `cacheDir` (kept, for warm runs), else in a
   * fresh empty directory for this one run, as skopeo gets: a cache shared by every run
   * would turn the "fresh" copies into mounts from the previous iteration's repository.
   */
  async ferry(args, { cacheDir, measured = true } = {}) {
    const dir = cacheDir ?? (await mkdtemp(join(this.home, 'ferry-cache-')));
    const env = { ...this.ferryEnv, FERRY_CACHE_DIR: dir };
    try {
      const [cmd, argv] = ferryCommand(args);
      if (!measured) return await run(cmd, argv, { env });
      return await measure(cmd, argv, { env, timeFile: join(this.home, `time-${++this.n}`) });
    } finally {
      if (!cacheDir) await rm(dir, { recursive: true, force: true });
    }
  }

  /** A cache directory for one tool that outlives single runs (warm cases); the caller removes it. */
  cacheDir(tool) {
    return mkdtemp(join(this.home, `${tool}-warm-`));
  }

  shell(script) {
    return measure('sh', ['-c', script], { env: process.env, timeFile: join(this.home, `time-${++this.n}`) });
  }
}

