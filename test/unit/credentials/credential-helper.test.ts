import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { helperErase, helperGet, helperStore, type HelperRef } from '../../../src/credentials/credential-helper.js';
import { resolveStoreOptions } from '../../../src/credentials/options.js';
import { resolveCredential } from '../../../src/credentials/resolve-credential.js';
import { FerryError } from '../../../src/errors.js';
import { b64, makeSandbox, type Sandbox } from './sandbox.js';

const REF: HelperRef = { name: 'ferrytest', origin: 'credsStore in /cfg.json' };

describe('credential helpers', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(() => sb.cleanup());

  const o = (extra: Record<string, string> = {}, timeout?: number) =>
    resolveStoreOptions({ env: sb.env(extra), homedir: sb.home, helperTimeoutMs: timeout });
  const seed = (entries: Record<string, { Username: string; Secret: string }>) => writeFile(sb.storePath, JSON.stringify(entries));

  describe('protocol', () => {
    it('stores, gets and erases through docker-credential-NAME with the server URL on stdin', async () => {
      await helperStore(REF, 'r.io', { kind: 'basic', username: 'u', password: 'p:w' }, o());
      expect(await sb.readJson(sb.storePath)).toEqual({ 'r.io': { Username: 'u', Secret: 'p:w' } });
      expect(await helperGet(REF, 'r.io', o())).toEqual({ kind: 'basic', username: 'u', password: 'p:w' });
      expect(await helperErase(REF, 'r.io', o())).toBe(true);
      expect(await sb.readJson(sb.storePath)).toEqual({});
      expect(await sb.helperCalls()).toEqual([
        { action: 'store', input: JSON.stringify({ ServerURL: 'r.io', Username: 'u', Secret: 'p:w' }) },
        { action: 'get', input: 'r.io' },
        { action: 'erase', input: 'r.io' },
      ]);
    });

    it('maps "credentials not found" to undefined on get and false on erase', async () => {
      expect(await helperGet(REF, 'nowhere.io', o())).toBeUndefined();
      expect(await helperErase(REF, 'nowhere.io', o())).toBe(false);
    });

    it('reads Username "<token>" as an identity token and stores identity tokens the same way', async () => {
      await helperStore(REF, 'r.io', { kind: 'identity-token', username: 'me', token: 'refresh' }, o());
      expect(await sb.readJson(sb.storePath)).toEqual({ 'r.io': { Username: '<token>', Secret: 'refresh' } });
      expect(await helperGet(REF, 'r.io', o())).toEqual({ kind: 'identity-token', token: 'refresh' });
    });

    it('refuses to store a registry token, which helpers cannot represent', async () => {
      await expect(helperStore(REF, 'r.io', { kind: 'registry-token', token: 't' }, o())).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
    });
  });

  describe('failures', () => {
    it('names the helper and its origin when it fails, and masks the secret it echoed', async () => {
      const err = await helperStore(REF, 'r.io', { kind: 'basic', username: 'u', password: 'pa55word' }, o({ FERRYTEST_MODE: 'fail' })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FerryError);
      const { code, message } = err as FerryError;
      expect(code).toBe('ERR_CREDENTIALS');
      expect(message).toMatch(/^credential helper docker-credential-ferrytest store failed with exit status 3 \(credsStore in \/cfg\.json\): keychain is locked/);
      expect(message).not.toContain('pa55word');
      expect(message).not.toContain('\n');
    });

    it('reports a get failure other than "not found" as an error', async () => {
      await expect(helperGet(REF, 'r.io', o({ FERRYTEST_MODE: 'fail' }))).rejects.toThrow(/docker-credential-ferrytest get failed/);
    });

    it('says when the helper is not installed', async () => {
      await expect(helperGet({ name: 'absent', origin: 'credHelpers["r.io"] in /c.json' }, 'r.io', o())).rejects.toThrow(
        'credential helper docker-credential-absent is not installed (not found on PATH) (credHelpers["r.io"] in /c.json)',
      );
    });

    it('rejects helper names that would become paths', async () => {
      await expect(helperGet({ name: '../bin/sh', origin: 'x' }, 'r.io', o())).rejects.toThrow(/invalid credential helper name/);
    });

    it('does not quote output that is not JSON: it may be the secret', async () => {
      const err = (await helperGet(REF, 'r.io', o({ FERRYTEST_MODE: 'garbage' })).catch((e: unknown) => e)) as FerryError;
      expect(err.message).toMatch(/printed something that is not JSON for r\.io/);
      expect(err.message).not.toContain('s3cr3t');
    });

    it('kills a helper that does not answer in time', async () => {
      const started = Date.now();
      const err = (await helperGet(REF, 'r.io', o({ FERRYTEST_MODE: 'hang' }, 300)).catch((e: unknown) => e)) as FerryError;
      expect(err.code).toBe('ERR_TIMEOUT');
      expect(err.message).toMatch(/docker-credential-ferrytest get did not answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('stops when the signal aborts', async () => {
      const controller = new AbortController();
      const options = resolveStoreOptions({ env: sb.env({ FERRYTEST_MODE: 'hang' }), homedir: sb.home, signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await expect(helperGet(REF, 'r.io', options)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    });
  });

  describe('in auth files', () => {
    const dockerConfig = () => join(sb.home, '.docker/config.json');
    const resolve = (host: string, extra: Record<string, string> = {}) =>
      resolveCredential(host, 'team/app', { env: sb.env(extra), homedir: sb.home });

    it('asks credsStore for any host, with docker\'s server URL for Docker Hub', async () => {
      await sb.writeJson(dockerConfig(), { auths: { 'https://index.docker.io/v1/': {}, 'r.io': {} }, credsStore: 'ferrytest' });
      await seed({ 'https://index.docker.io/v1/': { Username: 'hub', Secret: 'h' }, 'r.io': { Username: 'reg', Secret: 'r' } });
      expect(await resolve('docker.io')).toEqual({ kind: 'basic', username: 'hub', password: 'h' });
      expect(await resolve('r.io')).toEqual({ kind: 'basic', username: 'reg', password: 'r' });
      expect(await resolve('unknown.io')).toBeUndefined();
    });

    it('prefers a plain entry with content over credsStore, but not an empty marker', async () => {
      await sb.writeJson(dockerConfig(), { auths: { 'plain.io': { auth: b64('plain:pw') }, 'r.io': {} }, credsStore: 'ferrytest' });
      await seed({ 'plain.io': { Username: 'store', Secret: 's' }, 'r.io': { Username: 'store', Secret: 's' } });
      expect(await resolve('plain.io')).toMatchObject({ username: 'plain' });
      expect(await resolve('r.io')).toMatchObject({ username: 'store' });
    });

    it('uses a per-registry credHelpers entry over the file\'s own entry and over credsStore', async () => {
      await sb.writeJson(dockerConfig(), {
        auths: { 'r.io': { auth: b64('plain:pw') } },
        credHelpers: { 'r.io': 'ferrytest' },
        credsStore: 'absent',
      });
      await seed({ 'r.io': { Username: 'helper', Secret: 'h' } });
      expect(await resolve('r.io')).toEqual({ kind: 'basic', username: 'helper', password: 'h' });
    });

    it('moves on to the next file when the credHelpers helper has nothing', async () => {
      await sb.writeJson(join(sb.home, '.config/containers/auth.json'), { credHelpers: { 'r.io': 'ferrytest' } });
      await sb.writeJson(dockerConfig(), { auths: { 'r.io': { auth: b64('docker:pw') } } });
      expect(await resolve('r.io')).toMatchObject({ username: 'docker' });
      expect(await sb.helperCalls()).toEqual([{ action: 'get', input: 'r.io' }]);
    });

    it('still uses a namespaced entry when the host has a credHelpers entry', async () => {
      await sb.writeJson(dockerConfig(), { auths: { 'r.io/team': { auth: b64('ns:pw') } }, credHelpers: { 'r.io': 'ferrytest' } });
      expect(await resolve('r.io')).toMatchObject({ username: 'ns' });
      expect(await sb.helperCalls()).toEqual([]);
    });

    it('fails clearly when the configured helper is missing', async () => {
      await sb.writeJson(dockerConfig(), { credsStore: 'desktop' });
      await expect(resolve('r.io')).rejects.toThrow(
        `credential helper docker-credential-desktop is not installed (not found on PATH) (credsStore in ${dockerConfig()})`,
      );
    });
  });
});
