// A Helm chart stored the way `helm push` (Helm 3.8+, oras-go) stores it: the
// Chart.yaml fields as a JSON config blob, the packaged .tgz as the only
// content layer, an optional provenance layer, and helm's manifest annotations.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { createLayout, tagInLayout, writeBlob, writeJsonBlob, type Descriptor } from './oci-layout-writer.js';

export const HELM_MEDIA_TYPES = {
  config: 'application/vnd.cncf.helm.config.v1+json',
  chart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  provenance: 'application/vnd.cncf.helm.chart.provenance.v1.prov',
} as const;

export interface HelmChartSpec {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  provenance?: boolean;
  layoutPath?: string;
  /** Default: the version with `+` made `_`, as helm tags it. */
  tag?: string;
  created?: string;
}

export interface BuiltHelmChart {
  layoutPath: string;
  tag: string;
  ociRef: string;
  mediaType: string;
  digest: string;
  size: number;
  descriptor: Descriptor;
  manifest: { schemaVersion: number; mediaType: string; config: Descriptor; layers: Descriptor[]; annotations: Record<string, string> };
  manifestBytes: Buffer;
  config: Descriptor;
  configJson: Record<string, unknown>;
  chart: Descriptor;
  chartTgz: Buffer;
  provenance?: Descriptor;
}

export async function buildHelmChart(spec: HelmChartSpec): Promise<BuiltHelmChart> {
  const layoutPath = await createLayout(spec.layoutPath);
  const created = spec.created ?? '2024-01-01T00:00:00Z';
  const description = spec.description ?? `A Helm chart for ${spec.name}`;
  // Field order of helm's chart.Metadata struct, which is how helm serialises the config.
  const configJson: Record<string, unknown> = {
    name: spec.name,
    version: spec.version,
    description,
    apiVersion: 'v2',
    ...(spec.appVersion ? { appVersion: spec.appVersion } : {}),
    type: 'application',
  };
  const chartTgz = await packageChart(spec, description, new Date(created));
  const config = await writeJsonBlob(layoutPath, configJson, HELM_MEDIA_TYPES.config);
  const chart = await writeBlob(layoutPath, chartTgz, HELM_MEDIA_TYPES.chart);
  const layers = [chart];
  let provenance: Descriptor | undefined;
  if (spec.provenance) {
    provenance = await writeBlob(layoutPath, Buffer.from(provenanceFile(spec, chartTgz)), HELM_MEDIA_TYPES.provenance);
    layers.push(provenance);
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: config.descriptor,
    layers,
    annotations: {
      'org.opencontainers.image.created': created,
      'org.opencontainers.image.description': description,
      'org.opencontainers.image.title': spec.name,
      'org.opencontainers.image.version': spec.version,
    },
  };
  const written = await writeJsonBlob(layoutPath, manifest, manifest.mediaType);
  const tag = spec.tag ?? spec.version.replaceAll('+', '_');
  await tagInLayout(layoutPath, written.descriptor, tag);
  return {
    layoutPath, tag, ociRef: `oci:${layoutPath}:${tag}`, mediaType: manifest.mediaType,
    digest: written.descriptor.digest, size: written.descriptor.size, descriptor: written.descriptor,
    manifest, manifestBytes: written.bytes, config: config.descriptor, configJson, chart, chartTgz, provenance,
  };
}

function chartYaml(spec: HelmChartSpec, description: string): string {
  const lines = ['apiVersion: v2', `name: ${spec.name}`, `description: ${description}`, 'type: application', `version: ${spec.version}`];
  if (spec.appVersion) lines.push(`appVersion: "${spec.appVersion}"`);
  return `${lines.join('\n')}\n`;
}

/** The .tgz `helm package` makes: files (no directory entries) under `<name>/`. */
async function packageChart(spec: HelmChartSpec, description: string, mtime: Date): Promise<Buffer> {
  const files: Record<string, string> = {
    'Chart.yaml': chartYaml(spec, description),
    'values.yaml': 'replicaCount: 1\nimage:\n  repository: nginx\n  tag: ""\n',
    'templates/configmap.yaml': [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ .Release.Name }}-config',
      'data:',
      '  replicas: "{{ .Values.replicaCount }}"',
      '',
    ].join('\n'),
    '.helmignore': '.git/\n*.swp\n',
  };
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const [path, content] of Object.entries(files)) {
    archive.entry({ name: `${spec.name}/${path}`, mode: 0o644, mtime, uid: 0, gid: 0 }, content);
  }
  archive.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** Same shape as `helm package --sign` output; the signature block is not a real one. */
function provenanceFile(spec: HelmChartSpec, chartTgz: Buffer): string {
  const digest = createHash('sha256').update(chartTgz).digest('hex');
  return [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA512',
    '',
    chartYaml(spec, spec.description ?? `A Helm chart for ${spec.name}`).trimEnd(),
    '',
    '...',
    'files:',
    `  ${spec.name}-${spec.version}.tgz: sha256:${digest}`,
    '-----BEGIN PGP SIGNATURE-----',
    '',
    Buffer.from(`ferry test fixture signature for ${spec.name}`).toString('base64'),
    '-----END PGP SIGNATURE-----',
    '',
  ].join('\n');
}
