// The sync benchmark's source: a repository of small images that share a base layer
// (one app layer and one config each) and a repository of Helm chart versions, pushed
// straight to the registry over HTTP (monolithic uploads), without either tool.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

const OCI = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};
const HELM = {
  config: 'application/vnd.cncf.helm.config.v1+json',
  chart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
};

const digestOf = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const mtime = new Date('2024-01-01T00:00:00Z');

async function tarGz(files) {
  const p = pack();
  const chunks = [];
  p.on('data', (c) => chunks.push(c));
  const done = new Promise((r) => p.on('end', r));
  for (const [name, content] of Object.entries(files)) p.entry({ name, mtime }, content);
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks), { level: 6 });
}

async function pushBlob(url, repo, bytes, have) {
  const digest = digestOf(bytes);
  if (have.has(`${repo}@${digest}`)) return { digest, size: bytes.length };
  const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  const loc = new URL(start.headers.get('location'), url);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload to ${repo}: HTTP ${put.status} ${await put.text()}`);
  have.add(`${repo}@${digest}`);
  return { digest, size: bytes.length };
}

async function pushManifest(url, repo, tag, doc) {
  const body = Buffer.from(JSON.stringify(doc));
  const res = await fetch(`${url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body, headers: { 'content-type': doc.mediaType } });
  if (res.status !== 201) throw new Error(`manifest ${repo}:${tag}: HTTP ${res.status} ${await res.text()}`);
}

/** `images` small images in `${prefix}/apps` and `charts` chart versions in `${prefix}/charts`. */
export async function pushSyncFixtures(url, { images = 40, charts = 30, prefix = 'bench' } = {}) {
  const have = new Set();
  const apps = `${prefix}/apps`;
  const base = await pushBlob(url, apps, await tarGz({ 'etc/os-release': 'ID=bench\n', 'bin/sh': Buffer.alloc(64 * 1024, 7) }), have);
  for (let i = 1; i <= images; i++) {
    const app = await pushBlob(url, apps, await tarGz({ 'app/version': `v${i}\n`, 'app/data': Buffer.from(createHash('sha512').update(`app ${i}`).digest('hex').repeat(64)) }), have);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: new Date(Date.UTC(2024, 0, i)).toISOString(), config: { Labels: { version: `v${i}` } }, rootfs: { type: 'layers', diff_ids: [base.digest, app.digest] } }));
    const cfg = await pushBlob(url, apps, config, have);
    await pushManifest(url, apps, `v${i}`, {
      schemaVersion: 2, mediaType: OCI.manifest,
      config: { mediaType: OCI.config, ...cfg },
      layers: [{ mediaType: OCI.layer, ...base }, { mediaType: OCI.layer, ...app }],
    });
  }
  const chartsRepo = `${prefix}/charts`;
  for (let i = 0; i < charts; i++) {
    const version = `1.0.${i}`;
    const cfg = await pushBlob(url, chartsRepo, Buffer.from(JSON.stringify({ name: 'demo', version, apiVersion: 'v2', type: 'application' })), have);
    const tgz = await pushBlob(url, chartsRepo, await tarGz({ 'demo/Chart.yaml': `apiVersion: v2\nname: demo\nversion: ${version}\n`, 'demo/values.yaml': `replicas: ${i}\n` }), have);
    await pushManifest(url, chartsRepo, version, {
      schemaVersion: 2, mediaType: OCI.manifest,
      config: { mediaType: HELM.config, ...cfg },
      layers: [{ mediaType: HELM.chart, ...tgz }],
      annotations: { 'org.opencontainers.image.title': 'demo', 'org.opencontainers.image.version': version },
    });
  }
  return { apps, charts: chartsRepo, images, chartVersions: charts };
}
