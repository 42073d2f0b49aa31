import { describe, expect, it } from 'vitest';
import { isImage } from '../../../src/oci/manifest.js';
import { blobLanes, mayChangeBlobs, planBlobs, SMALL_BLOB, type BlobAction, type PlannedImage } from '../../../src/copy/plan.js';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import type { ImageManifest } from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import { desc, dg } from './builders.js';

function image(config: Descriptor, layers: Descriptor[], extra: Partial<ImageManifest> = {}): ImageManifest {
  return { kind: 'image', schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers, ...extra };
}

const cfg = (n: number, mediaType: string = MediaType.OciConfig) => desc(n, mediaType, 300 + n);
const gz = (n: number, size: number) => desc(n, MediaType.OciLayerGzip, size);

const summary = (actions: BlobAction[]) => actions.map((a) => `${a.kind}:${parseInt(a.desc.digest.slice(7), 16)}`);

describe('planBlobs', () => {
  it('copies every blob once across platforms, configs first, then layers biggest first', () => {
    const base = gz(10, 5000);
    const amd = image(cfg(1), [base, gz(11, 100), gz(12, 9000)]);
    const arm = image(cfg(2), [base, gz(21, 7000)]);
    const actions = planBlobs([{ manifest: amd }, { manifest: arm }]);
    expect(summary(actions)).toEqual(['copy:1', 'copy:2', 'copy:12', 'copy:21', 'copy:10', 'copy:11']);
  });

  it('lists a config shared by two images once', () => {
    const actions = planBlobs([{ manifest: image(cfg(1), [gz(10, 1)]) }, { manifest: image(cfg(1), [gz(11, 1)]) }]);
    expect(summary(actions)).toEqual(['copy:1', 'copy:10', 'copy:11']);
  });

  it('leaves non-distributable layers that have URLs where they are', () => {
    const foreign = desc(30, MediaType.DockerForeignLayerGzip, 100_000, { urls: ['https://mcr.microsoft.com/l/30'] });
    const nondist = desc(31, MediaType.OciLayerNondistGzip, 100, { urls: ['https://example.com/31'] });
    const noUrls = desc(32, MediaType.OciLayerNondistZstd, 50);
    const actions = planBlobs([{ manifest: image(cfg(1, MediaType.DockerConfig), [foreign, nondist, noUrls, gz(33, 10)], { mediaType: MediaType.DockerManifest }) }], { format: 'zstd' });
    expect(summary(actions)).toEqual(['copy:1', 'leave:30', 'leave:31', 'copy:32', 'recompress:33']);
    expect(actions[1]!.desc).toBe(foreign);
  });

  it('marks image layers for recompression with the target, level, force and diff_id', () => {
    const layers = [gz(10, 10), desc(11, MediaType.OciLayerZstd, 20), desc(12, MediaType.OciLayerTar, 30), desc(13, MediaType.DockerLayerGzip, 40)];
    const diffIds = [dg(100), dg(101), dg(102), dg(103)];
    const actions = planBlobs([{ manifest: image(cfg(1), layers), diffIds }], { format: 'zstd', level: 9 });
    const byDigest = new Map(actions.map((a) => [a.desc.digest, a]));
    expect(byDigest.get(dg(1))).toEqual({ kind: 'copy', desc: cfg(1) });
    layers.forEach((l, i) => {
      expect(byDigest.get(l.digest)).toEqual({ kind: 'recompress', desc: l, target: 'zstd', level: 9, force: false, diffId: diffIds[i] });
    });
    const forced = planBlobs([{ manifest: image(cfg(1), [gz(10, 10)]) }], { format: 'gzip', force: true });
    expect(forced[1]).toMatchObject({ kind: 'recompress', target: 'gzip', force: true, diffId: undefined });
  });

  it('copies everything as is without a compression option', () => {
    const actions = planBlobs([{ manifest: image(cfg(1), [gz(10, 10), desc(11, MediaType.OciLayerZstd, 20)]) }]);
    expect(actions.every((a) => a.kind === 'copy')).toBe(true);
    expect(mayChangeBlobs(actions)).toBe(false);
  });

  it('never recompresses artifacts: a Helm chart, an artifactType, or non-layer blobs', () => {
    const helm = image(cfg(1, MediaType.HelmConfig), [desc(10, MediaType.HelmChart, 10)]);
    const tarLikeArtifact = image(cfg(2, MediaType.OciEmpty), [gz(20, 10)]);
    const typed = image(cfg(3), [gz(30, 10)], { artifactType: 'application/vnd.example+type' });
    const sbom = image(cfg(4), [desc(40, 'application/spdx+json', 10)]);
    const actions = planBlobs([helm, tarLikeArtifact, typed, sbom].map((manifest): PlannedImage => ({ manifest })), { format: 'zstd', force: true });
    expect(actions.filter((a) => a.kind !== 'copy')).toEqual([]);
    expect(mayChangeBlobs(actions)).toBe(false);
  });

  it('never recompresses encrypted layers', () => {
    const enc = desc(10, 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted', 10);
    const actions = planBlobs([{ manifest: image(cfg(1), [enc, gz(11, 5)]) }], { format: 'zstd' });
    expect(summary(actions)).toEqual(['copy:1', 'copy:10', 'recompress:11']);
    expect(mayChangeBlobs(actions)).toBe(true);
  });

  it('returns nothing for nothing', () => {
    expect(planBlobs([])).toEqual([]);
  });
});

describe('isImage', () => {
  it('is true for OCI and Docker configs without artifactType', () => {
    expect(isImage(image(cfg(1), []))).toBe(true);
    expect(isImage(image(cfg(1, MediaType.DockerConfig), []))).toBe(true);
  });

  it('is false for other configs or with an artifactType', () => {
    expect(isImage(image(cfg(1, MediaType.HelmConfig), []))).toBe(false);
    expect(isImage(image(cfg(1), [], { artifactType: 'application/x' }))).toBe(false);
  });
});

describe('blobLanes', () => {
  it('puts blobs copied as they are and under 1 MiB in a lane of their own, keeping the plan order in each', () => {
    const amd = image(cfg(1), [gz(10, SMALL_BLOB - 1), gz(11, SMALL_BLOB), gz(12, 50 * SMALL_BLOB)]);
    const [small, large] = blobLanes(planBlobs([{ manifest: amd }]));
    expect(summary(small)).toEqual(['copy:1', 'copy:10']);
    expect(summary(large)).toEqual(['copy:12', 'copy:11']);
  });

  it('leaves layers to recompress and foreign layers in the large lane, whatever their size', () => {
    const foreign = { ...desc(13, MediaType.DockerForeignLayerGzip, 10), urls: ['https://example.com/l'] };
    const actions = planBlobs([{ manifest: image(cfg(1), [gz(10, 10), foreign]) }], { format: 'zstd' });
    const [small, large] = blobLanes(actions);
    expect(summary(small)).toEqual(['copy:1']);
    expect(summary(large)).toEqual(['recompress:10', 'leave:13']);
  });
});
