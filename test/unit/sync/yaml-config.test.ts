import { describe, expect, it } from 'vitest';
import { parseSyncYaml } from '../../../src/sync/yaml-config.js';

const FULL = `registry.example.com:
    images:
        busybox: []
        redis:
            - "1.0"
            - "2.0"
            - "sha256:0000000000000000000000000000000011111111111111111111111111111111"
    images-by-tag-regex:
        nginx: ^1\\.13\\.[12]-alpine-perl$
    images-by-semver:
        alpine: ">= 3.12.0"
    credentials:
        username: john
        password: this is a secret
    tls-verify: true
    cert-dir: /home/john/certs
quay.io:
    tls-verify: false
    images:
        coreos/etcd:
            - latest
`;

describe('skopeo sync YAML', () => {
  it('reads every key of skopeo\'s documented example', () => {
    const regs = parseSyncYaml(FULL, 'sync.yml');
    expect(regs.map((r) => r.registry)).toEqual(['registry.example.com', 'quay.io']);
    const [ex, quay] = regs;
    expect(ex!.credentials).toEqual({ username: 'john', password: 'this is a secret' });
    expect(ex!.tlsVerify).toBe(true);
    expect(ex!.certDir).toBe('/home/john/certs');
    expect(ex!.repositories.map((r) => r.repository)).toEqual(['busybox', 'redis', 'nginx', 'alpine']);
    expect(ex!.repositories[0]!.selection).toEqual({});
    expect(ex!.repositories[1]!.selection).toEqual({ tags: ['1.0', '2.0'], digests: ['sha256:0000000000000000000000000000000011111111111111111111111111111111'] });
    expect(ex!.repositories[2]!.selection.regex!.test('1.13.2-alpine-perl')).toBe(true);
    expect(ex!.repositories[3]!.selection.semver!.test('3.12.1')).toBe(true);
    expect(ex!.repositories[3]!.selection.semver!.test('3.11.0')).toBe(false);
    expect(quay!.tlsVerify).toBe(false);
    expect(quay!.repositories).toEqual([{ repository: 'coreos/etcd', selection: { tags: ['latest'], digests: [] } }]);
  });

  it('names an unknown key and its line', () => {
    const text = 'r.io:\n  images:\n    a: []\n  tls-verfy: false\n';
    expect(() => parseSyncYaml(text, 'm.yml')).toThrow('m.yml:4: unknown key "tls-verfy" for registry r.io');
    expect(() => parseSyncYaml('r.io:\n  credentials:\n    user: x\n', 'm.yml')).toThrow('m.yml:3: unknown key "user" in credentials');
  });

  it('names bad values and broken YAML with their line', () => {
    expect(() => parseSyncYaml('r.io:\n  tls-verify: maybe\n', 'm.yml')).toThrow('m.yml:2: tls-verify must be true or false');
    expect(() => parseSyncYaml('r.io:\n  images-by-semver:\n    a: ">=banana"\n', 'm.yml')).toThrow(/m\.yml:3: invalid version range/);
    expect(() => parseSyncYaml('r.io:\n  images: [\n', 'm.yml')).toThrow(/^m\.yml:\d+: invalid YAML/);
    expect(() => parseSyncYaml('r.io:\n  images:\n    Bad: []\n', 'm.yml')).toThrow(/m\.yml:3: invalid repository "Bad"/);
  });
});
