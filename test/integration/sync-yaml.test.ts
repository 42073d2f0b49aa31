// skopeo's sync YAML, every key, against real registries: a TLS + htpasswd registry
// (credentials, tls-verify, cert-dir) and a plain one (tls-verify: false); images by
// tag, by digest, all tags, by regex, and by semver range over Helm chart tags.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildHelmChart, buildImage, pushWithSkopeo, type BuiltHelmChart, type BuiltImage } from '../support/fixtures.js';
import { probe } from '../support/http-probe.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { MANIFEST_ACCEPT } from '../support/stored-image.js';
import { skopeoListTags } from '../support/skopeo.js';

const CHART_VERSIONS = ['1.0.2', '1.0.9', '1.0.10', '1.1.0', '2.0.0+build.1'];

describe('ferry sync --src yaml', () => {
  let secure: RunningRegistry;
  let plain: RunningRegistry;
  let dst: RunningRegistry;
  let charts: BuiltHelmChart[];
  const images = new Map<string, BuiltImage>();
  let dir: string;

  beforeAll(async () => {
    [secure, plain, dst] = await Promise.all([startRegistry({ mode: 'htpasswd-tls' }), startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' })]);
    charts = [];
    for (const version of CHART_VERSIONS) {
      const chart = await buildHelmChart({ name: 'demo', version });
      charts.push(chart);
      await pushWithSkopeo(chart, secure, `charts/demo:${chart.tag}`);
    }
    for (const tag of ['1.0', '2.0', '3.0-alpine', '3.0-debian']) {
      const img = await buildImage({ tag, labels: { tag } });
      images.set(tag, img);
      await pushWithSkopeo(img, secure, `team/app:${tag}`);
    }
    await pushWithSkopeo(images.get('1.0')!, plain, 'apps/web:a');
    await pushWithSkopeo(images.get('2.0')!, plain, 'apps/web:b');
    dir = await scratchDir('sync-yaml');
  });
  afterAll(async () => {
    await Promise.all([secure?.stop(), plain?.stop(), dst?.stop()]);
  });

  it('mirrors what every key of the file selects, with its credentials and TLS settings', async () => {
    const yaml = `${secure.host}:
  images:
    team/app:
      - "1.0"
      - "${images.get('2.0')!.digest}"
  images-by-tag-regex:
    team/app: -alpine$
  images-by-semver:
    charts/demo: ">= 1.0.9, < 1.1"
  credentials:
    username: ${secure.username}
    password: ${secure.password}
  tls-verify: true
  cert-dir: ${secure.certDir}
${plain.host}:
  tls-verify: false
  images:
    apps/web: []
`;
    const file = join(dir, 'sync.yml');
    await writeFile(file, yaml);
    const run = await ferryOk(['sync', '--src', 'yaml', '--dest', 'docker', file, `${dst.host}/mirror`]);
    // semver order, not string order: 1.0.9 and 1.0.10 are in, 1.0.2 and 1.1.0 out
    expect((await skopeoListTags(dst, 'mirror/charts/demo')).sort()).toEqual(['1.0.10', '1.0.9']);
    expect((await skopeoListTags(dst, 'mirror/team/app')).sort()).toEqual(['1.0', '3.0-alpine']);
    expect((await skopeoListTags(dst, 'mirror/apps/web')).sort()).toEqual(['a', 'b']);
    // the digest entry is copied by digest, untagged
    const byDigest = await probe(`${dst.url}/v2/mirror/team/app/manifests/${images.get('2.0')!.digest}`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    expect(byDigest.status, describeRun(run)).toBe(200);
    expect(run.stdout).toContain(`docker://${dst.host}/mirror/team/app@${images.get('2.0')!.digest} ${images.get('2.0')!.digest}`);
  });

  it('--semver on the command line reads Helm\'s 2.0.0_build.1 as 2.0.0+build.1', async () => {
    await ferryOk(['sync', '--semver', '>=1.1', '--src-cert-dir', secure.certDir!, '--src-creds', `${secure.username}:${secure.password}`, `docker://${secure.ref('charts/demo')}`, `docker://${dst.ref('semver/demo')}`]);
    expect((await skopeoListTags(dst, 'semver/demo')).sort()).toEqual(['1.1.0', '2.0.0_build.1']);
  });

  it('an unknown key is an error naming the key and its line, before anything is copied', async () => {
    const file = join(dir, 'typo.yml');
    await writeFile(file, `${plain.host}:\n  images:\n    apps/web: []\n  image-by-tag-regex:\n    apps/web: x\n`);
    const run = await runFerry(['sync', '--src', 'yaml', '--dest', 'docker', file, `${dst.host}/typo`]);
    expect(oneLineError(run)).toBe(`ferry: [ERR_USAGE] ${file}:4: unknown key "image-by-tag-regex" for registry ${plain.host} (expected one of images, images-by-tag-regex, images-by-semver, credentials, tls-verify, cert-dir)`);
    expect(await skopeoListTags(dst, 'typo/apps/web').catch(() => [])).toEqual([]);
  });
});
