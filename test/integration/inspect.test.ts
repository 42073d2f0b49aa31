// `ferry inspect` against a real token-auth registry, with skopeo 1.9.3 as the
// reference: images are pushed by skopeo, then both tools describe them and
// the outputs are compared field by field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryJson, ferryOk, runFerry } from '../support/ferry-cli.js';
import { buildHelmChart, buildImage, buildIndex, pushWithSkopeo, type BuiltHelmChart, type BuiltImage, type BuiltIndex, type Descriptor } from '../support/fixtures.js';
import { tagInLayout, writeJsonBlob } from '../support/oci-layout-writer.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { dockerRef, skopeo, skopeoInspect, skopeoInspectRaw, skopeoRegistryFlags } from '../support/skopeo.js';

type Json = Record<string, unknown>;

/** Every field of skopeo's inspect JSON, in skopeo's order. */
const SKOPEO_FIELDS = ['Name', 'Digest', 'RepoTags', 'Created', 'DockerVersion', 'Labels', 'Architecture', 'Variant', 'Os', 'Layers', 'LayersData', 'Env'] as const;

/** What skopeo's LayersData says for a manifest's layers (Annotations null when there are none). */
function layersData(layers: readonly Descriptor[]): Json[] {
  return layers.map((l) => ({
    MIMEType: l.mediaType,
    Digest: l.digest,
    Size: l.size,
    Annotations: l.annotations && Object.keys(l.annotations).length > 0 ? l.annotations : null,
  }));
}

/** `created` timestamps (top level and in history) as epoch milliseconds, so 09.1234Z equals 09.123400Z. */
function withInstants(config: Json): Json {
  const at = (v: unknown): unknown => (typeof v === 'string' ? Date.parse(v) : v);
  const history = Array.isArray(config.history) ? (config.history as Json[]).map((h) => ({ ...h, created: at(h.created) })) : config.history;
  return { ...config, created: at(config.created), history };
}

function sorted(value: unknown): unknown {
  return Array.isArray(value) ? [...(value as string[])].sort() : value;
}

