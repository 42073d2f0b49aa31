// Builds the benchmark's fixture images once, from real files on this machine, as an
// OCI image layout under bench/.work/ (gitignored), and reuses them on later runs.
//
// Every layer is `tar` of real directories (deterministic: sorted names, mtime 0,
// uid/gid 0, GNU format) compressed with `pigz -6 -n` (both cores, no name or time
// in the header). Its diff_id (sha256 of the tar) and digest are computed while it
// streams, so the config's rootfs.diff_ids are right. Nothing here uses ferry.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * Layer recipes: directories (relative to /) that go into one tar, in this order.
 * Sizes below are what this machine gave (pigz -6); they vary a little elsewhere.
 */
export const LAYERS = {
  // the realistic image, base first (~178 MB compressed, ~590 MB of tar)
  gcc: ['usr/lib/gcc'], //                     ~45 MB
  locale: ['usr/share/locale'], //             ~52 MB
  include: ['usr/include'], //                 ~21 MB
  libexec: ['usr/libexec'], //                 ~20 MB
  python311: ['usr/lib/python3.11'], //        ~15 MB
  app: ['work/main/node_modules'], //          ~24 MB, an application's dependencies
  distpackages: ['usr/lib/python3'], //        ~13 MB
  // platform-specific layers of the multi-platform index
  'arch-amd64': ['usr/share/perl', 'usr/share/perl5', 'usr/share/i18n'],
  'arch-arm64': ['usr/sbin', 'usr/lib/node_modules'],
  'arch-s390x': ['usr/share/zoneinfo', 'usr/share/vim'],
  // one big layer: ~1.09 GB compressed from ~2.9 GB of real files
  big: [
    'usr/lib/x86_64-linux-gnu', 'usr/share', 'usr/bin', 'usr/lib/jvm', 'usr/local/cuda-13.0',
    'usr/lib/gcc', 'usr/include', 'usr/libexec', 'usr/lib/python3.11',
  ],
  // --quick: a smaller "big" layer (~230 MB compressed)
  'big-quick': ['usr/lib/x86_64-linux-gnu'],
};

export const REALISTIC = ['gcc', 'locale', 'include', 'libexec', 'python311', 'app', 'distpackages'];
export const SHARED_BY_PLATFORMS = ['include', 'python311', 'app'];
export const PLATFORMS = [
  { os: 'linux', architecture: 'amd64', layer: 'arch-amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8', layer: 'arch-arm64' },
  { os: 'linux', architecture: 's390x', layer: 'arch-s390x' },
];

function sha256(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

class Hasher {
  constructor() {
    this.hash = createHash('sha256');
    this.size = 0;
  }
  update(chunk) {
    this.hash.update(chunk);
    this.size += chunk.length;
  }
  digest() {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

function exited(child, name) {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, name }));
  });
}

/** tar | pigz into blobs/, hashing the tar (diff_id) and the gzip (digest) on the way. */
async function buildLayer(layout, name, dirs, log) {
  const present = dirs.filter((d) => existsSync(join('/', d)));
  if (present.length === 0) throw new Error(`layer ${name}: none of ${dirs.join(', ')} exists on this machine`);
  if (present.length < dirs.length) log(`  layer ${name}: skipping missing ${dirs.filter((d) => !present.includes(d)).join(', ')}`);
  const tmp = join(layout, 'blobs', `.tmp-${name}-${process.pid}`);
  const tarArgs = [
    '-C', '/', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu',
    '--warning=no-file-ignored', '--warning=no-file-changed', '-cf', '-', ...present,
  ];
  const tar = spawn('tar', tarArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pigz = spawn('pigz', ['-p', '2', '-6', '-n', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let tarErr = '';
  tar.stderr.on('data', (d) => (tarErr += d));
  pigz.stderr.on('data', (d) => log(`  pigz: ${d}`));
  const diff = new Hasher();
  const blob = new Hasher();
  tar.stdout.on('data', (chunk) => diff.update(chunk));
  pigz.stdout.on('data', (chunk) => blob.update(chunk));
  const feeding = pipeline(tar.stdout, pigz.stdin);
  const writing = pipeline(pigz.stdout, createWriteStream(tmp));
  const [t, p] = await Promise.all([exited(tar, 'tar'), exited(pigz, 'pigz'), feeding, writing]);
  // tar exits 1 when a file changed while read; the bytes are still a valid tar
  if (t.code !== 0 && t.code !== 1) throw new Error(`tar for layer ${name} failed (${t.code ?? t.signal}): ${tarErr.slice(0, 2000)}`);
  if (p.code !== 0) throw new Error(`pigz for layer ${name} failed (${p.code ?? p.signal})`);
  const digest = blob.digest();
  await rename(tmp, join(layout, 'blobs', 'sha256', digest.slice(7)));
  return { name, dirs: present, digest, size: blob.size, diffId: diff.digest(), tarSize: diff.size };
}

async function writeJsonBlob(layout, document, mediaType) {
  const bytes = Buffer.from(JSON.stringify(document));
  const digest = sha256(bytes);
  await writeFile(join(layout, 'blobs', 'sha256', digest.slice(7)), bytes);
  return { mediaType, digest, size: bytes.length };
}

async function writeImage(layout, layers, platform, title) {
  const config = {
    created: '1970-01-01T00:00:00Z',
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/bin/sh'],
      Labels: { 'org.opencontainers.image.title': title },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created: '1970-01-01T00:00:00Z', created_by: `ferry bench: tar of /${l.dirs.join(' /')}` })),
  };
  const configDesc = await writeJsonBlob(layout, config, OCI_CONFIG);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: configDesc,
    layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size })),
  };
  return writeJsonBlob(layout, manifest, OCI_MANIFEST);
}

