// Builds what cosign, Notation and `oras attach` push next to an image, byte for byte
// the way those tools shape it, and pushes it with plain fetch (no ferry code) to a
// plain-HTTP registry: the harness registry (distribution 2.8, no referrers API) or the
// in-process double (test/support/referrers-registry.ts). Where the registry answers a
// referrer's PUT without `OCI-Subject`, the builder also writes the `sha256-<hex>`
// referrers index by a plain read-modify-write, as oras-go does (not race-safe).
import { createHash, randomBytes } from 'node:crypto';

/** Where to push: `http://127.0.0.1:PORT` (RunningRegistry in plain mode, ReferrersRegistry). */
export interface PushTarget {
  url: string;
}

export interface PushedManifest {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** The tag it was pushed under (cosign tags, the image's tag). */
  tag?: string;
}

export interface PushedReferrer {
  manifest: PushedManifest;
  /** The `sha256-<hex>` index as written, when the registry did not index the referrer itself. */
  fallbackIndex?: PushedManifest;
}

export type SubjectRef = Pick<PushedManifest, 'mediaType' | 'digest' | 'size'>;

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
export const NOTATION_SIGNATURE = 'application/vnd.cncf.notary.signature';
export const SPDX_JSON = 'application/spdx+json';
const ACCEPT = [OCI_MANIFEST, OCI_INDEX, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');
/** A fixed creation time, so that manifests built from the same inputs have the same digest. */
const CREATED = '2026-12-01T10:00:00Z';
/** The Rekor integratedTime in cosign signatures' bundle annotation (2026-12-01T10:00:00Z). */
export const COSIGN_LOGGED_AT = Date.parse(CREATED) / 1000;

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** `sha256:abc…` → `sha256-abc…`: the referrers-schema tag, and the stem of cosign's tags. */
export function digestTag(digest: string): string {
  return digest.replace(':', '-');
}

export function descriptorOf(m: SubjectRef): SubjectRef {
  return { mediaType: m.mediaType, digest: m.digest, size: m.size };
}

export async function pushBlob(target: PushTarget, repo: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const start = await fetch(`${target.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`POST upload to ${repo}: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', target.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': 'application/octet-stream' } });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`PUT blob ${digest} to ${repo}: HTTP ${put.status}`);
  return { digest, size: bytes.length };
}

