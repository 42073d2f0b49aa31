// skopeo copy flags that scripts carry, run through bin/ferry against the real registry,
// with skopeo 1.9.3 reading (or writing) the other side.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { ferryJson, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { dockerRef, skopeo, skopeoCopy, skopeoInspectRaw, skopeoListTags } from '../support/skopeo.js';

describe('skopeo copy flags', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  let work: string;
  const src = (): string => dockerRef(registry, 'flags/source:v1');

  beforeAll(async () => {
    [registry, image, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildImage({
        layers: [
          { files: { 'etc/one.txt': 'one\n' } },
          { random: { size: 300 * 1024, seed: 'a' } },
          { random: { size: 200 * 1024, seed: 'b' } },
          { files: { 'etc/four.txt': 'four\n' } },
        ],
      }),
      scratchDir('copy-flags'),
    ]);
    await pushWithSkopeo(image, registry, 'flags/source:v1');
  });
  afterAll(() => registry?.stop());

  describe('--additional-tag', () => {
    it('adds RepoTags to a docker-archive that skopeo lists and opens by each name', async () => {
      const out = join(work, 'tagged.tar');
      await ferryOk(['copy', '-q', '--additional-tag', 'team/app:2', '--additional-tag', 'other.example/x/y:3', src(), `docker-archive:${out}:team/app:1`]);
      const theirs = JSON.parse(await skopeo(['list-tags', `docker-archive:${out}`])) as { Tags: string[] };
      // docker save's short names, as ferry writes them; skopeo lists them as written
      expect(theirs.Tags).toEqual(['team/app:1', 'team/app:2', 'other.example/x/y:3']);
      expect(await ferryJson(['list-tags', `docker-archive:${out}`])).toEqual(theirs);
      // skopeo picks the image by its additional name and pushes the same image. A
      // docker-archive source hands skopeo uncompressed layers, which it compresses again
      // or swaps for a compressed form its blob-info cache (machine-wide, as root) knows:
      // the layer digests depend on that cache, so the content is compared instead
      await skopeoCopy(`docker-archive:${out}:other.example/x/y:3`, dockerRef(registry, 'flags/by-extra-name:v1'), { dest: registry });
      const pushed = JSON.parse(await skopeoInspectRaw(registry, 'flags/by-extra-name:v1')) as { config: { digest: string }; layers: { digest: string }[] };
      expect(pushed.config.digest).toBe(image.config.digest);
      const contents = await Promise.all(
        pushed.layers.map(async (l) => {
          const res = await fetch(`${registry.url}/v2/flags/by-extra-name/blobs/${l.digest}`);
          return `sha256:${createHash('sha256').update(gunzipSync(Buffer.from(await res.arrayBuffer()))).digest('hex')}`;
        }),
      );
      expect(contents).toEqual(image.diffIds);
    });

    it('is refused for a registry destination, and an untagged name is refused, each in one line with nothing pushed', async () => {
      const toRegistry = await runFerry(['copy', '--additional-tag', 'team/app:2', src(), dockerRef(registry, 'flags/extra:v1')]);
      expect(oneLineError(toRegistry)).toMatch(/additional tags apply to docker-archive: destinations only/);
      await expect(skopeoListTags(registry, 'flags/extra')).rejects.toThrow(/NAME_UNKNOWN|404/);
      const untagged = await runFerry(['copy', '--additional-tag', 'team/app', src(), `docker-archive:${join(work, 'untagged.tar')}:team/app:1`]);
      expect(oneLineError(untagged)).toMatch(/additional tag "team\/app" must be a tagged name/);
      expect(await readdir(work)).not.toContain('untagged.tar');
    });
  });

  it('list-tags of an archive whose image has no name prints @0, as skopeo does', async () => {
    const out = join(work, 'unnamed.tar');
    await skopeoCopy(src(), `docker-archive:${out}`, { src: registry });
    const theirs = JSON.parse(await skopeo(['list-tags', `docker-archive:${out}`])) as unknown;
    expect(theirs).toEqual({ Tags: ['@0'] });
    expect(await ferryJson(['list-tags', `docker-archive:${out}`])).toEqual(theirs);
  });

  describe('--src-shared-blob-dir / --dest-shared-blob-dir', () => {
    it('ferry writes blobs to the shared folder; skopeo reads the layout with the same flag', async () => {
      const shared = join(work, 'shared-a');
      const layout = join(work, 'layout-a');
      const run = await ferryOk(['copy', '-q', '--dest-shared-blob-dir', shared, src(), `oci:${layout}:v1`]);
      expect(run.stdout.trim()).toBe(image.digest);
      expect((await readdir(layout)).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
      expect(await readdir(join(layout, 'blobs'))).toEqual([]);
      // config, four layers, the manifest
      expect(await readdir(join(shared, 'sha256'))).toHaveLength(6);
      await skopeoCopy(`oci:${layout}:v1`, dockerRef(registry, 'flags/shared-read:v1'), { dest: registry, preserveDigests: true, extraArgs: ['--src-shared-blob-dir', shared] });
      expect(JSON.parse(await skopeoInspectRaw(registry, 'flags/shared-read:v1'))).toEqual(image.manifest);
    });

    it('ferry reads a layout skopeo wrote with a shared folder; without the flag it says which blob file is missing', async () => {
      const shared = join(work, 'shared-b');
      const layout = join(work, 'layout-b');
      await skopeoCopy(src(), `oci:${layout}:v1`, { src: registry, preserveDigests: true, extraArgs: ['--dest-shared-blob-dir', shared] });
      const run = await ferryOk(['copy', '-q', '--src-shared-blob-dir', shared, `oci:${layout}:v1`, dockerRef(registry, 'flags/shared-write:v1')]);
      expect(run.stdout.trim()).toBe(image.digest);
      const without = await runFerry(['copy', '-q', `oci:${layout}:v1`, dockerRef(registry, 'flags/shared-missing:v1')]);
      expect(oneLineError(without)).toMatch(new RegExp(`manifest ${image.digest} not found \\(no blobs/sha256/`));
      const wrongKind = await runFerry(['copy', '-q', '--dest-shared-blob-dir', shared, src(), dockerRef(registry, 'flags/shared-wrong:v1')]);
      expect(oneLineError(wrongKind)).toMatch(/shared blob directory applies to oci: locations only/);
    });
  });

  it('--image-parallel-copies 1 copies one blob at a time', async () => {
    const run = await ferryOk(['copy', '--progress', 'json', '--image-parallel-copies', '1', src(), `oci:${join(work, 'serial')}:v1`]);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; digest?: string })
      .filter((e) => e.type === 'blob-start' || e.type === 'blob-done');
    // start, done, start, done, …: never a second start before the running blob is done
    expect(events.length).toBeGreaterThanOrEqual(8);
    events.forEach((e, i) => {
      expect(e.type).toBe(i % 2 === 0 ? 'blob-start' : 'blob-done');
      if (i % 2 === 1) expect(e.digest).toBe(events[i - 1]!.digest);
    });
    const clash = await runFerry(['copy', '--image-parallel-copies', '2', '--jobs', '3', src(), `oci:${join(work, 'clash')}:v1`]);
    expect(oneLineError(clash)).toMatch(/--jobs 3 contradicts --image-parallel-copies 2/);
  });

  // skopeo 1.9.3 sees only OCI-typed entries in an oci: layout's index.json, hence -f oci
  it('--dest-compress gzips the plain-tar layers of a docker-archive; skopeo pushes the result', async () => {
    const archive = join(work, 'plain-layers.tar');
    await skopeoCopy(src(), `docker-archive:${archive}:team/app:1`, { src: registry });
    const layout = join(work, 'compressed');
    await ferryOk(['copy', '-q', '-f', 'oci', '--dest-compress', `docker-archive:${archive}`, `oci:${layout}:v1`]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(await readFile(join(layout, 'blobs/sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { mediaType: string }[] };
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(Array(4).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
    await skopeoCopy(`oci:${layout}:v1`, dockerRef(registry, 'flags/compressed:v1'), { dest: registry });
  });

  it('--dest-precompute-digests and --dest-oci-accept-uncompressed-layers are accepted and change nothing', async () => {
    const run = await ferryOk(['copy', '-q', '--dest-precompute-digests', '--dest-oci-accept-uncompressed-layers', src(), `oci:${join(work, 'noop')}:v1`]);
    expect(run.stdout.trim()).toBe(image.digest);
  });

  it('signing, encryption and daemon flags are refused in one line, before anything is written', async () => {
    const refused: string[][] = [
      ['--sign-by', 'dev@example.com'],
      ['--sign-by-sigstore', 'params.yaml'],
      ['--sign-by-sigstore-private-key', 'key.pem'],
      ['--sign-passphrase-file', 'pass'],
      ['--sign-identity', 'example.com/x:1'],
      ['--encryption-key', 'jwe:./public.key'],
      ['--decryption-key', './private.key'],
      ['--encrypt-layer', '1'],
      ['--src-daemon-host', 'unix:///var/run/docker.sock'],
      ['--dest-daemon-host', 'unix:///var/run/docker.sock'],
      ['--dest-decompress'],
      ['--dry-run'],
      ['--format', 'v2s1'],
      ['--dest-compress-format', 'zstd:chunked'],
    ];
    for (const flags of refused) {
      const dest = join(work, `refused-${flags[0]!.replace(/^-+/, '')}`);
      const run = await runFerry(['copy', ...flags, src(), `oci:${dest}:v1`]);
      expect(oneLineError(run)).toMatch(new RegExp(`^ferry: \\[ERR_UNSUPPORTED\\] ${flags[0]}( \\S+)?: not supported: `));
      expect(await readdir(work)).not.toContain(`refused-${flags[0]!.replace(/^-+/, '')}`);
    }
  });

  describe('--retry-delay', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(registry);
    });
    afterAll(() => proxy?.close());

    it('retries with the fixed delay given and the copy succeeds; a bad duration is a one-line usage error', async () => {
      proxy.setRules([{ method: 'GET', uri: '/manifests/', times: 2, action: { kind: 'status', status: 503 } }]);
      const run = await ferryOk(['copy', '-q', '--retry-times', '3', '--retry-delay', '20ms', `docker://${proxy.ref('flags/source:v1')}`, `oci:${join(work, 'retried')}:v1`]);
      expect(run.stdout.trim()).toBe(image.digest);
      expect(proxy.requests().filter((r) => r.uri.includes('/manifests/') && r.status === 503)).toHaveLength(2);
      const bad = await runFerry(['copy', '--retry-delay', '5', src(), `oci:${join(work, 'never')}:v1`]);
      expect(oneLineError(bad)).toMatch(/--retry-delay takes a duration such as 2s, 500ms or 1m30s, not "5"/);
    });
  });
});

