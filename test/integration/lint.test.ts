// ferry lint on images with one problem planted each (made by GNU tar and a config of
// the test's choosing, without ferry) and on a clean image: every finding id is found
// where it was planted and nowhere else; secrets are named, never printed; SARIF output
// passes the SARIF 2.1.0 JSON schema (the copy @microsoft/jest-sarif ships, a draft-04
// schema, checked with ajv-draft-04).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryJson, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildIndex, pushWithSkopeo } from '../support/fixtures.js';
import { buildLayeredImage, gnuTarLayer, type ConfigSpec, type LayeredImage, type TreeSpec } from '../support/gnu-tar-image.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { deterministicBytes } from '../support/tar-layer.js';

interface Finding { id: string; severity: string; message: string; location: { configKey?: string; layer?: number; path?: string }; platform?: string }
interface Report { findings: Finding[]; ignored: number }

const CLEAN_CONFIG: ConfigSpec = {
  user: '10001',
  entrypoint: ['/app/server'],
  cmd: ['--port', '8080'],
  labels: {
    'org.opencontainers.image.source': 'https://example.com/app.git',
    'org.opencontainers.image.version': '1.2.3',
    'org.opencontainers.image.revision': '0123456789abcdef',
  },
};
const BASE: TreeSpec = { files: { 'app/server': { content: '#!/bin/sh\nexec sleep 1\n', mode: 0o755 }, 'etc/passwd': 'app:x:10001:10001::/app:/sbin/nologin\n' } };
const SECRET_MARKERS = ['SECRETVALUE', 'hunter2', 'abc123secretvalue', 'AKIAABCDEFGHIJKLMNOP', 'npmsecret', 'ghp_'];

function brief(findings: Finding[]): string[] {
  return findings.map((f) => `${f.id} ${f.severity} ${f.location.layer ?? '-'} ${f.location.configKey ?? '-'} ${f.location.path ?? '-'}`);
}