/** PUTs a manifest under `reference` (a tag, or its digest when undefined). */
export async function pushManifest(
  target: PushTarget,
  repo: string,
  doc: Record<string, unknown>,
  reference?: string,
): Promise<PushedManifest & { subjectIndexed: boolean }> {
  const bytes = Buffer.from(JSON.stringify(doc));
  const mediaType = String(doc.mediaType);
  const digest = sha256(bytes);
  const res = await fetch(`${target.url}/v2/${repo}/manifests/${reference ?? digest}`, { method: 'PUT', body: new Uint8Array(bytes), headers: { 'content-type': mediaType } });
  const answer = await res.text();
  if (res.status !== 201) throw new Error(`PUT manifest ${reference ?? digest} to ${repo}: HTTP ${res.status} ${answer}`);
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
  const annotations = doc.annotations as Record<string, string> | undefined;
  return {
    mediaType,
    digest,
    size: bytes.length,
    bytes,
    ...(artifactType ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
    ...(reference && reference !== digest ? { tag: reference } : {}),
    subjectIndexed: res.headers.get('oci-subject') === String((doc.subject as SubjectRef | undefined)?.digest),
  };
}

export async function getManifest(target: PushTarget, repo: string, reference: string): Promise<{ bytes: Buffer; mediaType: string; digest: string } | undefined> {
  const res = await fetch(`${target.url}/v2/${repo}/manifests/${reference}`, { headers: { accept: ACCEPT } });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET manifest ${reference} of ${repo}: HTTP ${res.status}`);
  return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!, digest: sha256(bytes) };
}

export async function listTags(target: PushTarget, repo: string): Promise<string[]> {
  const res = await fetch(`${target.url}/v2/${repo}/tags/list`);
  const doc = (await res.json()) as { tags?: string[] | null };
  return [...(doc.tags ?? [])].sort();
}

async function pushLayers(target: PushTarget, repo: string, layers: Array<{ mediaType: string; content: Buffer; annotations?: Record<string, string> }>) {
  const out: Array<Record<string, unknown>> = [];
  for (const l of layers) {
    const { digest, size } = await pushBlob(target, repo, l.content);
    out.push({ mediaType: l.mediaType, digest, size, ...(l.annotations ? { annotations: l.annotations } : {}) });
  }
  return out;
}

/** A small single-platform OCI image (one random layer), tagged when `tag` is given. */
export async function pushTinyImage(target: PushTarget, repo: string, tag?: string, seed: string = randomBytes(8).toString('hex'), arch = 'amd64'): Promise<PushedManifest> {
  const layers = await pushLayers(target, repo, [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', content: Buffer.from(`layer ${seed}\n`) }]);
  const configBytes = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', created: CREATED, rootfs: { type: 'layers', diff_ids: [layers[0]!.digest] }, config: {} }));
  const config = await pushBlob(target, repo, configBytes);
  return pushManifest(target, repo, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...config }, layers }, tag);
}

/** An OCI index of tiny images (amd64, arm64 unless `archs` says otherwise). */
export async function pushTinyIndex(target: PushTarget, repo: string, tag?: string, archs = ['amd64', 'arm64']): Promise<{ index: PushedManifest; children: PushedManifest[] }> {
  const seed = randomBytes(8).toString('hex');
  const children: PushedManifest[] = [];
  for (const arch of archs) children.push(await pushTinyImage(target, repo, undefined, `${seed}-${arch}`, arch));
  const manifests = children.map((c, i) => ({ ...descriptorOf(c), platform: { architecture: archs[i], os: 'linux' } }));
  const index = await pushManifest(target, repo, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, tag);
  return { index, children };
}

// ---- cosign: ordinary tags next to the image ------------------------------------------------

type CosignSuffix = 'sig' | 'att' | 'sbom';

/**
 * What `cosign sign|attest|attach sbom` writes: an OCI manifest tagged `sha256-<hex>.<suffix>`
 * whose config is a minimal image config; signing again appends a layer to the same tag.
 */
async function pushCosignLayer(target: PushTarget, repo: string, subject: SubjectRef, suffix: CosignSuffix, layer: { mediaType: string; content: Buffer; annotations?: Record<string, string> }): Promise<PushedManifest> {
  const tag = `${digestTag(subject.digest)}.${suffix}`;
  const existing = await getManifest(target, repo, tag);
  const earlier = existing ? ((JSON.parse(existing.bytes.toString('utf8')) as { layers: Array<Record<string, unknown>> }).layers ?? []) : [];
  const layers = [...earlier, ...(await pushLayers(target, repo, [layer]))];
  const configBytes = Buffer.from(
    JSON.stringify({ architecture: '', created: '0001-01-01T00:00:00Z', history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })), os: '', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, config: {} }),
  );
  const config = await pushBlob(target, repo, configBytes);
  return pushManifest(target, repo, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...config }, layers }, tag);
}

/** `cosign sign`: a simple-signing payload layer carrying the signature in an annotation. */
export function pushCosignSignature(target: PushTarget, repo: string, subject: SubjectRef, identity = `${repo}`): Promise<PushedManifest> {
  const payload = { critical: { identity: { 'docker-reference': identity }, image: { 'docker-manifest-digest': subject.digest }, type: 'cosign container image signature' }, optional: null };
  return pushCosignLayer(target, repo, subject, 'sig', {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    content: Buffer.from(JSON.stringify(payload)),
    annotations: {
      'dev.cosignproject.cosign/signature': randomBytes(64).toString('base64'),
      // the Rekor entry cosign attaches: integratedTime is when the log took the signature
      'dev.sigstore.cosign/bundle': JSON.stringify({ SignedEntryTimestamp: randomBytes(32).toString('base64'), Payload: { body: '', integratedTime: COSIGN_LOGGED_AT, logIndex: 1, logID: 'c0d23d6a' } }),
    },
  });
}

/** `cosign attest`: a DSSE envelope around an in-toto statement, with the predicate type annotated. */
export function pushCosignAttestation(target: PushTarget, repo: string, subject: SubjectRef, predicateType = 'https://slsa.dev/provenance/v0.2'): Promise<PushedManifest> {
  const statement = { _type: 'https://in-toto.io/Statement/v0.1', predicateType, subject: [{ name: repo, digest: { sha256: subject.digest.slice(7) } }], predicate: {} };
  const envelope = { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(JSON.stringify(statement)).toString('base64'), signatures: [{ keyid: '', sig: randomBytes(64).toString('base64') }] };
  return pushCosignLayer(target, repo, subject, 'att', {
    mediaType: 'application/vnd.dsse.envelope.v1+json',
    content: Buffer.from(JSON.stringify(envelope)),
    annotations: { predicateType, 'dev.cosignproject.cosign/signature': '' },
  });
}

/** `cosign attach sbom`: the SPDX document itself as the layer. */
export function pushCosignSbom(target: PushTarget, repo: string, subject: SubjectRef): Promise<PushedManifest> {
  const spdx = { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: repo, packages: [{ name: 'busybox', versionInfo: '1.36' }] };
  return pushCosignLayer(target, repo, subject, 'sbom', { mediaType: 'text/spdx+json', content: Buffer.from(JSON.stringify(spdx)) });
}

// ---- OCI 1.1 referrers (Notation, oras attach) ----------------------------------------------

export interface ReferrerSpec {
  artifactType: string;
  layers: Array<{ mediaType: string; content: Buffer; annotations?: Record<string, string> }>;
  annotations?: Record<string, string>;
}

/**
 * An OCI 1.1 manifest with `artifactType`, the empty config and `subject`, pushed by digest
 * as oras-go does; without `OCI-Subject` in the answer the referrer is added to the
 * subject's `sha256-<hex>` index (read, append, write).
 */
export async function pushReferrer(target: PushTarget, repo: string, subject: SubjectRef, spec: ReferrerSpec): Promise<PushedReferrer> {
  const empty = await pushBlob(target, repo, Buffer.from('{}'));
  const layers = await pushLayers(target, repo, spec.layers);
  const annotations = { 'org.opencontainers.image.created': CREATED, ...spec.annotations };
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: spec.artifactType,
    config: { mediaType: EMPTY_CONFIG, ...empty, data: 'e30=' },
    layers,
    subject: descriptorOf(subject),
    annotations,
  };
  const { subjectIndexed, ...manifest } = await pushManifest(target, repo, doc);
  if (subjectIndexed) return { manifest };
  return { manifest, fallbackIndex: await addToFallbackIndex(target, repo, subject.digest, manifest) };
}

/** Read-modify-write of the referrers-schema index `sha256-<hex>` (as oras-go does; not race-safe). */
export async function addToFallbackIndex(target: PushTarget, repo: string, subject: string, referrer: PushedManifest): Promise<PushedManifest> {
  const tag = digestTag(subject);
  const existing = await getManifest(target, repo, tag);
  const manifests = existing ? ((JSON.parse(existing.bytes.toString('utf8')) as { manifests?: Array<{ digest: string }> }).manifests ?? []) : [];
  if (!manifests.some((d) => d.digest === referrer.digest)) {
    manifests.push({
      mediaType: referrer.mediaType,
      digest: referrer.digest,
      size: referrer.size,
      ...(referrer.artifactType ? { artifactType: referrer.artifactType } : {}),
      ...(referrer.annotations ? { annotations: referrer.annotations } : {}),
    } as { digest: string });
  }
  const { subjectIndexed: _ignored, ...index } = await pushManifest(target, repo, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, tag);
  return index;
}

/** `notation sign`: a JWS envelope layer, the certificate chain's thumbprints annotated. */
export function pushNotationSignature(target: PushTarget, repo: string, subject: SubjectRef): Promise<PushedReferrer> {
  const envelope = { payload: Buffer.from(JSON.stringify({ targetArtifact: descriptorOf(subject) })).toString('base64url'), protected: 'eyJhbGciOiJQUzI1NiJ9', header: {}, signature: randomBytes(64).toString('base64url') };
  return pushReferrer(target, repo, subject, {
    artifactType: NOTATION_SIGNATURE,
    layers: [{ mediaType: 'application/jose+json', content: Buffer.from(JSON.stringify(envelope)) }],
    annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': JSON.stringify([createHash('sha256').update(randomBytes(16)).digest('hex')]) },
  });
}

/** `oras attach --artifact-type application/spdx+json`: an SPDX SBOM as a referrer. */
export function pushOrasSbom(target: PushTarget, repo: string, subject: SubjectRef, artifactType = SPDX_JSON): Promise<PushedReferrer> {
  const spdx = { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: repo, packages: [] };
  return pushReferrer(target, repo, subject, {
    artifactType,
    layers: [{ mediaType: artifactType, content: Buffer.from(JSON.stringify(spdx)), annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' } }],
  });
}

/** An image with every kind attached: cosign .sig/.att/.sbom, a Notation signature, an SBOM referrer signed in turn. */
export async function pushSignedImage(target: PushTarget, repo: string, tag: string) {
  const image = await pushTinyImage(target, repo, tag);
  const sig = await pushCosignSignature(target, repo, image);
  const att = await pushCosignAttestation(target, repo, image);
  const sbom = await pushCosignSbom(target, repo, image);
  const notation = await pushNotationSignature(target, repo, image);
  const orasSbom = await pushOrasSbom(target, repo, image);
  const sbomSignature = await pushNotationSignature(target, repo, orasSbom.manifest);
  return { image, sig, att, sbom, notation, orasSbom, sbomSignature };
}