describe('skopeo credential spellings on copy (htpasswd registry over TLS)', () => {
  let registry: RunningRegistry;
  let work: string;
  let fixture: BuiltImage;

  beforeAll(async () => {
    [registry, fixture, work] = await Promise.all([startRegistry({ mode: 'htpasswd-tls' }), buildImage(), scratchDir('copy-creds')]);
  });
  afterAll(() => registry?.stop());

  it('--dest-username/--dest-password log in; a wrong password is a one-line 401', async () => {
    const tls = ['--dest-cert-dir', registry.certDir!];
    const run = await ferryOk(['copy', '-q', ...tls, '--dest-username', registry.username!, '--dest-password', registry.password!, fixture.ociRef, dockerRef(registry, 'creds/split:v1')]);
    expect(run.stdout.trim()).toBe(fixture.digest);
    const wrong = await runFerry(['copy', '-q', ...tls, '--dest-username', registry.username!, '--dest-password', 'nope', fixture.ociRef, dockerRef(registry, 'creds/wrong:v1')]);
    expect(oneLineError(wrong)).toMatch(/401/);
    expect(wrong.stderr).not.toContain('nope');
  });

  it('--authfile serves both sides', async () => {
    const authfile = join(work, 'auth.json');
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    await writeFile(authfile, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const certs = ['--src-cert-dir', registry.certDir!, '--dest-cert-dir', registry.certDir!];
    await ferryOk(['copy', '-q', '--dest-cert-dir', registry.certDir!, '--authfile', authfile, fixture.ociRef, dockerRef(registry, 'creds/authfile:v1')]);
    const run = await ferryOk(['copy', '-q', ...certs, '--authfile', authfile, dockerRef(registry, 'creds/authfile:v1'), dockerRef(registry, 'creds/authfile-copy:v1')]);
    expect(run.stdout.trim()).toBe(fixture.digest);
  });
});
