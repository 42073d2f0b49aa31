// An OCI layout holding an image and what is attached to it, the way ferry keeps
// attachments in a layout (docs/referrers.md): cosign tags as ref names, and the
// `sha256-<hex>` referrers index as a ref name. Written by hand, without ferry's code.
import { randomBytes } from 'node:crypto';
import { createLayout, tagInLayout, writeBlob, writeJsonBlob, type Descriptor } from './oci-layout-writer.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export interface SignedLayout {
  path: string;
  image: Descriptor;
  cosignSig: Descriptor;
  notation: Descriptor;
  sbom: Descriptor;
  sbomSignature: Descriptor;
}

async function manifest(layout: string, doc: Record<string, unknown>): Promise<Descriptor> {
  return (await writeJsonBlob(layout, { schemaVersion: 2, mediaType: OCI_MANIFEST, ...doc }, OCI_MANIFEST)).descriptor;
}

async function referrer(layout: string, subject: Descriptor, artifactType: string, layerType: string): Promise<Descriptor> {
  const empty = await writeBlob(layout, Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
  const layer = await writeBlob(layout, randomBytes(32), layerType);
  const annotations = { 'org.opencontainers.image.created': '2026-12-01T10:00:00Z' };
  const desc = await manifest(layout, { artifactType, config: empty, layers: [layer], subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }, annotations });
  return { ...desc, artifactType, annotations };
}

async function fallbackIndex(layout: string, subject: Descriptor, referrers: Descriptor[]): Promise<void> {
  const { descriptor } = await writeJsonBlob(layout, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: referrers }, OCI_INDEX);
  await tagInLayout(layout, descriptor, subject.digest.replace(':', '-'));
}

/** A layout with image `v1`, a cosign `.sig` tag, a Notation signature and an SBOM (itself signed) by the tag schema. */
export async function writeSignedLayout(dir?: string): Promise<SignedLayout> {
  const path = await createLayout(dir);
  const layer = await writeBlob(path, randomBytes(64), 'application/vnd.oci.image.layer.v1.tar');
  const config = (await writeJsonBlob(path, { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }, 'application/vnd.oci.image.config.v1+json')).descriptor;
  const image = await manifest(path, { config, layers: [layer] });
  await tagInLayout(path, image, 'v1');

  const sigLayer = await writeBlob(path, Buffer.from('{"critical":{}}'), 'application/vnd.dev.cosign.simplesigning.v1+json');
  const sigConfig = (await writeJsonBlob(path, { architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [sigLayer.digest] } }, 'application/vnd.oci.image.config.v1+json')).descriptor;
  const cosignSig = await manifest(path, { config: sigConfig, layers: [{ ...sigLayer, annotations: { 'dev.cosignproject.cosign/signature': 'c2ln' } }] });
  await tagInLayout(path, cosignSig, `${image.digest.replace(':', '-')}.sig`);

  const notation = await referrer(path, image, 'application/vnd.cncf.notary.signature', 'application/jose+json');
  const sbom = await referrer(path, image, 'application/spdx+json', 'application/spdx+json');
  const sbomSignature = await referrer(path, sbom, 'application/vnd.cncf.notary.signature', 'application/jose+json');
  await fallbackIndex(path, image, [notation, sbom]);
  await fallbackIndex(path, sbom, [sbomSignature]);
  return { path, image, cosignSig, notation, sbom, sbomSignature };
}
