import { describe, expect, it } from 'vitest';
import { FerryError } from '../../../src/errors.js';
import { sha256 } from '../../../src/oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../../../src/oci/limits.js';
import {
  encodeManifest,
  expectImage,
  parseManifest,
  rawManifest,
  type ImageManifest,
  type IndexManifest,
} from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/media-types.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const bytes = (doc: unknown) => Buffer.from(JSON.stringify(doc));

const dockerManifest = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifest,
  config: { mediaType: MediaType.DockerConfig, size: 1469, digest: d(1) },
  layers: [
    { mediaType: MediaType.DockerLayerGzip, size: 3_000_000, digest: d(2) },
    { mediaType: MediaType.DockerForeignLayerGzip, size: 5, digest: d(3), urls: ['https://mcr.microsoft.com/x'] },
  ],
};

const dockerList = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifestList,
  manifests: [
    { mediaType: MediaType.DockerManifest, size: 528, digest: d(10), platform: { architecture: 'amd64', os: 'linux' } },
    { mediaType: MediaType.DockerManifest, size: 528, digest: d(11), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
  ],
};

const ociManifest = {
  schemaVersion: 2,
  config: { mediaType: MediaType.OciConfig, size: 100, digest: d(20) },
  layers: [{ mediaType: MediaType.OciLayerZstd, size: 200, digest: d(21), annotations: { 'org.opencontainers.image.title': 'x' } }],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
};

const ociIndex = {
  schemaVersion: 2,
  manifests: [{ mediaType: MediaType.OciManifest, size: 300, digest: d(30), platform: { architecture: 'amd64', os: 'linux' } }],
};

