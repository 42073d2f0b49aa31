import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseImageName } from '../../../src/merge/image-name.js';
import { parseMergeSpec } from '../../../src/merge/spec.js';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('expected a throw');
}

describe('parseMergeSpec', () => {
  it("reads manifest-tool's format", () => {
    const spec = parseMergeSpec(
      [
        'image: myprivreg:5000/someimage:latest',
        "tags: ['1.0.0', 1.10, stable]",
        'manifests:',
        '  -',
        '    image: myprivreg:5000/someimage:ppc64le',
        '    platform:',
        '      architecture: ppc64le',
        '      os: linux',
        '  -',
        '    image: docker://myprivreg:5000/someimage:arm',
        '    platform:',
        '      architecture: arm',
        '      os: linux',
        '      variant: v7',
        '  - image: myprivreg:5000/someimage:win',
        '    platform: { architecture: amd64, os: windows, osversion: 10.0.17763.1, osfeatures: [win32k] }',
        '  - image: oci:/tmp/layout:amd64',
        'annotations:',
        '  org.opencontainers.image.source: https://example.test/app',
        '  org.example.flag: true',
      ].join('\n'),
      'merge.yaml',
    );
    expect(spec).toEqual({
      image: 'myprivreg:5000/someimage:latest',
      tags: ['1.0.0', '1.10', 'stable'],
      manifests: [
        { image: 'myprivreg:5000/someimage:ppc64le', platform: { architecture: 'ppc64le', os: 'linux' } },
        { image: 'docker://myprivreg:5000/someimage:arm', platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
        { image: 'myprivreg:5000/someimage:win', platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1', 'os.features': ['win32k'] } },
        { image: 'oci:/tmp/layout:amd64' },
      ],
      annotations: { 'org.opencontainers.image.source': 'https://example.test/app', 'org.example.flag': 'true' },
    });
  });

  it('takes empty optional fields as absent', () => {
    expect(parseMergeSpec('image:\ntags:\nannotations:\nmanifests:\n  - image: a/b:c\n    platform:\n', 's.yaml')).toEqual({ tags: [], manifests: [{ image: 'a/b:c' }], annotations: {} });
  });

  it.each([
    ['not: [valid', /^s\.yaml: invalid YAML: /],
    ['- a\n- b', /^s\.yaml: expected a mapping/],
    ['image: a/b:c', /^s\.yaml: "manifests" must list at least one image$/],
    ['manifests: []', /"manifests" must list at least one image/],
    ['manifests:\n  - platform: {os: linux}', /^s\.yaml: manifests\[0\]\.image must be a non-empty string$/],
    ['manifests:\n  - image: a/b:c\n    platform: {cpu: x}', /unknown platform field "cpu"/],
    ['manifests:\n  - a/b:c', /manifests\[0\] must be a mapping/],
    ['images:\n  - a/b', /unknown field "images"/],
    ['tags: x\nmanifests:\n  - image: a/b', /tags must be a list/],
  ])('rejects %j with a one-line usage error', (text, message) => {
    const err = usageError(() => parseMergeSpec(text, 's.yaml'));
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(err.exitCode).toBe(1);
  });
});

describe('parseImageName', () => {
  it('takes names without a transport as registry images, and keeps transports', () => {
    expect(parseImageName('reg:5000/app:amd64')).toEqual({ kind: 'docker', ref: { registry: 'reg:5000', repository: 'app', tag: 'amd64' } });
    expect(parseImageName('docker://reg:5000/app:amd64')).toEqual(parseImageName('reg:5000/app:amd64'));
    expect(parseImageName('oci:/tmp/x:arm')).toEqual({ kind: 'oci', path: '/tmp/x', ref: 'arm' });
    expect(parseImageName('localhost:5000/a')).toMatchObject({ kind: 'docker', ref: { registry: 'localhost:5000', tag: 'latest' } });
  });
});
