import { formatPlatform } from '../../oci/platform.js';
import { shortDigest } from '../../oci/digest.js';
import type { InspectResult } from '../../inspect/inspect-image.js';
import { humanSize } from './human-size.js';

/** Human view: platforms of an index, layers of an image, artifact type of an artifact. */

export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function renderTable(name: string, r: InspectResult): string {
  const lines: string[] = [];
  lines.push(`Name:       ${name}`);
  lines.push(`Digest:     ${r.root.digest}`);
  lines.push(`MediaType:  ${r.root.mediaType}`);
  if (r.index) {
    lines.push('', 'Platforms:');
    lines.push(
      table([
        ['PLATFORM', 'DIGEST', 'SIZE', 'MEDIA TYPE'],
        ...r.index.manifests.map((m) => [formatPlatform(m.platform), m.digest, humanSize(m.size), m.mediaType]),
      ]),
    );
    lines.push('', `Selected:   ${r.image.raw.digest}`);
  }
  const s = r.skopeo;
  if (s.ArtifactType) lines.push(`Artifact:   ${s.ArtifactType}`);
  if (s.Chart) lines.push(`Chart:      ${s.Chart.name ?? '?'} ${s.Chart.version ?? '?'}${s.Chart.appVersion ? ` (app ${s.Chart.appVersion})` : ''}`);
  if (!s.ArtifactType) {
    lines.push(`Platform:   ${formatPlatform({ os: s.Os, architecture: s.Architecture, ...(s.Variant ? { variant: s.Variant } : {}) })}`);
    if (s.Created) lines.push(`Created:    ${s.Created}`);
  }
  const layers = r.image.manifest.layers;
  const total = layers.reduce((a, l) => a + l.size, 0);
  lines.push('', `Layers (${layers.length}, ${humanSize(total)} compressed):`);
  lines.push(
    table([
      ['#', 'DIGEST', 'SIZE', 'MEDIA TYPE'],
      ...layers.map((l, i) => [String(i + 1), shortDigest(l.digest), humanSize(l.size), l.mediaType]),
    ]),
  );
  if (r.tags.length > 0) lines.push('', `Tags:       ${r.tags.join(', ')}`);
  return lines.join('\n');
}