function manifestError(input: Uint8Array, contentType?: string): FerryError {
  try {
    parseManifest(input, contentType);
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    expect((e as FerryError).message).not.toContain('\n');
    return e as FerryError;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('parseManifest: images', () => {
  it('parses a Docker v2 schema 2 manifest', () => {
    const m = parseManifest(bytes(dockerManifest), MediaType.DockerManifest) as ImageManifest;
    expect(m.kind).toBe('image');
    expect(m.schemaVersion).toBe(2);
    expect(m.mediaType).toBe(MediaType.DockerManifest);
    expect(m.config).toEqual(dockerManifest.config);
    expect(m.layers.map((l) => l.digest)).toEqual([d(2), d(3)]);
    expect(m.layers[1]!.urls).toEqual(['https://mcr.microsoft.com/x']);
    expect(m.artifactType).toBeUndefined();
    expect(m.subject).toBeUndefined();
  });

  it('takes the media type from the body over the Content-Type', () => {
    const m = parseManifest(bytes(dockerManifest), MediaType.OciManifest);
    expect(m.mediaType).toBe(MediaType.DockerManifest);
  });

  it('parses an OCI manifest without mediaType, taking the type from Content-Type (parameters dropped)', () => {
    const m = parseManifest(bytes(ociManifest), `${MediaType.OciManifest}; charset=utf-8`) as ImageManifest;
    expect(m.kind).toBe('image');
    expect(m.mediaType).toBe(MediaType.OciManifest);
    expect(m.layers[0]!.annotations).toEqual({ 'org.opencontainers.image.title': 'x' });
    expect(m.annotations).toEqual(ociManifest.annotations);
  });

  it.each([undefined, 'application/json', 'application/octet-stream', 'text/plain; charset=utf-8'])(
    'falls back to the shape (OCI manifest) when the Content-Type is %j',
    (ct) => {
      expect(parseManifest(bytes(ociManifest), ct).mediaType).toBe(MediaType.OciManifest);
    },
  );

  it('treats missing layers as none', () => {
    const { layers: _l, ...noLayers } = ociManifest;
    expect((parseManifest(bytes(noLayers)) as ImageManifest).layers).toEqual([]);
  });
});

describe('parseManifest: indexes', () => {
  it('parses a Docker manifest list with platforms', () => {
    const m = parseManifest(bytes(dockerList)) as IndexManifest;
    expect(m.kind).toBe('index');
    expect(m.mediaType).toBe(MediaType.DockerManifestList);
    expect(m.manifests).toHaveLength(2);
    expect(m.manifests[1]!.platform).toEqual({ architecture: 'arm64', os: 'linux', variant: 'v8' });
  });

  it('parses an OCI index without mediaType by its shape', () => {
    const m = parseManifest(bytes(ociIndex));
    expect(m.kind).toBe('index');
    expect(m.mediaType).toBe(MediaType.OciIndex);
  });

  it('parses an OCI index named by Content-Type', () => {
    expect(parseManifest(bytes(ociIndex), MediaType.OciIndex).mediaType).toBe(MediaType.OciIndex);
  });

  it('parses an empty index', () => {
    const m = parseManifest(bytes({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] })) as IndexManifest;
    expect(m.kind).toBe('index');
    expect(m.manifests).toEqual([]);
  });

  it('rejects an index media type without a manifests array', () => {
    const e = manifestError(bytes({ schemaVersion: 2, mediaType: MediaType.OciIndex }));
    expect(e.code).toBe('ERR_MANIFEST_INVALID');
    expect(e.message).toBe('index has no "manifests" array');
  });

  it('names the bad index entry', () => {
    const bad = { ...ociIndex, manifests: [ociIndex.manifests[0], { mediaType: MediaType.OciManifest, size: 1, digest: 'sha256:short' }] };
    const e = manifestError(bytes(bad));
    expect(e.code).toBe('ERR_MANIFEST_INVALID');
    expect(e.message).toBe('index entry 1: descriptor has an invalid digest "sha256:short"');
  });
});

describe('parseManifest: artifacts', () => {
  it('parses a Helm chart (Helm config type) as an image-shaped manifest', () => {
    const helm = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.HelmConfig, size: 117, digest: d(40) },
      layers: [{ mediaType: MediaType.HelmChart, size: 3000, digest: d(41) }],
    };
    const m = parseManifest(bytes(helm)) as ImageManifest;
    expect(m.kind).toBe('image');
    expect(m.config.mediaType).toBe(MediaType.HelmConfig);
    expect(m.layers[0]!.mediaType).toBe(MediaType.HelmChart);
  });

  it('keeps artifactType and subject (a signature or SBOM referrer)', () => {
    const referrer = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      config: { mediaType: MediaType.OciEmpty, size: 2, digest: sha256('{}') },
      layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', size: 10, digest: d(50) }],
      subject: { mediaType: MediaType.OciManifest, size: 500, digest: d(51) },
    };
    const m = parseManifest(bytes(referrer)) as ImageManifest;
    expect(m.artifactType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(m.subject).toEqual(referrer.subject);
    expect(m.config.digest).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('keeps artifactType and subject on an index', () => {
    const idx = { ...ociIndex, mediaType: MediaType.OciIndex, artifactType: 'application/x-bundle', subject: { mediaType: MediaType.OciManifest, size: 1, digest: d(52) } };
    const m = parseManifest(bytes(idx)) as IndexManifest;
    expect(m.artifactType).toBe('application/x-bundle');
    expect(m.subject?.digest).toBe(d(52));
  });

  it('rejects an invalid subject', () => {
    const e = manifestError(bytes({ ...ociManifest, subject: { mediaType: MediaType.OciManifest, size: -1, digest: d(1) } }));
    expect(e.message).toBe(`manifest subject: descriptor ${d(1)} has an invalid size`);
  });
});

describe('parseManifest: schema 1', () => {
  const schema1 = { schemaVersion: 1, name: 'library/busybox', tag: 'latest', architecture: 'amd64', fsLayers: [], history: [] };

  it('recognises schemaVersion 1 as schema 1 (signed by default)', () => {
    const m = parseManifest(bytes(schema1));
    expect(m).toEqual({ kind: 'schema1', mediaType: MediaType.DockerSchema1Signed, name: 'library/busybox', tag: 'latest', architecture: 'amd64' });
  });

  it('keeps the unsigned schema 1 type from Content-Type', () => {
    expect(parseManifest(bytes(schema1), MediaType.DockerSchema1).mediaType).toBe(MediaType.DockerSchema1);
  });

  it('recognises schema 1 by Content-Type even without schemaVersion', () => {
    expect(parseManifest(bytes({ name: 'x' }), MediaType.DockerSchema1Signed).kind).toBe('schema1');
  });

  it('expectImage refuses schema 1 and indexes, saying what they are', () => {
    const s1 = parseManifest(bytes(schema1));
    expect(() => expectImage(s1, 'docker://busybox:old')).toThrow('docker://busybox:old is a Docker schema 1 manifest, expected an image manifest');
    const idx = parseManifest(bytes(dockerList));
    try {
      expectImage(idx, 'oci:/x');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_UNSUPPORTED', message: 'oci:/x is an index, expected an image manifest' });
    }
    const img = parseManifest(bytes(dockerManifest));
    expect(expectImage(img, 'x')).toBe(img);
  });
});

describe('parseManifest: invalid input', () => {
  it.each([
    ['{', 'manifest is not valid JSON: '],
    ['', 'manifest is not valid JSON: '],
    ['[]', 'manifest is not valid JSON: not an object'],
    ['null', 'manifest is not valid JSON: not an object'],
    ['"manifest"', 'manifest is not valid JSON: not an object'],
    ['<html>404</html>', 'manifest is not valid JSON: '],
  ])('rejects %j as invalid JSON', (text, start) => {
    const e = manifestError(Buffer.from(text));
    expect(e.code).toBe('ERR_MANIFEST_INVALID');
    expect(e.message.startsWith(start)).toBe(true);
  });

  it.each([
    [{ config: dockerManifest.config }, 'unsupported manifest schemaVersion undefined'],
    [{ ...dockerManifest, schemaVersion: 3 }, 'unsupported manifest schemaVersion 3'],
    [{ ...dockerManifest, schemaVersion: '2' }, 'unsupported manifest schemaVersion 2'],
  ])('rejects an unsupported schemaVersion (%j)', (doc, message) => {
    const e = manifestError(bytes(doc));
    expect(e.code).toBe('ERR_MANIFEST_INVALID');
    expect(e.message).toBe(message);
  });

  it('rejects a manifest without config', () => {
    const { config: _c, ...rest } = dockerManifest;
    expect(manifestError(bytes(rest)).message).toBe('manifest config: descriptor is not an object');
  });

  it('names the bad layer', () => {
    const bad = { ...dockerManifest, layers: [dockerManifest.layers[0], { size: 1, digest: d(9) }] };
    const e = manifestError(bytes(bad));
    expect(e.code).toBe('ERR_MANIFEST_INVALID');
    expect(e.message).toBe('layer 1: descriptor has no mediaType');
  });

  it('rejects layers that are not an array', () => {
    expect(manifestError(bytes({ ...dockerManifest, layers: {} })).message).toBe('manifest "layers" is not an array');
  });

  it('rejects a manifest over the size limit before parsing it', () => {
    const big = Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20);
    const e = manifestError(big);
    expect(e.code).toBe('ERR_TOO_LARGE');
    expect(MAX_MANIFEST_BYTES).toBe(4 * 1024 * 1024);
    expect(e.message).toBe(`manifest is ${MAX_MANIFEST_BYTES + 1} bytes, over the 4 MiB limit for manifests (4194304 bytes)`);
  });

  it('accepts a manifest of exactly the limit', () => {
    const doc = bytes(ociManifest);
    const padded = Buffer.alloc(MAX_MANIFEST_BYTES, 0x20);
    doc.copy(padded);
    expect(parseManifest(padded).kind).toBe('image');
  });
});

describe('rawManifest', () => {
  it('digests the exact bytes, whitespace included, and records the parsed media type', () => {
    const pretty = Buffer.from(JSON.stringify(dockerManifest, null, 3));
    const raw = rawManifest(pretty);
    expect(raw.bytes).toBe(pretty);
    expect(raw.digest).toBe(sha256(pretty));
    expect(raw.digest).not.toBe(sha256(bytes(dockerManifest)));
    expect(raw.mediaType).toBe(MediaType.DockerManifest);
  });

  it('uses the Content-Type when the body has no mediaType', () => {
    expect(rawManifest(bytes(ociIndex), MediaType.OciIndex).mediaType).toBe(MediaType.OciIndex);
  });

  it('throws for bytes that are not a manifest', () => {
    expect(() => rawManifest(Buffer.from('nope'))).toThrow(/manifest is not valid JSON/);
  });
});

describe('encodeManifest', () => {
  it('writes compact UTF-8 JSON that parses back', () => {
    const out = encodeManifest(ociManifest);
    expect(Buffer.from(out).toString('utf8')).toBe(JSON.stringify(ociManifest));
    expect(parseManifest(out).kind).toBe('image');
  });
});