describe('ferry lint', () => {
  let registry: RunningRegistry;
  let work: string;
  const images: Record<string, LayeredImage> = {};

  async function image(name: string, layers: Array<[TreeSpec, 'gzip' | 'zstd' | 'none']>, config: ConfigSpec = CLEAN_CONFIG): Promise<void> {
    const built = [];
    for (const [spec, compression] of layers) built.push(await gnuTarLayer(spec, { compression }));
    images[name] = await buildLayeredImage(built, config);
  }

  async function findings(name: string, extra: string[] = []): Promise<Finding[]> {
    return (await ferryJson<Report>(['lint', '--format', 'json', images[name]!.ociRef, ...extra])).findings;
  }

  beforeAll(async () => {
    [registry, work] = await Promise.all([startRegistry({ mode: 'plain' }), scratchDir('lint-test')]);
    await image('clean', [[BASE, 'gzip'], [{ files: { 'app/data.txt': 'data\n' } }, 'zstd']]);
    await image('root', [[BASE, 'gzip']], { ...CLEAN_CONFIG, user: undefined });
    await image('root0', [[BASE, 'gzip']], { ...CLEAN_CONFIG, user: '0:0' });
    await image('shell', [[BASE, 'gzip']], { ...CLEAN_CONFIG, entrypoint: ['/bin/sh', '-c', '/app/server --port 8080'], cmd: undefined });
    await image('shell-cmd', [[BASE, 'gzip']], { ...CLEAN_CONFIG, entrypoint: undefined, cmd: ['/bin/sh', '-c', '/app/server'] });
    await image('tini', [[BASE, 'gzip']], { ...CLEAN_CONFIG, entrypoint: ['/usr/bin/tini', '--'], cmd: ['/bin/sh', '-c', '/app/server'] });
    await image('cache', [[BASE, 'gzip'], [{ files: { 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease': 'Origin: Debian\n', 'var/lib/apt/lists/lock': '' }, dirs: { 'var/lib/apt/lists/partial': {} } }, 'gzip']]);
    await image('secret-file', [
      [BASE, 'gzip'],
      [{ files: {
        'root/.ssh/id_ed25519': 'not even a key, the path says it\n',
        'app/config/server.pem': '-----BEGIN RSA PRIVATE KEY-----\nMIIBSECRETVALUE\n-----END RSA PRIVATE KEY-----\n',
        'app/.env': 'DB_PASSWORD=hunter2\n',
        'app/.env.example': 'DB_PASSWORD=\n',
        'tmp/deploy-key': '-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETVALUE\n',
      } }, 'zstd'],
      [{ whiteouts: ['tmp/deploy-key'] }, 'gzip'],
    ]);
    await image('secret-env', [[BASE, 'gzip']], {
      ...CLEAN_CONFIG,
      env: ['PATH=/usr/bin:/bin', 'API_TOKEN=abc123secretvalue', 'AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP', 'PASSWORD_FILE=/run/secrets/pw', 'DB_PASSWORD='],
      history: [{ created_by: '|1 NPM_TOKEN=npmsecret /bin/sh -c npm ci' }],
    });
    await image('wasted', [[{ ...BASE, files: { ...BASE.files, 'data/blob': deterministicBytes(2_000_000, 'waste') } }, 'gzip'], [{ whiteouts: ['data/blob'] }, 'gzip']]);
    await image('labels', [[BASE, 'gzip']], { ...CLEAN_CONFIG, labels: { 'org.opencontainers.image.source': 'https://example.com/app.git' } });
    const many: Array<[TreeSpec, 'gzip']> = [[BASE, 'gzip']];
    for (let i = 1; i <= 41; i++) many.push([{ files: { [`app/part-${i}`]: `${i}\n` } }, 'gzip']);
    await image('many', many);
    await image('large', [[{ ...BASE, files: { ...BASE.files, 'app/blob': deterministicBytes(5000, 'large') } }, 'gzip']]);
    await image('setuid', [[{ ...BASE, files: { ...BASE.files, 'usr/bin/su': { content: 'su\n', mode: 0o4755 }, 'usr/bin/wall': { content: 'wall\n', mode: 0o2755 } } }, 'gzip']]);
    await pushWithSkopeo(images['secret-file']!, registry, 'lint/secret-file:v1');
    await pushWithSkopeo(images['clean']!, registry, 'lint/clean:v1');
  }, 180_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('finds nothing in the clean image, from a layout and from the registry', async () => {
    expect(await findings('clean')).toEqual([]);
    const remote = await ferryJson<Report>(['lint', '--format', 'json', `docker://${registry.ref('lint/clean:v1')}`]);
    expect(remote.findings).toEqual([]);
    expect((await ferryOk(['lint', images['clean']!.ociRef])).stdout).toContain('no findings');
  });

  it('finds each planted problem where it was planted, and nothing else', async () => {
    const expected: Record<string, string[]> = {
      root: ['root-user warning - config.User -'],
      root0: ['root-user warning - config.User -'],
      shell: ['shell-entrypoint warning - config.Entrypoint -'],
      'shell-cmd': ['shell-entrypoint warning - config.Cmd -'],
      tini: [],
      cache: ['package-cache warning 1 - /var/lib/apt/lists'],
      'secret-file': [
        'secret-file error 1 - /app/.env',
        'secret-file error 1 - /app/config/server.pem',
        'secret-file error 1 - /root/.ssh/id_ed25519',
        'secret-file error 1 - /tmp/deploy-key',
      ],
      'secret-env': ['secret-env error - config.Env[1] -', 'secret-env error - config.Env[2] -', 'secret-env error - history[0] -'],
      wasted: ['wasted-space warning 0 - /data/blob'],
      labels: ['missing-labels info - config.Labels -'],
      many: ['many-layers warning - rootfs.diff_ids -'],
      setuid: ['setuid-file info 0 - /usr/bin/su', 'setuid-file info 0 - /usr/bin/wall'],
    };
    for (const [name, want] of Object.entries(expected)) {
      const got = brief(await findings(name));
      expect(got.sort(), name).toEqual([...want].sort());
    }
  });

  it('names secrets without printing them, in text, JSON and SARIF', async () => {
    for (const name of ['secret-file', 'secret-env']) {
      for (const format of ['text', 'json', 'sarif']) {
        const run = await ferryOk(['lint', '--format', format, images[name]!.ociRef]);
        for (const marker of SECRET_MARKERS) expect(run.stdout, `${name} ${format}`).not.toContain(marker);
      }
    }
    const env = await findings('secret-env');
    expect(env.map((f) => f.message).join('\n')).toMatch(/API_TOKEN[\s\S]*AWS_ACCESS_KEY_ID[\s\S]*NPM_TOKEN/);
    const files = await findings('secret-file');
    expect(files.find((f) => f.location.path === '/app/config/server.pem')?.message).toContain('private key');
    const remote = await ferryJson<Report>(['lint', '--format', 'json', `docker://${registry.ref('lint/secret-file:v1')}`]);
    expect(brief(remote.findings)).toEqual(brief(files));
  });

  it('large-layer fires over the threshold a config file sets; the config file also ignores ids', async () => {
    expect(await findings('large')).toEqual([]);
    const config = join(work, 'lint.yaml');
    await writeFile(config, 'thresholds:\n  largeLayerBytes: 1000\n');
    expect(brief(await findings('large', ['--config', config]))).toEqual(['large-layer warning 0 - -']);
    await writeFile(config, 'ignore:\n  - root-user\n');
    const report = await ferryJson<Report>(['lint', '--format', 'json', '--config', config, images['root']!.ociRef]);
    expect(report).toMatchObject({ findings: [], ignored: 1 });
    await writeFile(config, 'ignore:\n  - no-such-rule\n');
    expect(oneLineError(await runFerry(['lint', '--config', config, images['root']!.ociRef]))).toContain('unknown finding id "no-such-rule"');
    await writeFile(config, 'ignor:\n  - root-user\n');
    expect(oneLineError(await runFerry(['lint', '--config', config, images['root']!.ociRef]))).toContain('unknown key "ignor"');
  });

  it('--ignore silences ids; --fail-on sets the exit status', async () => {
    expect(await findings('setuid', ['--ignore', 'setuid-file'])).toEqual([]);
    expect(brief(await findings('secret-env', ['--ignore', 'root-user', '--ignore', 'secret-env']))).toEqual([]);
    const root = images['root']!.ociRef;
    expect((await runFerry(['lint', '--fail-on', 'error', root])).code).toBe(0);
    const failing = await runFerry(['lint', '--fail-on', 'warning', root]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('root-user');
    expect(failing.stderrLines).toEqual(['ferry: [ERR_LINT_FINDINGS] 1 finding at or above warning (--fail-on warning)']);
    expect((await runFerry(['lint', '--fail-on', 'info', images['clean']!.ociRef])).code).toBe(0);
    expect(oneLineError(await runFerry(['lint', '--ignore', 'nope', root]))).toContain('unknown finding id "nope"');
  });

  it('SARIF output validates against the SARIF 2.1.0 schema and carries ids, levels and locations', async () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
    // the schema's language pattern is not valid with the u flag, so regular expressions run without it
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    for (const name of ['clean', 'secret-file', 'secret-env', 'setuid', 'cache']) {
      const log = await ferryJson<{ version: string; runs: Array<{ results: Array<{ ruleId: string; level: string; locations: unknown[] }> }> }>(['lint', '--format', 'sarif', images[name]!.ociRef]);
      expect(validate(log), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(log.version).toBe('2.1.0');
    }
    const log = await ferryJson<{ runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation?: { artifactLocation: { uri: string } } }> }> }> }>(['lint', '--format', 'sarif', images['setuid']!.ociRef]);
    expect(log.runs[0]!.results.map((r) => [r.ruleId, r.level, r.locations[0]?.physicalLocation?.artifactLocation.uri])).toEqual([
      ['setuid-file', 'note', 'usr/bin/su'],
      ['setuid-file', 'note', 'usr/bin/wall'],
    ]);
    // the schema check can fail: a log without "version" is refused
    expect(validate({ runs: [] })).toBe(false);
  });

  it('--all-platforms lints every image of an index and names the platform', async () => {
    const index = await buildIndex(['linux/amd64', 'linux/arm64/v8']);
    const report = await ferryJson<Report>(['lint', '--format', 'json', '--all-platforms', '--ignore', 'missing-labels', index.ociRef]);
    expect(report.findings.map((f) => `${f.id} ${f.platform}`)).toEqual(['root-user linux/amd64', 'root-user linux/arm64/v8']);
    const one = await ferryJson<Report>(['lint', '--format', 'json', '--platform', 'linux/arm64', '--ignore', 'missing-labels', index.ociRef]);
    expect(one.findings.map((f) => `${f.id} ${f.platform ?? ''}`)).toEqual(['root-user ']);
  });
});
