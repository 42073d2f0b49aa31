// `ferry copy` registry → registry in each auth mode the harness runs: plain HTTP,
// htpasswd over TLS (CA from --src-/--dest-cert-dir, or --tls-verify=false), and
// token auth (credentials from --src-creds/--dest-creds, traded for bearer tokens).
// Each copy also crosses registries so both sides' flags are used at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { skopeoInspectRaw } from '../support/skopeo.js';

const CREDS = 'ferry:ferry-test-password';

describe('registry → registry copy in every auth mode', () => {
  let plain: RunningRegistry;
  let tls: RunningRegistry;
  let token: RunningRegistry;
  let image: BuiltImage;

  beforeAll(async () => {
    [plain, tls, token, image] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'htpasswd-tls' }),
      startRegistry({ mode: 'token', token: { users: { reader: 'reader-pw' }, rules: [{ account: 'ferry', actions: ['*'] }, { account: 'reader', actions: ['pull'] }] } }),
      buildImage({ labels: { 'org.example.fixture': 'auth' }, layers: [{ files: { 'etc/auth.txt': 'auth\n' } }, { random: { size: 40 * 1024, seed: 'auth' } }] }),
    ]);
    await Promise.all([plain, tls, token].map((r) => pushWithSkopeo(image, r, 'auth/source:v1')));
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), tls?.stop(), token?.stop()]);
  });

  const ref = (r: RunningRegistry, repoTag: string): string => `docker://${r.ref(repoTag)}`;

  async function expectCopied(r: RunningRegistry, repoTag: string, run: { stdout: string }): Promise<void> {
    expect(run.stdout.trim()).toBe(image.digest);
    expect(await skopeoInspectRaw(r, repoTag)).toBe(image.manifestBytes.toString());
  }

  it('plain: within the registry and to another one', async () => {
    await expectCopied(plain, 'auth/copy:v1', await ferryOk(['copy', '--quiet', ref(plain, 'auth/source:v1'), ref(plain, 'auth/copy:v1')]));
  });

  it('htpasswd-tls: CA from --src-cert-dir/--dest-cert-dir, Basic credentials per side', async () => {
    const certDir = tls.certDir ?? '';
    const run = await ferryOk([
      'copy', '--quiet', '--src-cert-dir', certDir, '--src-creds', CREDS, '--dest-cert-dir', certDir, '--dest-creds', CREDS,
      ref(tls, 'auth/source:v1'), ref(tls, 'auth/copy:v1'),
    ]);
    await expectCopied(tls, 'auth/copy:v1', run);
    // TLS source, plain destination
    await expectCopied(plain, 'auth/from-tls:v1', await ferryOk(['copy', '--quiet', '--src-cert-dir', certDir, '--src-creds', CREDS, ref(tls, 'auth/source:v1'), ref(plain, 'auth/from-tls:v1')]));
  });

  it('htpasswd-tls: --tls-verify=false per side', async () => {
    const run = await ferryOk([
      'copy', '--quiet', '--src-tls-verify=false', '--src-creds', CREDS, '--dest-tls-verify=false', '--dest-creds', CREDS,
      ref(tls, 'auth/source:v1'), ref(tls, 'auth/insecure:v1'),
    ]);
    await expectCopied(tls, 'auth/insecure:v1', run);
  });

  it('htpasswd-tls: an untrusted certificate or a wrong password fails with one line', async () => {
    const untrusted = await runFerry(['copy', '--quiet', '--src-creds', CREDS, ref(tls, 'auth/source:v1'), ref(plain, 'auth/never:v1')]);
    expect(oneLineError(untrusted)).toMatch(/TLS|certificate/i);
    expect(untrusted.code).toBe(1);
    const wrong = await runFerry(['copy', '--quiet', '--dest-cert-dir', tls.certDir ?? '', '--dest-creds', 'ferry:wrong', ref(plain, 'auth/source:v1'), ref(tls, 'auth/never:v1')]);
    expect(oneLineError(wrong)).toMatch(/401|unauthorized|credentials/i);
    expect(wrong.code).toBe(1);
  });

  it('token: --src-creds/--dest-creds traded for bearer tokens, within the registry (mount) and across', async () => {
    const tokens = token.tokenServer;
    if (!tokens) throw new Error('token mode without a token server');
    tokens.resetRequests();
    const run = await ferryOk(['copy', '--progress', 'plain', '--src-creds', CREDS, '--dest-creds', CREDS, ref(token, 'auth/source:v1'), ref(token, 'auth/copy:v1')]);
    await expectCopied(token, 'auth/copy:v1', run);
    expect(run.stderr, describeRun(run)).toMatch(/Mounted blob/);
    const fetched = tokens.requests();
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((r) => r.account === 'ferry' && r.status === 200)).toBe(true);
    expect(fetched.some((r) => r.granted.some((g) => g.name === 'auth/copy' && g.actions.includes('push')))).toBe(true);
    console.log(`token fetches for one registry → registry copy (mount) in token mode: ${fetched.length}`);

    // token source, plain destination; plain source, token destination
    await expectCopied(plain, 'auth/from-token:v1', await ferryOk(['copy', '--quiet', '--src-creds', CREDS, ref(token, 'auth/source:v1'), ref(plain, 'auth/from-token:v1')]));
    await expectCopied(token, 'auth/from-plain:v1', await ferryOk(['copy', '--quiet', '--dest-creds', CREDS, ref(plain, 'auth/source:v1'), ref(token, 'auth/from-plain:v1')]));
  });

  it('token: a user who may only pull cannot push, and nothing is tagged', async () => {
    const run = await runFerry(['copy', '--quiet', '--src-creds', CREDS, '--dest-creds', 'reader:reader-pw', ref(token, 'auth/source:v1'), ref(token, 'auth/denied:v1')]);
    expect(oneLineError(run)).toMatch(/401|403|denied|unauthorized/i);
    await expect(skopeoInspectRaw(token, 'auth/denied:v1')).rejects.toThrow(/manifest unknown|not found/i);
  });
});
