// skopeo sync's flags on ferry's command line: each is supported, an honest no-op, or
// refused with a one-line reason (docs/sync.md lists them). No registry needed: every
// refusal comes before any connection.
import { describe, expect, it } from 'vitest';
import { oneLineError, runFerry } from '../support/ferry-cli.js';

const REPOS = ['docker://127.0.0.1:9/a/b', 'docker://127.0.0.1:9/c/d'];

describe('ferry sync flags, skopeo\'s way', () => {
  it.each([
    [['--sign-by', 'KEY'], 'ferry: [ERR_UNSUPPORTED] --sign-by: not supported: ferry does not sign images; sign the mirror afterwards (cosign sign, notation sign)'],
    [['--sign-by-sigstore-private-key', 'k.pem'], 'ferry: [ERR_UNSUPPORTED] --sign-by-sigstore-private-key: not supported: ferry does not sign images; sign the mirror afterwards (cosign sign, notation sign)'],
    [['--sign-passphrase-file', 'p'], 'ferry: [ERR_UNSUPPORTED] --sign-passphrase-file: not supported: ferry does not sign images; sign the mirror afterwards (cosign sign, notation sign)'],
    [['--sign-identity', 'r.io/a'], 'ferry: [ERR_UNSUPPORTED] --sign-identity: not supported: ferry does not sign images; sign the mirror afterwards (cosign sign, notation sign)'],
    [['-f', 'v2s1'], 'ferry: [ERR_UNSUPPORTED] --format v2s1: not supported: ferry does not write Docker schema 1 manifests (deprecated; use v2s2 or oci)'],
    [['--shard', '2/2'], 'ferry: [ERR_USAGE] --shard takes I/N with 0 <= I < N (e.g. 0/3), not "2/2"'],
    [['--image-jobs', 'x'], 'ferry: [ERR_USAGE] --image-jobs takes a whole number of 1 or more, not "x"'],
    [['--image-jobs', '2.5'], 'ferry: [ERR_USAGE] --image-jobs takes a whole number of 1 or more, not "2.5"'],
    [['--parallel-images', '0'], 'ferry: [ERR_USAGE] --parallel-images takes a whole number of 1 or more, not "0"'],
    [['--src-username', 'u'], 'ferry: [ERR_USAGE] --src-username and --src-password go together'],
    [['--semver', '>=banana'], 'ferry: [ERR_USAGE] --semver: invalid version range ">=banana": Invalid comparator: >=banana'],
  ])('%j is refused in one line', async (flags, message) => {
    const run = await runFerry(['sync', ...flags, ...REPOS]);
    expect(oneLineError(run)).toBe(message);
    expect(run.code).toBe(1);
  });

  it('skopeo\'s form needs both transports, and YAML selects with its own keys', async () => {
    expect(oneLineError(await runFerry(['sync', '--src', 'docker', 'r.io/a', 'r2.io']))).toBe("ferry: [ERR_USAGE] skopeo's form needs both --src and --dest");
    expect(oneLineError(await runFerry(['sync', '--src', 'yaml', '--dest', 'docker', '--tags', 'x', 'f.yml', 'r2.io']))).toBe('ferry: [ERR_USAGE] --tags and --semver select from docker and oci sources; in YAML use images-by-tag-regex or images-by-semver');
  });

  it('--help names the skopeo flags it accepts', async () => {
    const run = await runFerry(['sync', '--help']);
    for (const flag of ['--src <transport>', '--dest <transport>', '--scoped', '--append-suffix', '--keep-going', '--dry-run', '--preserve-digests', '--digestfile', '--remove-signatures', '--image-jobs', '--skip-existing', '--delete-missing', '--shard', '--src-username', '--dest-password', '--src-registry-token']) {
      expect(run.stdout).toContain(flag);
    }
  });
});
