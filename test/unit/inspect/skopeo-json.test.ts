import { describe, expect, it } from 'vitest';
import { goTime, toSkopeoJson, type InspectInput } from '../../../src/inspect/skopeo-json.js';
import type { ImageManifest } from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/media-types.js';

const dg = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}` as const;

const manifest: ImageManifest = {
  kind: 'image',
  schemaVersion: 2,
  mediaType: MediaType.OciManifest,
  config: { mediaType: MediaType.OciConfig, digest: dg(1), size: 300 },
  layers: [
    { mediaType: MediaType.OciLayerGzip, digest: dg(10), size: 1234 },
    { mediaType: MediaType.OciLayerZstd, digest: dg(11), size: 99, annotations: { 'org.example': 'x' } },
    { mediaType: MediaType.OciLayerGzip, digest: dg(12), size: 5, annotations: {} },
  ],
};

const config = {
  created: '2024-03-01T10:20:30.120000000Z',
  docker_version: '24.0.7',
  architecture: 'amd64',
  os: 'linux',
  config: { Labels: { maintainer: 'me' }, Env: ['PATH=/usr/bin'] },
};

const input = (over: Partial<InspectInput> = {}): InspectInput => ({
  name: 'docker.io/library/app',
  digest: dg(99),
  tags: ['1.0', 'latest'],
  manifest,
  config,
  isImage: true,
  ...over,
});

describe('goTime', () => {
  it.each([
    ['2024-03-01T10:20:30.120000000Z', '2024-03-01T10:20:30.12Z'],
    ['2024-03-01T10:20:30.100Z', '2024-03-01T10:20:30.1Z'],
    ['2024-03-01T10:20:30.000000000Z', '2024-03-01T10:20:30Z'],
    ['2024-03-01T10:20:30Z', '2024-03-01T10:20:30Z'],
    ['2024-03-01T10:20:30.123456789Z', '2024-03-01T10:20:30.123456789Z'],
    ['2024-03-01T10:20:30.123456789123Z', '2024-03-01T10:20:30.123456789Z'],
    ['2024-03-01T10:20:30.5000+02:00', '2024-03-01T10:20:30.5+02:00'],
    ['2024-03-01T10:20:30.000-05:30', '2024-03-01T10:20:30-05:30'],
    ['2024-03-01T10:20:30+00:00', '2024-03-01T10:20:30Z'],
    ['2024-03-01T10:20:30.250-00:00', '2024-03-01T10:20:30.25Z'],
  ])('formats %s as Go does: %s', (value, go) => {
    expect(goTime(value)).toBe(go);
  });

  it('answers null for a missing, empty or non-string value', () => {
    expect(goTime(undefined)).toBeNull();
    expect(goTime('')).toBeNull();
    expect(goTime(1700000000)).toBeNull();
    expect(goTime(null)).toBeNull();
  });

  it('passes a value it cannot read through unchanged', () => {
    expect(goTime('yesterday')).toBe('yesterday');
  });
});

describe('toSkopeoJson: images', () => {
  it('prints skopeo\'s fields in skopeo\'s order', () => {
    const out = toSkopeoJson(input());
    expect(Object.keys(out)).toEqual(['Name', 'Digest', 'RepoTags', 'Created', 'DockerVersion', 'Labels', 'Architecture', 'Os', 'Layers', 'LayersData', 'Env']);
    expect(out).toEqual({
      Name: 'docker.io/library/app',
      Digest: dg(99),
      RepoTags: ['1.0', 'latest'],
      Created: '2024-03-01T10:20:30.12Z',
      DockerVersion: '24.0.7',
      Labels: { maintainer: 'me' },
      Architecture: 'amd64',
      Os: 'linux',
      Layers: [dg(10), dg(11), dg(12)],
      LayersData: [
        { MIMEType: MediaType.OciLayerGzip, Digest: dg(10), Size: 1234, Annotations: null },
        { MIMEType: MediaType.OciLayerZstd, Digest: dg(11), Size: 99, Annotations: { 'org.example': 'x' } },
        { MIMEType: MediaType.OciLayerGzip, Digest: dg(12), Size: 5, Annotations: null },
      ],
      Env: ['PATH=/usr/bin'],
    });
  });

  it('omits Name when there is none (local layouts)', () => {
    const { name: _n, ...rest } = input();
    const out = toSkopeoJson(rest);
    expect(out).not.toHaveProperty('Name');
    expect(Object.keys(out)[0]).toBe('Digest');
  });

  it('prints null for missing or null Labels and Env, and for a missing Created', () => {
    for (const inner of [undefined, {}, { Labels: null, Env: null }]) {
      const out = toSkopeoJson(input({ config: { architecture: 'arm64', os: 'linux', ...(inner ? { config: inner } : {}) } }));
      expect(out.Labels).toBeNull();
      expect(out.Env).toBeNull();
      expect(out.Created).toBeNull();
      expect(out.DockerVersion).toBe('');
      expect(JSON.stringify(out)).toContain('"Labels":null');
    }
  });

  it('keeps empty Labels and Env as {} and [] (Go marshals an empty map or slice that way)', () => {
    const out = toSkopeoJson(input({ config: { ...config, config: { Labels: {}, Env: [] } } }));
    expect(out.Labels).toEqual({});
    expect(out.Env).toEqual([]);
  });

  it('places Variant between Architecture and Os', () => {
    const out = toSkopeoJson(input({ config: { ...config, architecture: 'arm64', variant: 'v8' } }));
    expect(Object.keys(out)).toEqual([
      'Name',
      'Digest',
      'RepoTags',
      'Created',
      'DockerVersion',
      'Labels',
      'Architecture',
      'Variant',
      'Os',
      'Layers',
      'LayersData',
      'Env',
    ]);
    expect(out.Variant).toBe('v8');
    expect(JSON.stringify(out)).toContain('"Architecture":"arm64","Variant":"v8","Os":"linux"');
  });

  it('omits an empty Variant', () => {
    expect(toSkopeoJson(input({ config: { ...config, variant: '' } }))).not.toHaveProperty('Variant');
  });

  it('prints empty strings for a missing architecture or os, and [] for no tags', () => {
    const out = toSkopeoJson(input({ tags: [], config: {} }));
    expect(out.Architecture).toBe('');
    expect(out.Os).toBe('');
    expect(out.RepoTags).toEqual([]);
    expect(out).not.toHaveProperty('ArtifactType');
  });
});

describe('toSkopeoJson: artifacts', () => {
  const helm: ImageManifest = {
    kind: 'image',
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.HelmConfig, digest: dg(2), size: 100 },
    layers: [{ mediaType: MediaType.HelmChart, digest: dg(20), size: 3000 }],
  };

  it('names the config type as ArtifactType and leaves the image fields empty', () => {
    const out = toSkopeoJson(input({ manifest: helm, config: undefined, isImage: false }));
    expect(out).toEqual({
      Name: 'docker.io/library/app',
      Digest: dg(99),
      RepoTags: ['1.0', 'latest'],
      Created: null,
      DockerVersion: '',
      Labels: null,
      Architecture: '',
      Os: '',
      Layers: [dg(20)],
      LayersData: [{ MIMEType: MediaType.HelmChart, Digest: dg(20), Size: 3000, Annotations: null }],
      Env: null,
      ArtifactType: MediaType.HelmConfig,
    });
  });

  it('prefers the manifest artifactType', () => {
    const out = toSkopeoJson(input({ manifest: { ...helm, artifactType: 'application/vnd.example.sbom' }, config: undefined, isImage: false }));
    expect(out.ArtifactType).toBe('application/vnd.example.sbom');
  });

  it('never prints Variant, Architecture or Env for an artifact', () => {
    const out = toSkopeoJson(input({ manifest: helm, config: { architecture: 'arm64', variant: 'v8', os: 'linux', config: { Env: ['A=1'] } }, isImage: false }));
    expect(out).not.toHaveProperty('Variant');
    expect(out.Architecture).toBe('');
    expect(out.Os).toBe('');
    expect(out.Env).toBeNull();
  });
});