describe('ferry inspect on a token-auth registry, field by field against skopeo', () => {
  let registry: RunningRegistry;
  let oci: BuiltImage;
  let annotated: { digest: string; layers: Descriptor[] };
  let docker: BuiltImage;
  let index: BuiltIndex;
  let chart: BuiltHelmChart;
  const TAGS = ['1.0', '1', 'latest', 'stable'];

  const creds = (): string[] => ['--creds', `${registry.username}:${registry.password}`];
  const ref = (repoRef: string): string => dockerRef(registry, repoRef);

  /** skopeo inspect with extra global flags (the platform overrides), parsed. */
  async function skopeoJson(repoRef: string, extra: string[] = []): Promise<Json> {
    return JSON.parse(await skopeo([...extra, 'inspect', ...skopeoRegistryFlags(registry, ''), ref(repoRef)])) as Json;
  }

  /**
   * Compares every field skopeo prints, and their order. RepoTags as sets:
   * distribution lists tags in directory order and neither tool sorts.
   * skopeo 1.9.3 (Debian's build, the peer here) prints neither `Variant` nor
   * `LayersData`; those are checked by the caller against the manifest and config.
   */
  async function compareWithSkopeo(repoRef: string, flags: string[] = []): Promise<{ ferry: Json; skopeo: Json }> {
    const [mine, theirs] = await Promise.all([ferryJson(['inspect', ...creds(), ...flags, ref(repoRef)]), skopeoJson(repoRef, flags)]);
    const skopeoKeys = Object.keys(theirs);
    expect(skopeoKeys.length).toBeGreaterThanOrEqual(10);
    for (const key of skopeoKeys) {
      expect(SKOPEO_FIELDS as readonly string[], `skopeo printed an unexpected field ${key}`).toContain(key);
      expect(mine, `ferry lacks ${key}`).toHaveProperty(key);
      if (key === 'RepoTags') expect(sorted(mine[key]), key).toEqual(sorted(theirs[key]));
      else expect(mine[key], key).toEqual(theirs[key]);
    }
    // Scripts that read the output as a stream see the same order.
    expect(Object.keys(mine).filter((k) => skopeoKeys.includes(k))).toEqual(skopeoKeys);
    // Nothing but skopeo's fields (ArtifactType and Chart are only for artifacts).
    for (const key of Object.keys(mine)) expect(SKOPEO_FIELDS as readonly string[]).toContain(key);
    return { ferry: mine, skopeo: theirs };
  }

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token' });
    [oci, docker, index, chart] = await Promise.all([
      buildImage({
        labels: { 'org.opencontainers.image.title': 'ferry fixture', maintainer: 'tests' },
        env: ['PATH=/usr/bin:/bin', 'FERRY=1'],
        // Go prints fractional seconds without trailing zeros; ferry must too.
        created: '2024-05-06T07:08:09.123400Z',
        layers: [{ files: { 'etc/one': '1\n' } }, { files: { 'etc/two': '2\n' } }, { files: { 'etc/three': '3\n' } }],
      }),
      buildImage({ mediaTypes: 'docker', labels: { kind: 'docker' }, env: ['DOCKER=yes'], platform: 'linux/arm64/v8' }),
      buildIndex(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']),
      buildHelmChart({ name: 'demo', version: '0.1.0+build.1', appVersion: '1.2.3', provenance: true }),
    ]);
    // The same image with annotated layers (the fixture builder makes none), in the same layout.
    const annotatedLayers = oci.layers.map((l, i) => ({ ...l, annotations: { 'org.example.layer': String(i) } }));
    const written = await writeJsonBlob(oci.layoutPath, { ...oci.manifest, layers: annotatedLayers }, oci.mediaType);
    await tagInLayout(oci.layoutPath, written.descriptor, 'annotated');
    annotated = { digest: written.descriptor.digest, layers: annotatedLayers };

    await pushWithSkopeo(oci, registry, `app:${TAGS[0]}`);
    await Promise.all([
      ...TAGS.slice(1).map((tag) => pushWithSkopeo(oci, registry, `app:${tag}`)),
      pushWithSkopeo(`oci:${oci.layoutPath}:annotated`, registry, 'annotated:1'),
      pushWithSkopeo(docker, registry, 'dockerish:v2s2'),
      pushWithSkopeo(index, registry, 'multi:1'),
      pushWithSkopeo(chart, registry, `charts/demo:${chart.tag}`),
    ]);
  });
  afterAll(() => registry?.stop());

  it('describes an OCI image with several tags as skopeo does', async () => {
    const { ferry } = await compareWithSkopeo('app:1.0');
    expect(ferry).toMatchObject({
      Name: registry.ref('app'),
      Digest: oci.digest,
      Created: '2024-05-06T07:08:09.1234Z',
      Labels: { 'org.opencontainers.image.title': 'ferry fixture', maintainer: 'tests' },
      Architecture: 'amd64',
      Os: 'linux',
      Env: ['PATH=/usr/bin:/bin', 'FERRY=1'],
    });
    expect(sorted(ferry.RepoTags)).toEqual([...TAGS].sort());
    expect(ferry).not.toHaveProperty('Variant');
    expect(ferry.LayersData).toEqual(layersData(oci.layers));
    expect(ferry.Layers).toEqual(oci.layers.map((l) => l.digest));
  });

  it('reports layer annotations in LayersData', async () => {
    const { ferry } = await compareWithSkopeo('annotated:1');
    expect(ferry.Digest).toBe(annotated.digest);
    expect(ferry.LayersData).toEqual(layersData(annotated.layers));
    expect((ferry.LayersData as Json[])[2]?.Annotations).toEqual({ 'org.example.layer': '2' });
  });

  it('describes a Docker schema 2 image as skopeo does, without the schema 1 downgrade', async () => {
    const { ferry } = await compareWithSkopeo('dockerish:v2s2');
    expect(ferry.Digest).toBe(docker.digest);
    expect(ferry).toMatchObject({ Architecture: 'arm64', Variant: 'v8', Os: 'linux', Labels: { kind: 'docker' }, Env: ['DOCKER=yes'], RepoTags: ['v2s2'] });
    // Variant sits between Architecture and Os, where skopeo's struct has it.
    const keys = Object.keys(ferry);
    expect(keys.indexOf('Variant')).toBe(keys.indexOf('Architecture') + 1);
    expect(ferry.LayersData).toEqual(layersData(docker.layers));
    expect((ferry.LayersData as Json[])[0]?.MIMEType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
  });

  it('describes the host platform of a multi-arch index as skopeo does, with the index digest', async () => {
    const { ferry } = await compareWithSkopeo('multi:1');
    expect(ferry.Digest).toBe(index.digest);
    const chosen = index.images.find((i) => i.platform.architecture === ferry.Architecture);
    expect(chosen, `no fixture image for ${String(ferry.Architecture)}`).toBeDefined();
    expect(ferry.Layers).toEqual(chosen?.layers.map((l) => l.digest));
  });

  it('honours --override-arch arm64 --override-variant v8 like skopeo', async () => {
    const arm64 = index.images[1];
    const { ferry } = await compareWithSkopeo('multi:1', ['--override-arch', 'arm64', '--override-variant', 'v8']);
    expect(ferry).toMatchObject({ Digest: index.digest, Architecture: 'arm64', Variant: 'v8', Os: 'linux' });
    expect(ferry.Layers).toEqual(arm64?.layers.map((l) => l.digest));
    expect(ferry.LayersData).toEqual(layersData(arm64?.layers ?? []));
    // arm/v7 too, and arm64 without a variant finds v8 (the normal form).
    const v7 = await compareWithSkopeo('multi:1', ['--override-arch', 'arm', '--override-variant', 'v7']);
    expect(v7.ferry).toMatchObject({ Architecture: 'arm', Variant: 'v7', Layers: index.images[2]?.layers.map((l) => l.digest) });
    const plain = await compareWithSkopeo('multi:1', ['--override-arch', 'arm64']);
    expect(plain.ferry.Layers).toEqual(arm64?.layers.map((l) => l.digest));
  });

  it('fails in one line when no platform of the index matches the override', async () => {
    const run = await runFerry(['inspect', ...creds(), '--override-arch', 's390x', ref('multi:1')]);
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(run.stderrLines).toHaveLength(1);
    expect(run.stderr).toMatch(/^ferry: .*s390x/);
    await expect(skopeoJson('multi:1', ['--override-arch', 's390x'])).rejects.toThrow();
  });

  it('prints --raw byte for byte as skopeo --raw does, for images, Docker images, indexes and charts', async () => {
    const cases: Array<[string, Buffer]> = [
      ['app:1.0', oci.manifestBytes],
      ['dockerish:v2s2', docker.manifestBytes],
      ['multi:1', index.indexBytes],
      [`charts/demo:${chart.tag}`, chart.manifestBytes],
      [`multi@${index.images[2]?.digest}`, index.images[2]?.manifestBytes ?? Buffer.alloc(0)],
    ];
    for (const [repoRef, bytes] of cases) {
      const [run, theirs] = await Promise.all([ferryOk(['inspect', '--raw', ...creds(), ref(repoRef)]), skopeoInspectRaw(registry, repoRef)]);
      expect(run.stdoutBytes.equals(Buffer.from(theirs, 'utf8')), repoRef).toBe(true);
      expect(run.stdoutBytes.equals(bytes), repoRef).toBe(true);
    }
  });

  it('prints --config as skopeo --config does for an OCI image, and --config --raw byte for byte', async () => {
    const [mine, theirs] = await Promise.all([ferryJson(['inspect', '--config', ...creds(), ref('app:1.0')]), skopeoInspect(registry, 'app:1.0', { config: true })]);
    // ferry prints the stored document; skopeo decodes it into Go structs and
    // re-marshals, so its timestamps lose trailing zeros ("…09.123400Z" becomes
    // "…09.1234Z"). Same instants, same everything else.
    expect(theirs.created).toBe('2024-05-06T07:08:09.1234Z');
    expect(mine.created).toBe('2024-05-06T07:08:09.123400Z');
    expect(withInstants(mine)).toEqual(withInstants(theirs));
    expect(mine).toEqual(oci.configJson);
    const [rawMine, rawTheirs] = await Promise.all([
      ferryOk(['inspect', '--config', '--raw', ...creds(), ref('app:1.0')]),
      skopeo(['inspect', '--config', '--raw', ...skopeoRegistryFlags(registry, ''), ref('app:1.0')]),
    ]);
    expect(rawMine.stdoutBytes.equals(Buffer.from(rawTheirs, 'utf8'))).toBe(true);
  });

  it('prints a Docker image config as stored, where skopeo --config prints its OCI conversion', async () => {
    const [mine, theirs] = await Promise.all([ferryJson(['inspect', '--config', ...creds(), ref('dockerish:v2s2')]), skopeoInspect(registry, 'dockerish:v2s2', { config: true })]);
    // skopeo 1.9 converts a Docker config to an OCI one (types.Image.OCIConfig) before
    // printing; ferry prints the stored document. The fields an image is made of agree.
    expect(mine).toEqual(docker.configJson);
    for (const key of ['created', 'architecture', 'variant', 'os', 'rootfs', 'history']) expect(mine[key], key).toEqual(theirs[key]);
    const [cfgMine, cfgTheirs] = [mine.config as Json, theirs.config as Json];
    for (const key of ['Env', 'Cmd', 'Labels']) expect(cfgMine[key], key).toEqual(cfgTheirs[key]);
    const [rawMine, rawTheirs] = await Promise.all([
      ferryOk(['inspect', '--config', '--raw', ...creds(), ref('dockerish:v2s2')]),
      skopeo(['inspect', '--config', '--raw', ...skopeoRegistryFlags(registry, ''), ref('dockerish:v2s2')]),
    ]);
    expect(rawMine.stdoutBytes.equals(Buffer.from(rawTheirs, 'utf8'))).toBe(true);
  });

  it('prints the chosen platform config of an index with --config and the overrides', async () => {
    const [mine, theirs] = await Promise.all([
      ferryJson(['inspect', '--config', '--override-arch', 'arm', '--override-variant', 'v7', ...creds(), ref('multi:1')]),
      skopeo(['--override-arch', 'arm', '--override-variant', 'v7', 'inspect', '--config', ...skopeoRegistryFlags(registry, ''), ref('multi:1')]),
    ]);
    expect(mine).toEqual(JSON.parse(theirs));
    expect(mine).toMatchObject({ architecture: 'arm', variant: 'v7' });
  });

  it('describes a Helm chart, which skopeo cannot: ArtifactType and Chart', async () => {
    await expect(skopeoInspect(registry, `charts/demo:${chart.tag}`)).rejects.toThrow();
    const mine = await ferryJson(['inspect', ...creds(), ref(`charts/demo:${chart.tag}`)]);
    expect(mine).toMatchObject({
      Name: registry.ref('charts/demo'),
      Digest: chart.digest,
      RepoTags: [chart.tag],
      ArtifactType: 'application/vnd.cncf.helm.config.v1+json',
      Chart: { name: 'demo', version: '0.1.0+build.1', appVersion: '1.2.3' },
      Layers: chart.manifest.layers.map((l) => l.digest),
      LayersData: layersData(chart.manifest.layers),
    });
    // An artifact has no image platform; the fields stay, empty, so skopeo-shaped readers keep working.
    expect(mine.Architecture).toBe('');
    expect(mine.Os).toBe('');
    const table = await ferryOk(['inspect', '--format', 'table', ...creds(), ref(`charts/demo:${chart.tag}`)]);
    expect(table.stdout).toMatch(/^Artifact: +application\/vnd\.cncf\.helm\.config\.v1\+json$/m);
    expect(table.stdout).toMatch(/^Chart: +demo 0\.1\.0\+build\.1 \(app 1\.2\.3\)$/m);
  });

  it('--format table lists every platform of an index with its digest and size', async () => {
    const run = await ferryOk(['inspect', '--format', 'table', ...creds(), ref('multi:1')]);
    const lines = run.stdout.split('\n');
    expect(run.stdout).toContain(index.digest);
    for (const image of index.images) {
      const name = [image.platform.os, image.platform.architecture, image.platform.variant].filter(Boolean).join('/');
      const row = lines.find((l) => l.startsWith(`${name} `));
      expect(row, `${name} row in\n${run.stdout}`).toBeDefined();
      expect(row).toContain(image.digest);
      // every manifest here is well under 1000 bytes, which the table prints as "N B"
      expect(image.size).toBeLessThan(1000);
      expect(row).toMatch(new RegExp(`\\s${image.size} B\\s`));
    }
  });

  it('--format table lists the layers of an image with sizes and the total', async () => {
    const run = await ferryOk(['inspect', '--format', 'table', ...creds(), ref('app:1.0')]);
    const total = oci.layers.reduce((sum, l) => sum + l.size, 0);
    expect(total).toBeLessThan(1000);
    expect(run.stdout).toMatch(new RegExp(`^Layers \\(${oci.layers.length}, ${total} B compressed\\):$`, 'm'));
    const lines = run.stdout.split('\n');
    oci.layers.forEach((layer, i) => {
      const row = lines.find((l) => l.startsWith(`${i + 1} `));
      expect(row, `layer ${i + 1} in\n${run.stdout}`).toBeDefined();
      expect(row).toContain(layer.digest.slice(0, 'sha256:'.length + 12));
      expect(row).toMatch(new RegExp(`\\s${layer.size} B\\s`));
      expect(row).toContain(layer.mediaType);
    });
    for (const tag of TAGS) expect(run.stdout).toMatch(new RegExp(`^Tags: .*\\b${tag.replace('.', '\\.')}\\b`, 'm'));
  });

  it('--digest prints only the digest after exactly one manifest request, a HEAD', async () => {
    for (const [repoRef, digest, path] of [
      ['multi:1', index.digest, '/v2/multi/manifests/1'],
      ['dockerish:v2s2', docker.digest, '/v2/dockerish/manifests/v2s2'],
    ] as const) {
      const mark = await registry.mark();
      registry.tokenServer?.resetRequests();
      const run = await ferryOk(['inspect', '--digest', ...creds(), ref(repoRef)]);
      expect(run.stdout).toBe(`${digest}\n`);
      expect(run.stderr).toBe('');
      const log = await registry.accessLog(mark);
      // What reaches the registry: the ping (GET /v2/, answered with the Bearer
      // challenge) and one HEAD of the manifest, already carrying a token. No GET
      // of a manifest, no blob, no tag list. Token requests go to the token server,
      // not the registry: exactly one, for pull on the repository.
      const manifestRequests = log.filter((e) => e.path.includes('/manifests/'));
      expect(manifestRequests.map((e) => `${e.method} ${e.path} ${e.status}`), formatAccessLog(log)).toEqual([`HEAD ${path} 200`]);
      expect(log.filter((e) => !e.path.includes('/manifests/')).map((e) => `${e.method} ${e.path}`), formatAccessLog(log)).toEqual(['GET /v2/']);
      const tokens = registry.tokenServer?.requests() ?? [];
      expect(tokens).toHaveLength(1);
      expect(tokens[0]?.requested).toEqual([{ type: 'repository', name: repoRef.split(':')[0], actions: ['pull'] }]);
      // The digest is the one skopeo computes from the bytes.
      expect((await skopeoInspect(registry, repoRef)).Digest).toBe(digest);
    }
  });

  it('--no-tags skips the tag list request and prints an empty RepoTags, like skopeo -n', async () => {
    const mark = await registry.mark();
    const mine = await ferryJson(['inspect', '--no-tags', ...creds(), ref('app:1.0')]);
    const log = await registry.accessLog(mark);
    expect(log.some((e) => e.path.endsWith('/tags/list')), formatAccessLog(log)).toBe(false);
    const theirs = JSON.parse(await skopeo(['inspect', '--no-tags', ...skopeoRegistryFlags(registry, ''), ref('app:1.0')])) as Json;
    expect(mine.RepoTags).toEqual(theirs.RepoTags);
    expect(mine.RepoTags).toEqual([]);
  });
});
