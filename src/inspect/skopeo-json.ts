import type { Digest } from '../oci/digest.js';
import type { ImageManifest } from '../oci/manifest.js';

/**
 * The JSON `skopeo inspect` prints, with the same names, order and null/omitted
 * conventions (Go's encoding/json), so scripts written for skopeo keep working.
 */
export interface InspectLayer {
  MIMEType: string;
  Digest: Digest;
  Size: number;
  Annotations: Record<string, string> | null;
}

export interface InspectOutput {
  Name?: string;
  Digest: Digest;
  RepoTags: string[];
  Created?: string | null;
  DockerVersion: string;
  Labels: Record<string, string> | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  Layers: Digest[];
  LayersData: InspectLayer[];
  Env: string[] | null;
  /** ferry only, for artifacts (skopeo fails on them). */
  ArtifactType?: string;
  /** ferry only, for Helm charts. */
  Chart?: { name?: string; version?: string; appVersion?: string };
}

/** Go marshals time.Time as RFC 3339 with trailing fractional zeros dropped, and a zero offset as "Z". */
export function goTime(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) return value;
  const frac = (m[2] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = m[3] === '+00:00' || m[3] === '-00:00' ? 'Z' : m[3];
  return `${m[1]}${frac ? `.${frac}` : ''}${zone}`;
}

export interface InspectInput {
  name?: string;
  digest: Digest;
  tags: string[];
  manifest: ImageManifest;
  config: Record<string, unknown> | undefined;
  isImage: boolean;
}

export function toSkopeoJson(input: InspectInput): InspectOutput {
  const cfg = input.config ?? {};
  const inner = (cfg['config'] ?? {}) as { Labels?: Record<string, string> | null; Env?: string[] | null };
  const out: InspectOutput = {
    ...(input.name ? { Name: input.name } : {}),
    Digest: input.digest,
    RepoTags: input.tags,
    Created: goTime(cfg['created']),
    DockerVersion: typeof cfg['docker_version'] === 'string' ? cfg['docker_version'] : '',
    // Go prints a present-but-empty map as {}; only a missing/null one is null
    Labels: inner.Labels && typeof inner.Labels === 'object' ? inner.Labels : null,
    Architecture: input.isImage && typeof cfg['architecture'] === 'string' ? cfg['architecture'] : '',
    Os: input.isImage && typeof cfg['os'] === 'string' ? cfg['os'] : '',
    Layers: input.manifest.layers.map((l) => l.digest),
    LayersData: input.manifest.layers.map((l) => ({
      MIMEType: l.mediaType,
      Digest: l.digest,
      Size: l.size,
      Annotations: l.annotations && Object.keys(l.annotations).length > 0 ? l.annotations : null,
    })),
    Env: input.isImage && Array.isArray(inner.Env) ? inner.Env : null,
  };
  if (input.isImage && typeof cfg['variant'] === 'string' && cfg['variant'] !== '') {
    // keep skopeo's key order: Variant sits between Architecture and Os
    const { Os, Layers, LayersData, Env, ...head } = out;
    return { ...head, Variant: cfg['variant'], Os, Layers, LayersData, Env };
  }
  if (!input.isImage) {
    out.ArtifactType = input.manifest.artifactType ?? input.manifest.config.mediaType;
  }
  return out;
}