/**
 * Builds (or reuses) the layout. Returns the refs in it with their digests and
 * the layer facts. `quick` builds the smaller big layer instead of the 1 GB one.
 */
export async function buildFixtures({ workDir, quick, log }) {
  const layout = join(workDir, 'oci');
  const metaFile = join(workDir, 'layers.json');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  // temp files of an interrupted build
  for (const f of await readdir(join(layout, 'blobs'))) if (f.startsWith('.tmp-')) await rm(join(layout, 'blobs', f), { force: true });
  let meta = {};
  try {
    meta = JSON.parse(await readFile(metaFile, 'utf8'));
  } catch {
    meta = {};
  }
  const bigName = quick ? 'big-quick' : 'big';
  const wanted = [...REALISTIC, ...PLATFORMS.map((p) => p.layer), bigName];
  const layers = {};
  for (const name of wanted) {
    const known = meta[name];
    const ok = known && JSON.stringify(known.recipe) === JSON.stringify(LAYERS[name]) &&
      (await stat(join(layout, 'blobs', 'sha256', known.digest.slice(7))).then((s) => s.size === known.size, () => false));
    if (ok) {
      layers[name] = known;
      continue;
    }
    log(`building layer ${name} from /${LAYERS[name].join(' /')} …`);
    const started = Date.now();
    const built = await buildLayer(layout, name, LAYERS[name], log);
    layers[name] = { ...built, recipe: LAYERS[name] };
    meta[name] = layers[name];
    await writeFile(metaFile, JSON.stringify(meta, null, 2));
    log(`  ${name}: ${(built.size / 1e6).toFixed(1)} MB gzip, ${(built.tarSize / 1e6).toFixed(1)} MB tar, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  const amd64 = { os: 'linux', architecture: 'amd64' };
  const realistic = await writeImage(layout, REALISTIC.map((n) => layers[n]), amd64, 'ferry bench realistic');
  const children = [];
  for (const p of PLATFORMS) {
    const { layer, ...platform } = p;
    const desc = await writeImage(layout, [...SHARED_BY_PLATFORMS.map((n) => layers[n]), layers[layer]], platform, `ferry bench multi ${p.architecture}`);
    children.push({ ...desc, platform });
  }
  const index = await writeJsonBlob(layout, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: children }, OCI_INDEX);
  const big = await writeImage(layout, [layers[bigName]], amd64, 'ferry bench big layer');
  const refs = { realistic, multi: index, big };
  const indexJson = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: Object.entries(refs).map(([ref, d]) => ({ ...d, annotations: { [REF_NAME]: ref } })),
  };
  await writeFile(join(layout, 'index.json'), JSON.stringify(indexJson, null, 2));

  const sum = (names) => names.reduce((a, n) => a + layers[n].size, 0);
  const sumTar = (names) => names.reduce((a, n) => a + layers[n].tarSize, 0);
  const multiNames = [...SHARED_BY_PLATFORMS, ...PLATFORMS.map((p) => p.layer)];
  return {
    layout,
    refs,
    layers,
    summary: {
      realistic: { layers: REALISTIC.length, gzipBytes: sum(REALISTIC), tarBytes: sumTar(REALISTIC) },
      multi: { platforms: PLATFORMS.length, distinctLayers: multiNames.length, gzipBytes: sum(multiNames), tarBytes: sumTar(multiNames) },
      big: { layers: 1, gzipBytes: layers[bigName].size, tarBytes: layers[bigName].tarSize, name: bigName },
    },
  };
}
