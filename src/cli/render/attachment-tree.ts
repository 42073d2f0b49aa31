import type { DiscoveredAttachment, DiscoveredManifest, DiscoverResult } from '../../discover/discover.js';
import type { Descriptor, Platform } from '../../oci/descriptor.js';
import { humanSize } from './human-size.js';

/**
 * `ferry discover` output: a tree like `oras discover`'s (kind, artifact type, digest,
 * size; the annotations worth reading below each), and its JSON form.
 */

interface Node {
  line: string;
  details: string[];
  children: Node[];
}

const CREATED = 'org.opencontainers.image.created';
const TITLE = 'org.opencontainers.image.title';
const COSIGN_BUNDLE = 'dev.sigstore.cosign/bundle';
const PREDICATE_TYPES = ['predicateType', 'dev.sigstore.bundle.predicateType'];

function platformName(p: Platform | undefined): string {
  if (!p) return 'manifest';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** When the transparency log took a cosign signature, from its bundle annotation. */
function loggedAt(bundle: string | undefined): string | undefined {
  if (!bundle) return undefined;
  try {
    const t = (JSON.parse(bundle) as { Payload?: { integratedTime?: unknown } }).Payload?.integratedTime;
    return typeof t === 'number' ? new Date(t * 1000).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

/** The annotations worth a line: creation time, title, predicate type, the time a cosign signature was logged. */
export function notableAnnotations(annotations: Record<string, string> | undefined): string[] {
  if (!annotations) return [];
  const out: string[] = [];
  if (annotations[CREATED]) out.push(`created ${annotations[CREATED]}`);
  if (annotations[TITLE]) out.push(`title ${annotations[TITLE]}`);
  for (const key of PREDICATE_TYPES) if (annotations[key]) out.push(`predicate ${annotations[key]}`);
  const logged = loggedAt(annotations[COSIGN_BUNDLE]);
  if (logged) out.push(`logged ${logged}`);
  return out;
}

function attachmentNode(a: DiscoveredAttachment): Node {
  const type = a.descriptor.artifactType ?? (a.tag ? `cosign ${a.tag.slice(a.tag.lastIndexOf('.'))}` : a.descriptor.mediaType);
  const details = notableAnnotations(a.descriptor.annotations);
  if (a.layers) {
    const noun = a.kind === 'signature' ? 'signature' : a.kind === 'attestation' ? 'attestation' : 'document';
    details.push(`${a.layers.length} ${noun}${a.layers.length === 1 ? '' : 's'} (tag ${a.tag})`);
    for (const layer of a.layers) details.push(...notableAnnotations(layer.annotations));
  }
  return { line: `${a.kind} ${type} ${a.descriptor.digest} ${humanSize(a.descriptor.size)}`, details: [...new Set(details)], children: a.attachments.map(attachmentNode) };
}

function describe(d: Descriptor): string {
  return `${d.digest} ${d.mediaType} ${humanSize(d.size)}`;
}

function renderNode(node: Node, prefix: string, last: boolean, out: string[]): void {
  out.push(`${prefix}${last ? '└── ' : '├── '}${node.line}`);
  const inner = `${prefix}${last ? '    ' : '│   '}`;
  for (const d of node.details) out.push(`${inner}${node.children.length ? '│ ' : '  '}${d}`);
  node.children.forEach((c, i) => renderNode(c, inner, i === node.children.length - 1, out));
}

export function renderAttachmentTree(r: DiscoverResult): string {
  const nodes: Node[] = r.attachments.map(attachmentNode);
  for (const m of r.manifests ?? []) {
    nodes.push({ line: `${platformName(m.descriptor.platform)} ${m.descriptor.digest}`, details: m.attachments.length ? [] : ['nothing attached'], children: m.attachments.map(attachmentNode) });
  }
  const out = [`${r.location}`, `${describe(r.descriptor)}`];
  if (!nodes.length) out.push('(nothing attached)');
  nodes.forEach((n, i) => renderNode(n, '', i === nodes.length - 1, out));
  return `${out.join('\n')}\n`;
}

function attachmentJson(a: DiscoveredAttachment): Record<string, unknown> {
  return {
    kind: a.kind,
    via: a.via,
    ...(a.tag ? { tag: a.tag } : {}),
    ...a.descriptor,
    ...(a.layers ? { layers: a.layers } : {}),
    referrers: a.attachments.map(attachmentJson),
  };
}

function manifestJson(m: DiscoveredManifest): Record<string, unknown> {
  return { ...m.descriptor, referrers: m.attachments.map(attachmentJson) };
}

/** The JSON form: oras discover's shape (`referrers` nested), plus kind, via and tag. */
export function discoverJson(r: DiscoverResult): Record<string, unknown> {
  return { reference: r.location, ...manifestJson(r), ...(r.manifests ? { manifests: r.manifests.map(manifestJson) } : {}) };
}
